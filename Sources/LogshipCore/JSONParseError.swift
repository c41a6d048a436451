/// Why a JSON text was rejected, and where: the byte offset into the parsed bytes (for a slice,
/// relative to the slice's start) and a short reason.
package struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The reasons the parser gives. A closed set, so that tests and statistics can match on them.
    package enum Reason: String, Sendable, Equatable, CaseIterable {
        case unexpectedEnd = "unexpected end of input"
        case unexpectedCharacter = "unexpected character"
        case trailingCharacters = "unexpected characters after the value"
        case expectedKey = "expected a string key"
        case expectedColon = "expected ':' after a key"
        case expectedCommaOrEnd = "expected ',' or the end of the object or array"
        case invalidLiteral = "invalid literal (expected true, false or null)"
        case invalidNumber = "invalid number"
        case invalidEscape = "invalid escape sequence"
        case controlCharacter = "unescaped control character in string"
        case invalidUTF8 = "invalid UTF-8"
        case tooDeep = "nesting deeper than the maximum"
    }

    /// Offset of the offending byte from the start of the parsed bytes.
    package var offset: Int
    /// What was wrong there.
    package var reason: Reason

    /// An error at `offset` for `reason`.
    package init(offset: Int, reason: Reason) {
        self.offset = offset
        self.reason = reason
    }

    /// `invalid JSON at byte <offset>: <reason>`.
    package var description: String { "invalid JSON at byte \(offset): \(reason.rawValue)" }
}
