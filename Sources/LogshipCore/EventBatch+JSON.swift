/// Writing values as compact JSON: the bulk encoder's building blocks.
///
/// Text is escaped; JSON strings and values are copied as they were read (they were validated,
/// and objects with repeated keys are never kept as text); objects kept as fields are written
/// member by member in their order. Doubles are written like `FieldValue` writes them.
extension EventBatch {
    /// Appends `"key":` for the key at `range`.
    @inline(__always)
    package func appendKey(_ range: Range<Int>, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        bytes.withUnsafeBufferPointer { JSONText.appendEscaped(UnsafeBufferPointer(rebasing: $0[range]), to: &output) }
        output.append(UInt8(ascii: "\""))
        output.append(UInt8(ascii: ":"))
    }

    /// Appends the JSON text of a value.
    package func appendJSON(_ slot: FieldSlot, to output: inout [UInt8]) {
        switch slot {
        case .text(let range):
            output.append(UInt8(ascii: "\""))
            bytes.withUnsafeBufferPointer {
                JSONText.appendEscaped(UnsafeBufferPointer(rebasing: $0[range]), to: &output)
            }
            output.append(UInt8(ascii: "\""))
        case .jsonString(let range, _):
            output.append(UInt8(ascii: "\""))
            bytes.withUnsafeBufferPointer { output.append(contentsOf: UnsafeBufferPointer(rebasing: $0[range])) }
            output.append(UInt8(ascii: "\""))
        case .json(let range, _):
            bytes.withUnsafeBufferPointer { output.append(contentsOf: UnsafeBufferPointer(rebasing: $0[range])) }
        case .integer(let value):
            FieldValue.integer(value).appendJSON(to: &output)
        case .double(let value):
            FieldValue.double(value).appendJSON(to: &output)
        case .bool(let value):
            output.append(contentsOf: (value ? "true" : "false").utf8)
        case .null:
            output.append(contentsOf: "null".utf8)
        case .object(let first, _):
            output.append(UInt8(ascii: "{"))
            appendMembers(from: first, to: &output)
            output.append(UInt8(ascii: "}"))
        }
    }

    /// Appends `"key":value` for the field at `index` and every field after it, separated by
    /// commas. Returns how many were written.
    @discardableResult
    package func appendMembers(from index: Int, to output: inout [UInt8], separatorFirst: Bool = false) -> Int {
        var index = index
        var written = 0
        while index >= 0 {
            let field = fields[index]
            if written > 0 || separatorFirst { output.append(UInt8(ascii: ",")) }
            appendKey(field.key, to: &output)
            appendJSON(field.value, to: &output)
            written += 1
            index = field.next
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
}
