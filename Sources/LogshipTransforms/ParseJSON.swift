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
/// - On success the object is merged at the root (`target` nil or empty) or into the object at
///   `target`; keys already present are replaced only with `overwriteKeys` (a JSON key `message`
///   then replaces the text). The source field is not removed. With `prefixField`, the prefix
///   text is stored there, without trailing whitespace and one trailing `-`, `:` or `|` separator.
/// - Text that looked like JSON (starts with `{`, or with `allowPrefix` contains a `{`) but is
///   not a valid JSON object is kept as it is, flagged `json_parse_failed` and counted as
///   `failure`. Text without a `{`, and JSON that is not an object (`[1]`, `42`), is left alone
///   and counted as `skipped`, as is an event whose field is missing or not a string.
/// - Events are never dropped.
package struct ParseJSON: EventTransform {
    /// The YAML type name.
    package static let typeName = "parse_json"
    /// The flag set on events whose JSON-looking text did not parse.
    package static let failureFlag = "json_parse_failed"
    /// How many `{` after a text prefix are tried before giving up on an event.
    package static let maximumPrefixAttempts = 8

    /// The settings of `parse_json`.
    package struct Configuration: Sendable {
        /// The field holding the text.
        package var field: FieldPath
        /// Where to put the object's keys; nil or empty: the root.
        package var target: FieldPath?
        /// Whether JSON may follow a text prefix.
        package var allowPrefix: Bool
        /// Where to store the text prefix, if anywhere.
        package var prefixField: FieldPath?
        /// Whether the object's keys replace keys already in the event.
        package var overwriteKeys: Bool
        /// Only events matching this condition are parsed; others are left alone and not counted.
        package var when: Condition?

        /// Settings with the defaults: parse `message`, merge at the root, allow a prefix, overwrite.
        package init(
            field: FieldPath = FieldPath("message"),
            target: FieldPath? = nil,
            allowPrefix: Bool = true,
            prefixField: FieldPath? = nil,
            overwriteKeys: Bool = true,
            when: Condition? = nil
        ) {
            self.field = field
            self.target = target
            self.allowPrefix = allowPrefix
            self.prefixField = prefixField
            self.overwriteKeys = overwriteKeys
            self.when = when
        }
    }

    /// The component id, used in errors and as the `transform` label of statistics.
    package let id: String
    /// The settings, as validated by `init`.
    package let configuration: Configuration

    /// Builds the transform. `field` must not be empty (the root is not text).
    package init(id: String = ParseJSON.typeName, configuration: Configuration = Configuration()) throws(TransformError)
    {
        guard !configuration.field.segments.isEmpty else {
            throw .invalidSetting(transform: id, setting: "field", reason: "must name a field, not the root")
        }
        self.id = id
        self.configuration = configuration
    }

    /// Parses the field of every event that matches `when`; see the type's documentation.
    package func apply(to events: inout [Event], statistics: inout TransformStatistics) {
        var succeeded = 0
        var failed = 0
        var skipped = 0
        for index in events.indices {
            if let when = configuration.when, !when.matches(events[index]) { continue }
            switch parse(&events[index]) {
            case .success: succeeded += 1
            case .failure: failed += 1
            case .skipped: skipped += 1
            }
        }
        statistics.add(succeeded, transform: id, outcome: .success)
        statistics.add(failed, transform: id, outcome: .failure)
        statistics.add(skipped, transform: id, outcome: .skipped)
    }

    private enum Outcome {
        case success
        case failure
        case skipped
    }

    private enum Located {
        case plain
        case invalid
        case object(FieldObject, prefix: String?)
    }

    private func parse(_ event: inout Event) -> Outcome {
        guard case .string(var text)? = event.fields[path: configuration.field] else { return .skipped }
        let located = text.withUTF8 { locate(in: $0) }
        switch located {
        case .plain:
            return .skipped
        case .invalid:
            event.addFlag(Self.failureFlag)
            return .failure
        case .object(let object, let prefix):
            event.fields.merge(object, at: configuration.target, overwrite: configuration.overwriteKeys)
            if let prefixField = configuration.prefixField, let prefix {
                event.fields[path: prefixField] = .string(prefix)
            }
            return .success
        }
    }

    private func locate(in bytes: UnsafeBufferPointer<UInt8>) -> Located {
        var first = 0
        while first < bytes.count && Self.isWhitespace(bytes[first]) { first += 1 }
        guard first < bytes.count else { return .plain }
        if bytes[first] == UInt8(ascii: "{") {
            guard case .object(let object)? = try? JSONParser.parse(bytes) else { return .invalid }
            return .object(object, prefix: nil)
        }
        guard configuration.allowPrefix else { return .plain }
        guard var candidate = bytes[first...].firstIndex(of: UInt8(ascii: "{")) else { return .plain }
        var last = bytes.count - 1
        while last > candidate && Self.isWhitespace(bytes[last]) { last -= 1 }
        guard bytes[last] == UInt8(ascii: "}") else { return .invalid }
        var attempts = 0
        while attempts < Self.maximumPrefixAttempts {
            attempts += 1
            let slice = UnsafeBufferPointer(rebasing: bytes[candidate...])
            if case .object(let object)? = try? JSONParser.parse(slice) {
                let prefix = configuration.prefixField == nil ? nil : Self.prefixText(bytes[first..<candidate])
                return .object(object, prefix: prefix)
            }
            guard let next = bytes[(candidate + 1)...].firstIndex(of: UInt8(ascii: "{")) else { break }
            candidate = next
        }
        return .invalid
    }

    /// The prefix without trailing whitespace and one trailing separator (`-`, `:` or `|`).
    private static func prefixText(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> String {
        var end = bytes.endIndex
        while end > bytes.startIndex && isWhitespace(bytes[end - 1]) { end -= 1 }
        if end > bytes.startIndex,
            bytes[end - 1] == UInt8(ascii: "-") || bytes[end - 1] == UInt8(ascii: ":")
                || bytes[end - 1] == UInt8(ascii: "|")
        {
            end -= 1
            while end > bytes.startIndex && isWhitespace(bytes[end - 1]) { end -= 1 }
        }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[bytes.startIndex..<end]), as: UTF8.self)
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }
}
