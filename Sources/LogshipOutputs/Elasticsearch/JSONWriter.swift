import LogshipCore

/// JSON writing for the bulk encoder's hot path: the same text as `FieldValue.appendJSON` and
/// `JSONText.appendString` from Core, but strings are scanned over their contiguous UTF-8 and
/// copied in runs between the bytes that need escaping, instead of one `append` per byte (the
/// per-byte version took a quarter of the encoding time). Numbers, booleans and null are written
/// by Core, so that their spelling cannot drift.
enum JSONWriter {
    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Appends `value` as compact JSON, object keys in insertion order.
    static func appendValue(_ value: FieldValue, to bytes: inout [UInt8]) {
        switch value {
        case .string(let text):
            appendString(text, to: &bytes)
        case .array(let values):
            bytes.append(UInt8(ascii: "["))
            var first = true
            for element in values {
                if !first { bytes.append(UInt8(ascii: ",")) }
                first = false
                appendValue(element, to: &bytes)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let object):
            bytes.append(UInt8(ascii: "{"))
            appendMembers(of: object, to: &bytes)
            bytes.append(UInt8(ascii: "}"))
        case .integer, .double, .bool, .null:
            value.appendJSON(to: &bytes)
        }
    }

    /// Appends `"key":value` pairs separated by commas, without the braces.
    static func appendMembers(of object: FieldObject, to bytes: inout [UInt8]) {
        var first = true
        for entry in object.entries {
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            appendString(entry.key, to: &bytes)
            bytes.append(UInt8(ascii: ":"))
            appendValue(entry.value, to: &bytes)
        }
    }

    /// Appends `text` as a quoted JSON string, escaped exactly as `JSONText.appendString` does.
    static func appendString(_ text: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { appendEscaped($0, to: &bytes) }
        bytes.append(UInt8(ascii: "\""))
    }

    private static func appendEscaped(_ utf8: UnsafeBufferPointer<UInt8>, to bytes: inout [UInt8]) {
        var runStart = 0
        for index in 0..<utf8.count {
            let byte = utf8[index]
            guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
            if runStart < index { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index])) }
            runStart = index + 1
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case UInt8(ascii: "\n"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case UInt8(ascii: "\r"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case UInt8(ascii: "\t"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            default:
                bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                bytes.append(hexDigits[Int(byte >> 4)])
                bytes.append(hexDigits[Int(byte & 0xF)])
            }
        }
        if runStart < utf8.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...])) }
    }
}
