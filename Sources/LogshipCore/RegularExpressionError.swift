/// A pattern that PCRE2 does not compile: PCRE2's own message and where it stopped.
package struct RegularExpressionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The pattern as given.
    package var pattern: String
    /// PCRE2's message, such as `missing closing parenthesis`.
    package var message: String
    /// Byte offset into the pattern's UTF-8 at which PCRE2 stopped (for a missing parenthesis, the
    /// end of the pattern).
    package var offset: Int
    /// PCRE2's error code (positive for compile errors).
    package var code: Int32

    /// An error for `pattern` with PCRE2's `message` at byte `offset`.
    package init(pattern: String, message: String, offset: Int, code: Int32) {
        self.pattern = pattern
        self.message = message
        self.offset = offset
        self.code = code
    }

    /// `<message> at offset <offset>`.
    package var description: String { "\(message) at offset \(offset)" }
}
