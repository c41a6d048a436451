/// Writing values as compact JSON: the bulk encoder's building blocks.
///
/// Text is escaped; JSON strings and values are copied as they were read (they were validated,
/// and objects with repeated keys are never kept as text); objects kept as fields are written
/// member by member in their order. Doubles are written like `FieldValue` writes them.
///
/// Each `append…` works out an upper bound of what it writes (`jsonBound`), reserves it once and
/// writes through a `JSONWriter`; the `write…` forms write into a writer a caller has reserved.
extension EventBatch {
    /// Appends `"key":` for the key at `range`.
    package func appendKey(_ range: Range<Int>, to output: inout [UInt8]) {
        output.appendJSON(atMost: keyBound(range)) { writeKey(range, to: &$0) }
    }

    /// Appends the JSON text of a value.
    package func appendJSON(_ slot: FieldSlot, to output: inout [UInt8]) {
        output.appendJSON(atMost: jsonBound(slot)) { write(slot, to: &$0) }
    }

    /// Appends `,"key":value` (without the comma when `separator` is false).
    package func appendMember(_ key: Range<Int>, _ value: FieldSlot, separator: Bool, to output: inout [UInt8]) {
        output.appendJSON(atMost: 1 + keyBound(key) + jsonBound(value)) { writer in
            if separator { writer.write(UInt8(ascii: ",")) }
            writeKey(key, to: &writer)
            write(value, to: &writer)
        }
    }

    /// Appends `"key":value` for the field at `index` and every field after it, separated by
    /// commas (and one before the first with `separatorFirst`). Returns how many were written.
    @discardableResult
    package func appendMembers(from index: Int, to output: inout [UInt8], separatorFirst: Bool = false) -> Int {
        var written = 0
        output.appendJSON(atMost: membersBound(from: index)) { writer in
            written = writeMembers(from: index, to: &writer, separatorFirst: separatorFirst)
        }
        return written
    }

    /// The JSON text of event `event`'s fields as one object (for tests and logs).
    package func jsonText(of event: Int) -> String {
        var output: [UInt8] = []
        output.append(UInt8(ascii: "{"))
        appendMembers(from: records[event].first, to: &output)
        output.append(UInt8(ascii: "}"))
        return String(decoding: output, as: UTF8.self)
    }

    // MARK: Bounds

    /// The most bytes `writeKey` writes for the key at `range`.
    @inline(__always)
    package func keyBound(_ range: Range<Int>) -> Int { JSONWriter.escapedBound(range.count) + 3 }

    /// The most bytes `write(_:to:)` writes for `slot`.
    package func jsonBound(_ slot: FieldSlot) -> Int {
        switch slot {
        case .text(let range): return JSONWriter.escapedBound(range.count) + 2
        case .jsonString(let range, _): return range.count + 2
        case .json(let range, _): return range.count
        case .integer: return 20
        case .double: return 40
        case .bool: return 5
        case .null: return 4
        case .object(let first, _): return 2 + membersBound(from: first)
        }
    }

    /// The most bytes `writeMembers` writes from field `index` on.
    package func membersBound(from index: Int) -> Int {
        var bound = 1
        var index = index
        while index >= 0 {
            let field = fields[index]
            bound += 1 + keyBound(field.key) + jsonBound(field.value)
            index = next(after: index)
        }
        return bound
    }

    // MARK: Writing

    /// Writes `"key":` for the key at `range`.
    @inline(__always)
    package func writeKey(_ range: Range<Int>, to writer: inout JSONWriter) {
        writer.write(UInt8(ascii: "\""))
        bytes.withUnsafeBufferPointer {
            writer.writeEscaped(UnsafeBufferPointer(rebasing: $0[range]), readableAfter: $0.count - range.upperBound)
        }
        writer.write(UInt8(ascii: "\""), UInt8(ascii: ":"))
    }

    /// Writes the JSON text of a value.
    package func write(_ slot: FieldSlot, to writer: inout JSONWriter) {
        switch slot {
        case .text(let range):
            writer.write(UInt8(ascii: "\""))
            bytes.withUnsafeBufferPointer {
                writer.writeEscaped(
                    UnsafeBufferPointer(rebasing: $0[range]),
                    readableAfter: $0.count - range.upperBound
                )
            }
            writer.write(UInt8(ascii: "\""))
        case .jsonString(let range, _):
            writer.write(UInt8(ascii: "\""))
            bytes.withUnsafeBufferPointer { writer.write(UnsafeBufferPointer(rebasing: $0[range])) }
            writer.write(UInt8(ascii: "\""))
        case .json(let range, _):
            bytes.withUnsafeBufferPointer { writer.write(UnsafeBufferPointer(rebasing: $0[range])) }
        case .integer(let value):
            writer.writeInteger(value)
        case .double(let value):
            var text: [UInt8] = []
            FieldValue.double(value).appendJSON(to: &text)
            text.withUnsafeBufferPointer { writer.write($0) }
        case .bool(let value):
            writer.write(value ? "true" : "false")
        case .null:
            writer.write("null")
        case .object(let first, _):
            writer.write(UInt8(ascii: "{"))
            writeMembers(from: first, to: &writer)
            writer.write(UInt8(ascii: "}"))
        }
    }

    /// Writes `"key":value` for the field at `index` and every field after it, separated by
    /// commas. Returns how many were written.
    @discardableResult
    package func writeMembers(from index: Int, to writer: inout JSONWriter, separatorFirst: Bool = false) -> Int {
        var index = index
        var written = 0
        while index >= 0 {
            let field = fields[index]
            if written > 0 || separatorFirst { writer.write(UInt8(ascii: ",")) }
            writeKey(field.key, to: &writer)
            write(field.value, to: &writer)
            written += 1
            index = next(after: index)
        }
        return written
    }
}
