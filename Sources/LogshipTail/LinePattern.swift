package import LogshipCore

/// A multiline pattern, matched against lines as UTF-8 bytes.
///
/// PCRE2 looks at the bytes where they are, so a long line costs nothing extra unless the pattern
/// has to read far into it: an anchored pattern such as `^\d{4}-\d{2}-\d{2}` decides within a
/// few bytes (and a line whose first byte cannot start a match is turned away without calling
/// PCRE2; see `RegularExpression`). An unanchored pattern reads the line until it finds a match.
///
/// Holds a `RegularExpression.Matcher`, so it is not `Sendable`: one per file, used by one thread
/// at a time. A search that gives up at a backtracking limit counts as no match.
package struct LinePattern {
    /// The compiled pattern.
    package let expression: RegularExpression
    private let matcher: RegularExpression.Matcher

    /// A line pattern searching with `expression`.
    package init(_ expression: RegularExpression) {
        self.expression = expression
        self.matcher = expression.makeMatcher()
    }

    /// Whether the pattern matches anywhere in `line` (without its line end).
    package func matches(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        matcher.matches(line)
    }

    /// Whether the pattern matches anywhere in `text`.
    package func matches(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { matcher.matches($0) }
    }
}
