package import LogshipCore

/// A compiled regular expression (PCRE2 syntax, through Core's `RegularExpression`) whose named
/// groups are mapped to field names.
///
/// Named groups are written `(?<name>...)` or, as in Python, `(?P<name>...)`; references by name
/// (`\k<name>`, `(?P=name)`, `(?&name)` and the other PCRE2 spellings) work too. PCRE2 accepts
/// only letters, digits and `_` in group names, so named groups are rewritten to plain numbered
/// groups and the names kept here: a name may then be any `[A-Za-z_][A-Za-z0-9_.]*` (dots
/// address nested fields). Rewriting tracks escapes, `\Q...\E`, character classes and comments;
/// a pattern whose groups cannot be mapped with certainty is rejected rather than filled wrongly.
///
/// Matching runs on UTF-8 bytes; see `RegularExpression` for the syntax, invalid UTF-8 and the
/// limits on backtracking. The compiled expression is immutable and shared between threads; the
/// state of a search lives in a `RegularExpression.Matcher`, one per batch.
package struct RegexPattern: Sendable {
    /// The pattern as configured.
    package let source: String
    /// The compiled expression, after rewriting named groups.
    package let expression: RegularExpression
    /// Named groups in pattern order, with their capture group numbers.
    package let groups: [(name: String, number: Int)]

    /// Compiles `pattern`. Errors name `transform` and `setting`, and carry PCRE2's message with
    /// the byte offset in `pattern`.
    package init(_ pattern: String, transform: String, setting: String = "pattern") throws(TransformError) {
        func invalid(_ reason: String) -> TransformError {
            .invalidPattern(transform: transform, setting: setting, pattern: pattern, reason: reason)
        }
        var rewriter = PatternRewriter(pattern)
        do {
            try rewriter.rewrite()
        } catch {
            throw invalid(error.reason)
        }
        let expression: RegularExpression
        do {
            expression = try RegularExpression(rewriter.output)
        } catch {
            throw invalid("\(error.message) at offset \(rewriter.sourceOffset(ofOutputOffset: error.offset))")
        }
        guard expression.captureGroupCount == rewriter.captureCount else {
            throw invalid("could not map the named groups to capture groups; simplify the pattern")
        }
        self.source = pattern
        self.expression = expression
        self.groups = rewriter.groups
    }

    /// Whether the expression matches anywhere in `text`.
    ///
    /// Allocates PCRE2 match data for each call; in a loop over many texts, search the bytes with
    /// one `makeMatcher()`.
    package func matches(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { expression.matches($0) }
    }

    /// Whether the expression matches anywhere in `bytes`; allocates like `matches(_:)` does.
    package func matches(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        expression.matches(bytes)
    }

    /// Whether the expression matches anywhere in `bytes`, searching with `matcher` (from
    /// `makeMatcher()`).
    package func matches(_ bytes: UnsafeBufferPointer<UInt8>, using matcher: RegularExpression.Matcher) -> Bool {
        assert(matcher.expression === expression, "a matcher of another pattern")
        return matcher.matches(bytes)
    }

    /// The first match in `bytes`, searching with `matcher` (from `makeMatcher()`), or nil. The
    /// range of the group named `groups[i].name` is `match.range(at: groups[i].number)`, in bytes
    /// from the start of `bytes`; ranges stay valid until `matcher` searches again.
    package func firstMatch(
        in bytes: UnsafeBufferPointer<UInt8>,
        using matcher: RegularExpression.Matcher
    ) -> RegularExpression.Match? {
        assert(matcher.expression === expression, "a matcher of another pattern")
        return matcher.firstMatch(in: bytes)
    }

    /// A matcher for `matches(_:using:)` and `firstMatch(in:using:)`: not `Sendable`, one per
    /// batch or per thread, reused for every search so that searching allocates nothing.
    package func makeMatcher() -> RegularExpression.Matcher {
        expression.makeMatcher()
    }
}
