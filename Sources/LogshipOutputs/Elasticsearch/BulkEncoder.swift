package import LogshipCore

/// Encodes events as `_bulk` NDJSON straight into a byte buffer: per event a `create` action line
/// and a source line, each ending in `\n`.
///
/// ```
/// {"create":{"_index":"logship-2025.11.01","_id":"801-2a-1f4"}}
/// {"@timestamp":"2025-11-01T12:00:00.123Z","message":"hello","log":{"flags":["truncated"]}}
/// ```
///
/// - `_id` is `EventSource.documentID` and is left out for events without a source.
/// - `@timestamp` is the event's `timestamp` in UTC with milliseconds; a `@timestamp` key among the
///   fields is skipped (Elasticsearch rejects duplicate keys, and the timestamp parser has already
///   moved it into `timestamp`). The other fields follow in their order.
/// - The members of a JSON object that `parse_json` merged and no step changed since are copied
///   as they were read, whitespace between them included (`EventBatch.verbatimMembers(of:)`).
/// - Flags go to `log.flags` as an array of strings: appended inside an existing `log` object
///   (replacing a `flags` key there), or as a new `log` object at the end. A `log` value that is not
///   an object is kept as `log.original` so that nothing is lost.
///
/// The action (`create` or `index`), the index and the `_id` are as `BulkAction` says. The index
/// name, the action line's prefix and the timestamp up to the hour are cached per hour of event
/// time; a name with field references is made per event and the prefix rebuilt when it changes.
package struct BulkEncoder: Sendable {
    /// How action lines are made.
    package let action: BulkAction
    /// The pattern index names are formatted from.
    package var indexPattern: IndexPattern { action.index }
    private var cachedHour: Int64 = .min
    /// The calendar fields of `cachedHour`.
    private var cachedTime = UTCDateTime(millisecondsSince1970: 0)
    /// The index name `cachedActionPrefix` holds.
    private var cachedName: [UInt8] = []
    private var cachedActionPrefix: [UInt8] = []
    /// `{"@timestamp":"yyyy-MM-ddTHH:` of `cachedHour`.
    private var cachedTimestampPrefix: [UInt8] = []
    /// An event's index name (field references) or `_id` (from a field) as it is made.
    private var scratch: [UInt8] = []
    /// Documents that went to the fallback index, and why the first did.
    package private(set) var fallbacks = 0
    package private(set) var firstFallback: IndexPattern.NameProblem?

    private static let idKey: StaticString = #","_id":""#
    private static let actionEnd: StaticString = "}}\n"
    private static let timestampKey: StaticString = #"{"@timestamp":""#
    private static let flagsKey: StaticString = #""flags":"#
    private static let logKey: StaticString = #""log":"#
    private static let originalKey: StaticString = #"{"original":"#

    package init(action: BulkAction) {
        self.action = action
    }

    /// `create` into `indexPattern`, ids from the source.
    package init(indexPattern: IndexPattern) {
        self.init(action: BulkAction(index: indexPattern))
    }

    /// Makes `cachedActionPrefix` `{"<action>":{"_index":"<name>"` for `name`.
    private mutating func setIndex(_ name: [UInt8]) {
        cachedName = name
        cachedActionPrefix.removeAll(keepingCapacity: true)
        cachedActionPrefix.append(contentsOf: #"{""#.utf8)
        cachedActionPrefix.append(contentsOf: action.kind.rawValue.utf8)
        cachedActionPrefix.append(contentsOf: #"":{"_index":"#.utf8)
        // Index names have no character JSON escapes (quotes, backslashes and controls are refused).
        cachedActionPrefix.append(UInt8(ascii: "\""))
        cachedActionPrefix.append(contentsOf: name)
        cachedActionPrefix.append(UInt8(ascii: "\""))
    }

    /// The index of event `index` when the name has field references: the prefix is rebuilt only
    /// when the name differs from the last one.
    private mutating func routeByFields(_ batch: EventBatch, event index: Int) {
        scratch.removeAll(keepingCapacity: true)
        if let problem = action.index.appendName(time: cachedTime, batch: batch, event: index, to: &scratch) {
            fallbacks += 1
            if firstFallback == nil { firstFallback = problem }
            scratch = Array(action.fallback.indexName(for: cachedTime).utf8)
        }
        if scratch != cachedName || cachedActionPrefix.isEmpty { setIndex(scratch) }
    }

    /// Appends `,"_id":"<value>"` from the id field of event `index`; `false` when it has no
    /// string, number or boolean there (the source id is used instead).
    private mutating func appendFieldID(
        _ path: FieldPath,
        _ batch: EventBatch,
        event index: Int,
        to bytes: inout [UInt8]
    )
        -> Bool
    {
        scratch.removeAll(keepingCapacity: true)
        guard let slot = batch.value(at: path, in: index), batch.appendLabelText(slot, to: &scratch), !scratch.isEmpty
        else { return false }
        bytes.append(contentsOf: #","_id":"#.utf8)
        JSONText.appendString(String(decoding: scratch, as: UTF8.self), to: &bytes)
        return true
    }

    /// Appends the two lines for event `index` of `batch` to `bytes` and returns where they are.
    package mutating func append(_ batch: EventBatch, event index: Int, to bytes: inout [UInt8]) -> BulkDocument {
        let record = batch.records[index]
        let start = bytes.count
        let milliseconds = UTCDateTime.milliseconds(since1970: record.timestamp)
        let hour = milliseconds >= 0 ? milliseconds / 3_600_000 : (milliseconds - 3_599_999) / 3_600_000
        if hour != cachedHour {
            let time = UTCDateTime(millisecondsSince1970: milliseconds)
            cachedTimestampPrefix = []
            Self.append(Self.timestampKey, to: &cachedTimestampPrefix)
            time.appendISO8601(to: &cachedTimestampPrefix)
            cachedTimestampPrefix.removeLast(10)  // mm:ss.SSSZ
            cachedTime = time
            if !action.index.hasFields {
                let name = Array(action.index.indexName(for: time).utf8)
                if name != cachedName || cachedActionPrefix.isEmpty { setIndex(name) }
            }
            cachedHour = hour
        }
        if action.index.hasFields { routeByFields(batch, event: index) }
        cachedActionPrefix.withUnsafeBufferPointer { bytes.append(contentsOf: $0) }
        let source = batch.source(of: index)
        // The source the `_id` is made of (none when the id comes from a field, or there is none).
        var idSource = source
        switch action.documentID {
        case .source: break
        case .none: idSource = nil
        case .field(let path): if appendFieldID(path, batch, event: index, to: &bytes) { idSource = nil }
        }
        let withinHour = Int(milliseconds - hour * 3_600_000)
        // The rest of the action line and the start of the source line through the timestamp's
        // `mm:ss.SSSZ"`, written into room reserved once: appending byte by byte (each a
        // uniqueness and capacity check) was a fifth of the encoder's time.
        let base = bytes.count
        var sourceOffset = 0
        bytes.appendJSON(atMost: 112 + cachedTimestampPrefix.count) { writer in
            if let source = idSource {
                writer.write(Self.idKey)
                writer.writeHex(source.fileKey.device)
                writer.write(UInt8(ascii: "-"))
                writer.writeHex(source.fileKey.inode)
                writer.write(UInt8(ascii: "-"))
                if source.startOffset < 0 { writer.write(UInt8(ascii: "-")) }
                writer.writeHex(source.startOffset.magnitude)
                writer.write(UInt8(ascii: "-"))
                writer.writeHex(UInt64(source.fingerprint))
                if source.generation != 0 {
                    writer.write(UInt8(ascii: "-"), UInt8(ascii: "g"))
                    writer.writeHex(UInt64(source.generation))
                }
                writer.write(UInt8(ascii: "\""))
            }
            writer.write(Self.actionEnd)
            sourceOffset = writer.count
            cachedTimestampPrefix.withUnsafeBufferPointer { writer.write($0) }
            writer.writeDigits(withinHour / 60_000, count: 2)
            writer.write(UInt8(ascii: ":"))
            writer.writeDigits(withinHour / 1000 % 60, count: 2)
            writer.write(UInt8(ascii: "."))
            writer.writeDigits(withinHour % 1000, count: 3)
            writer.write(UInt8(ascii: "Z"), UInt8(ascii: "\""))
        }
        let sourceStart = base + sourceOffset
        // The rest of the source line in one reservation: one capacity and uniqueness check per
        // document instead of one per member.
        let (bound, log) = Self.sourceBound(batch, event: index)
        bytes.appendJSON(atMost: bound) { Self.writeSource(batch, event: index, log: log, to: &$0) }
        return BulkDocument(
            range: start..<bytes.count,
            sourceStart: sourceStart,
            source: source
        )
    }

    /// The most bytes `writeSource` writes for event `index`, and the text of its `log` member
    /// when that is not an object of fields but flags must go into it (rare: written beforehand
    /// by `appendLog`, whose length is not known until then).
    private static func sourceBound(_ batch: EventBatch, event index: Int) -> (bound: Int, log: [UInt8]?) {
        let record = batch.records[index]
        var bound = 2 + flagsBound
        var log: [UInt8]?
        var field = record.first
        while field >= 0 {
            if field == record.verbatimFirst, let run = batch.verbatimMembers(of: index) {
                bound += 1 + run.text.count
                field = batch.next(after: run.last)
                continue
            }
            let entry = batch.fields[field]
            field = batch.next(after: field)
            bound += 1 + batch.keyBound(entry.key) + batch.jsonBound(entry.value)
            if log == nil, !record.flags.isEmpty, batch.keyEquals(entry.key, logName) {
                if case .object = entry.value { continue }
                var text: [UInt8] = []
                appendLog(entry.value, flags: record.flags, batch: batch, to: &text)
                bound += text.count
                log = text
            }
        }
        return (bound, log)
    }

    /// The most bytes of `,"log":{"flags":[...]}` or of `"flags":[...]`, every flag set.
    private static let flagsBound = 16 + EventFlags.allNames.reduce(0) { $0 + $1.name.utf8.count + 3 }

    /// Writes the members of event `index` after its `@timestamp`, `log.flags` among them, and
    /// ends the source line (see `sourceBound`).
    private static func writeSource(
        _ batch: EventBatch,
        event index: Int,
        log: [UInt8]?,
        to writer: inout JSONWriter
    ) {
        let record = batch.records[index]
        let flags = record.flags
        var wroteFlags = flags.isEmpty
        var field = record.first
        while field >= 0 {
            if field == record.verbatimFirst, let run = batch.verbatimMembers(of: index) {
                // The members of a parsed JSON object, untouched: copied as they were read.
                writer.write(UInt8(ascii: ","))
                batch.bytes.withUnsafeBufferPointer { writer.write(UnsafeBufferPointer(rebasing: $0[run.text])) }
                field = batch.next(after: run.last)
                continue
            }
            let entry = batch.fields[field]
            field = batch.next(after: field)
            if batch.keyEquals(entry.key, timestampName) { continue }
            writer.write(UInt8(ascii: ","))
            batch.writeKey(entry.key, to: &writer)
            if !wroteFlags, batch.keyEquals(entry.key, logName), case .object(let first, _) = entry.value {
                // The event's `log` object, its `flags` replaced by the event's flags.
                writer.write(UInt8(ascii: "{"))
                var member = first
                while member >= 0 {
                    let entry = batch.fields[member]
                    member = batch.next(after: member)
                    if batch.keyEquals(entry.key, flagsName) { continue }
                    batch.writeKey(entry.key, to: &writer)
                    batch.write(entry.value, to: &writer)
                    writer.write(UInt8(ascii: ","))
                }
                writeFlags(flags, to: &writer)
                writer.write(UInt8(ascii: "}"))
                wroteFlags = true
            } else if !wroteFlags, let log, batch.keyEquals(entry.key, logName) {
                log.withUnsafeBufferPointer { writer.write($0) }
                wroteFlags = true
            } else {
                batch.write(entry.value, to: &writer)
            }
        }
        if !wroteFlags {
            writer.write(UInt8(ascii: ","))
            writer.write(logKey)
            writer.write(UInt8(ascii: "{"))
            writeFlags(flags, to: &writer)
            writer.write(UInt8(ascii: "}"))
        }
        writer.write(UInt8(ascii: "}"), UInt8(ascii: "\n"))
    }

    /// Writes `"flags":["a","b"]`.
    private static func writeFlags(_ flags: EventFlags, to writer: inout JSONWriter) {
        writer.write(flagsKey)
        writer.write(UInt8(ascii: "["))
        var first = true
        for entry in EventFlags.allNames where flags.contains(entry.flag) {
            if !first { writer.write(UInt8(ascii: ",")) }
            first = false
            writer.write(UInt8(ascii: "\""))
            var name = entry.name
            name.withUTF8 { writer.write($0) }
            writer.write(UInt8(ascii: "\""))
        }
        writer.write(UInt8(ascii: "]"))
    }

    /// Appends the two lines for `event` (the tree form, for tests) to `bytes`.
    package mutating func append(_ event: Event, to bytes: inout [UInt8]) -> BulkDocument {
        append(EventBatch([event]), event: 0, to: &bytes)
    }

    private static let timestampName = Array("@timestamp".utf8)
    private static let logName = Array("log".utf8)
    private static let flagsName = Array("flags".utf8)

    /// Writes a `log` value that is not an object of fields, with `flags` added (`writeSource`
    /// writes the usual one).
    private static func appendLog(_ value: FieldSlot, flags: EventFlags, batch: EventBatch, to bytes: inout [UInt8]) {
        switch value {
        case .json(_, .object):
            // An object kept as text: decoded, written without its `flags`, then the flags.
            guard case .object(let object) = batch.value(value) else { fallthrough }
            bytes.append(UInt8(ascii: "{"))
            for entry in object.entries where entry.key != "flags" {
                JSONText.appendString(entry.key, to: &bytes)
                bytes.append(UInt8(ascii: ":"))
                entry.value.appendJSON(to: &bytes)
                bytes.append(UInt8(ascii: ","))
            }
            appendFlags(flags, to: &bytes)
            bytes.append(UInt8(ascii: "}"))
        default:
            append(originalKey, to: &bytes)
            batch.appendJSON(value, to: &bytes)
            bytes.append(UInt8(ascii: ","))
            appendFlags(flags, to: &bytes)
            bytes.append(UInt8(ascii: "}"))
        }
    }

    /// Writes `"flags":["a","b"]`.
    private static func appendFlags(_ flags: EventFlags, to bytes: inout [UInt8]) {
        append(flagsKey, to: &bytes)
        bytes.append(UInt8(ascii: "["))
        var first = true
        for entry in EventFlags.allNames where flags.contains(entry.flag) {
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            JSONText.appendString(entry.name, to: &bytes)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// Appends the UTF-8 of a constant without reference counting.
    @inline(__always)
    private static func append(_ text: StaticString, to bytes: inout [UInt8]) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }
}
