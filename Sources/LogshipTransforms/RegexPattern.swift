package import Foundation

/// A compiled regular expression (ICU syntax, through `NSRegularExpression`) whose named groups
/// are mapped to field names.
///
/// Named groups are written `(?<name>...)` or, as in Python, `(?P<name>...)`; backreferences
/// `\k<name>` and `(?P=name)` work too. ICU itself only accepts letters and digits in group
/// names, so named groups are rewritten to plain numbered groups and the names kept here: a name
/// may then be any `[A-Za-z_][A-Za-z0-9_.]*` (dots address nested fields). Rewriting tracks
/// escapes, `\Q...\E` and character classes; a pattern whose groups cannot be mapped with
/// certainty is rejected rather than filled wrongly.
///
/// `NSRegularExpression` is immutable and safe to share between threads.
package struct RegexPattern: Sendable {
    /// The pattern as configured.
    package let source: String
    /// The compiled expression, after rewriting named groups.
    package let expression: NSRegularExpression
    /// Named groups in pattern order, with their capture group numbers.
    package let groups: [(name: String, number: Int)]

    /// Compiles `pattern`. Errors name `transform` and `setting`.
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
        let expression: NSRegularExpression
        do {
            expression = try NSRegularExpression(pattern: rewriter.output)
        } catch {
            throw invalid("not a valid ICU regular expression")
        }
        guard expression.numberOfCaptureGroups == rewriter.captureCount else {
            throw invalid("could not map the named groups to capture groups; simplify the pattern")
        }
        self.source = pattern
        self.expression = expression
        self.groups = rewriter.groups
    }

    /// Whether the expression matches anywhere in `text`.
    package func matches(_ text: String) -> Bool {
        expression.rangeOfFirstMatch(in: text, range: NSRange(location: 0, length: text.utf16.count)).location
            != NSNotFound
    }
}
