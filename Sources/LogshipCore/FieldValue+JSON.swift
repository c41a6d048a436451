/// Compact JSON encoding of field values straight into bytes.
///
/// Written by hand rather than with `JSONEncoder`: it runs once per shipped document on the hot
/// path, must keep object keys in insertion order (golden NDJSON bodies compare as exact text),
/// and must never fail. Non-finite doubles, which JSON cannot carry, are written as `null`.
extension FieldValue {
    /// Appends the compact JSON text of this value to `bytes`.
    package func appendJSON(to bytes: inout [UInt8]) {
        switch self {
        case .string(let text): JSONText.appendString(text, to: &bytes)
        case .integer(let value): bytes.append(contentsOf: String(value).utf8)
        case .double(let value):
            if value.isFinite {
                if value.rounded() == value && abs(value) < 1e15 {
                    bytes.append(contentsOf: String(Int64(value)).utf8)
                    bytes.append(contentsOf: ".0".utf8)
                } else {
                    bytes.append(contentsOf: String(value).utf8)
                }
            } else {
                bytes.append(contentsOf: "null".utf8)
            }
        case .bool(let value): bytes.append(contentsOf: (value ? "true" : "false").utf8)
        case .null: bytes.append(contentsOf: "null".utf8)
        case .array(let values):
            bytes.append(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                value.appendJSON(to: &bytes)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let object): object.appendJSON(to: &bytes)
        }
    }

    /// The compact JSON text of this value.
    package var jsonText: String {
        var bytes: [UInt8] = []
        appendJSON(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension FieldObject {
    /// Appends the compact JSON text of this object, keys in insertion order.
    package func appendJSON(to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "{"))
        for (index, entry) in entries.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            JSONText.appendString(entry.key, to: &bytes)
            bytes.append(UInt8(ascii: ":"))
            entry.value.appendJSON(to: &bytes)
        }
        bytes.append(UInt8(ascii: "}"))
    }
}

/// JSON string escaping.
package enum JSONText {
    /// Whether the key of `member` (in `bytes`) is `key` (unescaped UTF-8). A key written with
    /// escapes is decoded first.
    package static func keyEquals(
        _ member: JSONMember,
        in bytes: UnsafeBufferPointer<UInt8>,
        _ key: UnsafeBufferPointer<UInt8>
    ) -> Bool {
        if !member.keyHasEscapes {
            guard member.key.count == key.count else { return false }
            guard let base = bytes.baseAddress, let other = key.baseAddress else { return key.isEmpty }
            return EventBatch.sameBytes(base + member.key.lowerBound, other, count: key.count)
        }
        guard let decoded = decodeString(UnsafeBufferPointer(rebasing: bytes[member.key])) else { return false }
        return decoded.utf8.elementsEqual(key)
    }

    /// Decodes the bytes between the quotes of a valid JSON string (escapes and all).
    package static func decodeString(_ content: UnsafeBufferPointer<UInt8>) -> String? {
        var quoted: [UInt8] = [UInt8(ascii: "\"")]
        quoted.append(contentsOf: content)
        quoted.append(UInt8(ascii: "\""))
        guard case .string(let text)? = try? JSONParser.parse(quoted) else { return nil }
        return text
    }

    /// Appends `text` as a quoted JSON string: `"` and `\` escaped, control characters as `\n`,
    /// `\t`, `\r` or `\u00XX`. Swift strings are valid Unicode, so the output is valid UTF-8.
    ///
    /// Runs of bytes that need no escaping are copied whole: one `append` per byte took a quarter
    /// of the bulk encoder's time.
    package static func appendString(_ text: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { appendEscaped($0, to: &bytes) }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Appends `utf8` (valid UTF-8) escaped for the inside of a JSON string, without quotes (see
    /// `JSONWriter.writeEscaped`).
    package static func appendEscaped(_ utf8: UnsafeBufferPointer<UInt8>, to bytes: inout [UInt8]) {
        bytes.appendJSON(atMost: JSONWriter.escapedBound(utf8.count)) { $0.writeEscaped(utf8) }
    }
}
