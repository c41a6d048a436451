/// Parses JSON text (RFC 8259, UTF-8) into a `FieldValue`.
///
/// Written by hand on purpose: Foundation's `JSONSerialization` loses object key order, cannot
/// tell `1`, `1.0` and `true` apart on Linux (everything is an `NSNumber`), and is slow. This
/// parser runs once per event on the hot path, straight over the bytes of the line.
///
/// Behaviour and limits:
/// - Strict: leading and trailing whitespace (space, tab, CR, LF) is allowed, anything else after
///   the value is an error; so are unescaped control characters in strings, unknown escapes,
///   leading zeros, `NaN`/`Infinity`, comments and trailing commas.
/// - Object keys keep their order; with duplicate keys the last value wins (at the position of
///   the first occurrence).
/// - Numbers without fraction or exponent that fit in `Int64` become `.integer`; all others
///   become `.double` (huge integers lose precision; values beyond the `Double` range become
///   infinity, which `FieldValue.numberValue` treats as not a number).
/// - `\uXXXX` escapes are decoded, surrogate pairs combined; a lone surrogate becomes U+FFFD.
/// - Bytes of strings must be valid UTF-8 (no overlong forms, no encoded surrogates).
/// - Arrays and objects nest at most `maximumDepth` levels; deeper input is rejected, so the
///   recursion stays shallow whatever the input.
package enum JSONParser {
    /// The deepest nesting of arrays and objects accepted: 64.
    package static let maximumDepth = 64

    /// Parses exactly one JSON value from `bytes`.
    package static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(JSONParseError) -> FieldValue {
        var reader = JSONReader(bytes: bytes)
        return try reader.parseDocument()
    }

    /// Parses exactly one JSON value from the UTF-8 bytes of `text`.
    package static func parse(_ text: String) throws(JSONParseError) -> FieldValue {
        var text = text
        return try text.withUTF8 { buffer in Result { () throws(JSONParseError) in try parse(buffer) } }.get()
    }

    /// Parses exactly one JSON value from `bytes`.
    package static func parse(_ bytes: [UInt8]) throws(JSONParseError) -> FieldValue {
        try bytes.withUnsafeBufferPointer { buffer in Result { () throws(JSONParseError) in try parse(buffer) } }.get()
    }
}
