import Glibc
package import LogshipCore

/// `parse_json`: decodes a JSON object held as text in a field (by default `message`) and merges
/// its keys into the event.
///
/// - A field starting with `{` (after whitespace) is parsed whole.
/// - Otherwise, with `allowPrefix`, the JSON may follow a text prefix such as
///   `2025-11-01 12:00:03,000 - hub - INFO - {...}`: the first `{` from which the rest of the
///   text, up to trailing whitespace, is a JSON object is taken. At most `maximumPrefixAttempts`
///   candidate `{` are tried, and none when the text does not end with `}`, so the work stays
///   linear in the line length.
/// - The object is indexed, not decoded (see `EventBatch`): its members are merged at the root
///   (`target` nil or empty) or into the object at `target`, and an untouched member is shipped
///   exactly as it was written. When every member becomes a new top-level field in its order
///   (no key already there, none of `@timestamp` and `log`, no key written with escapes), the
///   run is marked verbatim and the bulk encoder copies the object's text in one piece, the
///   whitespace between members included, until a later step changes one of them.
/// - The JSON text then leaves the field it was read from, so that it is not shipped twice: the
///   field is removed when there was no prefix, and holds only the prefix (without trailing
///   whitespace and one trailing `-`, `:` or `|` separator) when there was one. With
///   `prefixField` the prefix goes there instead and the field is removed. With `keepOriginal`
///   the whole text is kept in `event.original` (as ECS names it).
/// - Keys already in the event win over the object's (`overwriteKeys`, false by default, as in
///   Filebeat), except the parsed field itself, which the object's key of the same name always
///   replaces. `@timestamp` and `log` belong to logship (event time, file and offset, flags) and
///   are never replaced, whatever `overwriteKeys` says.
/// - Text that looked like JSON (starts with `{`, or with `allowPrefix` contains a `{`) but is
///   not a valid JSON object is kept as it is, flagged `json_parse_failed` and counted as
///   `failure`. Text without a `{`, and JSON that is not an object (`[1]`, `42`), is left alone
///   and counted as `skipped`, as is an event whose field is missing or not a string.
/// - An object that may repeat a key is decoded with `JSONParser` (the last value wins) and
///   written back without repeats, since Elasticsearch rejects documents with repeated keys.
/// - Events are never dropped.
package struct ParseJSON: EventTransform {
    /// The YAML type name.
    package static let typeName = "parse_json"
    /// The flag set on events whose JSON-looking text did not parse.
    package static let failureFlag = "json_parse_failed"
    /// How many `{` after a text prefix are tried before giving up on an event.
    package static let maximumPrefixAttempts = 8
    /// Where `keepOriginal` puts the text.
    package static let originalField = FieldPath("event.original")

    /// The settings of `parse_json`.
    package struct Configuration: Sendable {
        /// The field holding the text.
        package var field: FieldPath
        /// Where to put the object's keys; nil or empty: the root.
        package var target: FieldPath?
        /// Whether JSON may follow a text prefix.
        package var allowPrefix: Bool
        /// Where to store the text prefix, if not in `field`.
        package var prefixField: FieldPath?
        /// Whether the object's keys replace keys already in the event.
        package var overwriteKeys: Bool
        /// Whether the whole text is kept in `event.original`.
        package var keepOriginal: Bool
        /// Only events matching this condition are parsed; others are left alone and not counted.
        package var when: Condition?

        /// Settings with the defaults: parse `message`, merge at the root, allow a prefix, keep
        /// existing keys, drop the JSON text.
        package init(
            field: FieldPath = FieldPath("message"),
            target: FieldPath? = nil,
            allowPrefix: Bool = true,
            prefixField: FieldPath? = nil,
            overwriteKeys: Bool = false,
            keepOriginal: Bool = false,
            when: Condition? = nil
        ) {
            self.field = field
            self.target = target
            self.allowPrefix = allowPrefix
            self.prefixField = prefixField
            self.overwriteKeys = overwriteKeys
            self.keepOriginal = keepOriginal
            self.when = when
        }
    }

    /// The component id, used in errors and as the `transform` label of statistics.
    package let id: String
    /// The settings, as validated by `init`.
    package let configuration: Configuration
    /// `configuration.when`, prepared once.
    private let selection: PreparedCondition?

    /// Builds the transform. `field` must not be empty (the root is not text).
    package init(id: String = ParseJSON.typeName, configuration: Configuration = Configuration()) throws(TransformError)
    {
        guard !configuration.field.segments.isEmpty else {
            throw .invalidSetting(transform: id, setting: "field", reason: "must name a field, not the root")
        }
        self.id = id
        self.configuration = configuration
        self.selection = configuration.when.map(PreparedCondition.init)
    }

    /// Parses the field of every event that matches `when`; see the type's documentation.
    package func apply(to batch: inout EventBatch, statistics: inout TransformStatistics) {
        var succeeded = 0
        var failed = 0
        var skipped = 0
        var members: [JSONMember] = []
        var paths = Paths(configuration, batch: &batch)
        let selected = selection?.matches(in: &batch)
        for event in 0..<batch.count where !batch.isDropped(event) {
            if let selected, !selected[event] { continue }
            switch parse(event, in: &batch, members: &members, paths: &paths) {
            case .success: succeeded += 1
            case .failure: failed += 1
            case .skipped: skipped += 1
            }
        }
        statistics.add(succeeded, transform: id, outcome: .success)
        statistics.add(failed, transform: id, outcome: .failure)
        statistics.add(skipped, transform: id, outcome: .skipped)
    }

    /// The paths this transform writes, with their keys in the batch.
    private struct Paths {
        var field: ResolvedPath
        var target: ResolvedPath?
        var prefix: ResolvedPath?
        var original: ResolvedPath?
        /// Keys of the root that the object never replaces.
        var timestampKey: Range<Int>
        var logKey: Range<Int>
        /// Keys a member may not take without the key-by-key merge: `@timestamp`, `log` and the
        /// parsed field's own key.
        var reservedKeys: [Range<Int>]

        init(_ configuration: Configuration, batch: inout EventBatch) {
            timestampKey = batch.key("@timestamp")
            logKey = batch.key("log")
            field = batch.resolve(configuration.field)
            target = configuration.target.flatMap { $0.segments.isEmpty ? nil : batch.resolve($0) }
            prefix = configuration.prefixField.map { batch.resolve($0) }
            original = configuration.keepOriginal ? batch.resolve(ParseJSON.originalField) : nil
            reservedKeys = [timestampKey, logKey] + (field.singleKey.map { [$0] } ?? [])
        }
    }

    private enum Outcome {
        case success
        case failure
        case skipped
    }

    /// Where the object is in the batch's bytes, and the prefix before it.
    private enum Located {
        case plain
        case invalid
        case object(start: Int, prefix: Range<Int>, mayHaveRepeatedKeys: Bool)
    }

    private func parse(
        _ event: Int,
        in batch: inout EventBatch,
        members: inout [JSONMember],
        paths: inout Paths
    ) -> Outcome {
        guard let slot = batch.value(at: paths.field, in: event) else { return .skipped }
        guard let text = batch.textRange(slot) else { return .skipped }
        members.removeAll(keepingCapacity: true)
        var located = batch.bytes.withUnsafeBufferPointer { bytes in
            locate(in: UnsafeBufferPointer(rebasing: bytes[text]), members: &members)
        }
        switch located {
        case .plain: return .skipped
        case .invalid:
            batch.addFlag(.jsonParseFailed, to: event)
            return .failure
        case .object(let start, let prefix, let mayHaveRepeatedKeys):
            var base = text.lowerBound
            if mayHaveRepeatedKeys {
                // Decode (the last value of a repeated key wins, at its first position) and
                // index the rewritten text instead.
                guard let rewritten = Self.rewrite(batch, text.lowerBound + start..<text.upperBound) else {
                    batch.addFlag(.jsonParseFailed, to: event)
                    return .failure
                }
                let range = rewritten.withUnsafeBufferPointer { batch.append(bytes: $0) }
                members.removeAll(keepingCapacity: true)
                located = batch.bytes.withUnsafeBufferPointer { bytes in
                    var scanner = JSONScanner(bytes: UnsafeBufferPointer(rebasing: bytes[range]))
                    return scanner.scanObjectMembers(into: &members) ? .plain : .invalid
                }
                guard case .plain = located else { return .failure }
                base = range.lowerBound
            }
            let prefixRange = (prefix.lowerBound + text.lowerBound)..<(prefix.upperBound + text.lowerBound)
            let merged = merge(
                members,
                base: base,
                into: event,
                batch: &batch,
                paths: &paths,
                text: text,
                prefix: prefixRange
            )
            return merged ? .success : .skipped
        }
    }

    /// The object text decoded and written again without repeated keys.
    private static func rewrite(_ batch: EventBatch, _ range: Range<Int>) -> [UInt8]? {
        let value = batch.bytes.withUnsafeBufferPointer {
            try? JSONParser.parse(UnsafeBufferPointer(rebasing: $0[range]))
        }
        guard case .object? = value else { return nil }
        var bytes: [UInt8] = []
        value?.appendJSON(to: &bytes)
        return bytes
    }

    /// Merges the members; `false`, changing nothing, when `target` holds a value that is not
    /// an object and `overwriteKeys` is off.
    private func merge(
        _ members: [JSONMember],
        base: Int,
        into event: Int,
        batch: inout EventBatch,
        paths: inout Paths,
        text: Range<Int>,
        prefix: Range<Int>
    ) -> Bool {
        if let target = paths.target, !configuration.overwriteKeys,
            let existing = batch.value(at: target, in: event), !existing.isObject
        {
            return false
        }
        // The JSON text leaves its field: removed, or left holding only the prefix.
        if prefix.isEmpty || paths.prefix != nil {
            batch.remove(paths.field, in: event)
        } else {
            batch.set(paths.field, to: .text(prefix), in: event)
        }
        // What logship adds is written after the object's members, so that it goes into an
        // object of the same name (`event`, say) instead of replacing it.
        defer {
            if let prefixPath = paths.prefix, !prefix.isEmpty { batch.set(prefixPath, to: .text(prefix), in: event) }
            if let original = paths.original { batch.set(original, to: .text(text), in: event) }
        }
        let fieldKey = paths.field.singleKey
        let targetField: Int?
        if let target = paths.target {
            if !(batch.value(at: target, in: event)?.isObject ?? false) {
                batch.set(target, to: .emptyObject, in: event)
            }
            // Make sure the target is an object of fields, then find its index.
            targetField = batch.objectField(at: target, in: event)
        } else {
            targetField = nil
        }
        // The common case, all members new, in one pass (the same result as the loop below).
        if targetField == nil, base == text.lowerBound,
            batch.appendVerbatimMembers(members, base: base, toEvent: event, unlessKeys: paths.reservedKeys)
        {
            return true
        }
        // Whether every member becomes a new top-level field as it was read, so that the encoder
        // may copy the object's text (see `EventBatch.markVerbatim`). Not for keys the encoder
        // treats apart (`@timestamp`, `log`), keys written with escapes, or rewritten text.
        var verbatim = targetField == nil && base == text.lowerBound && !members.isEmpty
        var firstAppended = -1
        var lastAppended = -1
        for member in members {
            var key = (member.key.lowerBound + base)..<(member.key.upperBound + base)
            if member.keyHasEscapes {
                let decoded = batch.bytes.withUnsafeBufferPointer {
                    JSONText.decodeString(UnsafeBufferPointer(rebasing: $0[key]))
                }
                key = batch.append(text: decoded ?? "")
            }
            let valueRange = (member.value.lowerBound + base)..<(member.value.upperBound + base)
            let slot: FieldSlot =
                member.kind == .string
                ? .jsonString(valueRange, escaped: member.valueHasEscapes) : .json(valueRange, member.kind)
            if let targetField {
                batch.mergeMember(
                    key: key,
                    value: slot,
                    intoObject: targetField,
                    overwrite: configuration.overwriteKeys
                )
                continue
            }
            var overwrite = configuration.overwriteKeys
            let reserved = batch.bytesEqual(key, paths.timestampKey) || batch.bytesEqual(key, paths.logKey)
            if reserved { overwrite = false }
            if let fieldKey, batch.bytesEqual(key, fieldKey) { overwrite = true }
            let appended = batch.mergeMember(key: key, value: slot, intoEvent: event, overwrite: overwrite)
            guard verbatim else { continue }
            if let appended, !reserved, !member.keyHasEscapes, lastAppended < 0 || appended == lastAppended + 1 {
                if firstAppended < 0 { firstAppended = appended }
                lastAppended = appended
            } else {
                verbatim = false
            }
        }
        if verbatim { batch.markVerbatim(event: event, fields: firstAppended...lastAppended) }
        return true
    }

    private func locate(in bytes: UnsafeBufferPointer<UInt8>, members: inout [JSONMember]) -> Located {
        var first = 0
        while first < bytes.count && Self.isWhitespace(bytes[first]) { first += 1 }
        guard first < bytes.count else { return .plain }
        if bytes[first] == UInt8(ascii: "{") {
            guard let found = JSONScanner.scanObject(bytes, from: first, into: &members) else { return .invalid }
            return .object(start: first, prefix: 0..<0, mayHaveRepeatedKeys: found.mayHaveRepeatedKeys)
        }
        guard configuration.allowPrefix else { return .plain }
        guard var candidate = Self.firstBrace(bytes, from: first) else { return .plain }
        var last = bytes.count - 1
        while last > candidate && Self.isWhitespace(bytes[last]) { last -= 1 }
        guard bytes[last] == UInt8(ascii: "}") else { return .invalid }
        var attempts = 0
        while attempts < Self.maximumPrefixAttempts {
            attempts += 1
            members.removeAll(keepingCapacity: true)
            if let found = JSONScanner.scanObject(bytes, from: candidate, into: &members) {
                return .object(
                    start: candidate,
                    prefix: first..<Self.prefixEnd(bytes, first: first, candidate: candidate),
                    mayHaveRepeatedKeys: found.mayHaveRepeatedKeys
                )
            }
            guard let next = Self.firstBrace(bytes, from: candidate + 1) else { break }
            candidate = next
        }
        return .invalid
    }

    /// The end of the prefix without trailing whitespace and one trailing separator (`-`, `:`
    /// or `|`).
    private static func prefixEnd(_ bytes: UnsafeBufferPointer<UInt8>, first: Int, candidate: Int) -> Int {
        var end = candidate
        while end > first && isWhitespace(bytes[end - 1]) { end -= 1 }
        if end > first,
            bytes[end - 1] == UInt8(ascii: "-") || bytes[end - 1] == UInt8(ascii: ":")
                || bytes[end - 1] == UInt8(ascii: "|")
        {
            end -= 1
            while end > first && isWhitespace(bytes[end - 1]) { end -= 1 }
        }
        return end
    }

    /// The position of the first `{` at or after `start`: memchr, since most lines have none and
    /// are searched to their end.
    private static func firstBrace(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        guard start < bytes.count, let base = bytes.baseAddress,
            let found = memchr(base + start, Int32(UInt8(ascii: "{")), bytes.count - start)
        else { return nil }
        return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }
}
