package import Foundation

/// A multiline pattern, matched against lines with a fast path for long lines.
///
/// `NSRegularExpression` converts the whole line to UTF-16 before it looks at it, which made the
/// multiline stage several times slower than reading. For most patterns a match found in a prefix
/// of the line is also a match in the whole line: nothing in the pattern can look past the end of
/// the text it consumed. So a line longer than `prefixBytes` is first matched on its first
/// `prefixBytes` bytes (cut at a character boundary); only when that finds nothing is the whole
/// line matched. Typical multiline patterns (`^\d{4}-\d{2}-\d{2}`, `^\{`) match most lines on the
/// prefix.
///
/// The fast path is used only for patterns without the constructs that can look past the match
/// or depend on what follows it: `$`, `\b`, `\B`, `\z`, `\Z`, `\G`, lookaround, backreferences,
/// atomic groups and possessive quantifiers. Other patterns always see the whole line.
package struct LinePattern {
    /// How much of a long line the fast path looks at.
    package static let prefixBytes = 64

    private static let unsafeConstructs =
        [
            "$", "\\b", "\\B", "\\z", "\\Z", "\\G", "(?=", "(?!", "(?<", "(?>", "*+", "++", "?+", "}+", "\\k",
        ] + (1...9).map { "\\\($0)" }

    package let expression: NSRegularExpression
    /// Whether a match in a prefix implies a match in the whole line.
    package let prefixMatchIsConclusive: Bool

    package init(_ expression: NSRegularExpression) {
        self.expression = expression
        let pattern = expression.pattern
        self.prefixMatchIsConclusive = !Self.unsafeConstructs.contains { pattern.contains($0) }
    }

    /// Whether the pattern matches anywhere in `text`.
    package func matches(_ text: String) -> Bool {
        if prefixMatchIsConclusive, text.utf8.count > Self.prefixBytes, matchesWhole(Self.prefix(of: text)) {
            return true
        }
        return matchesWhole(text)
    }

    private func matchesWhole(_ text: String) -> Bool {
        expression.firstMatch(in: text, options: [], range: NSRange(location: 0, length: text.utf16.count)) != nil
    }

    /// The first `prefixBytes` bytes of `text`, shortened to end on a character boundary so that
    /// no replacement character appears.
    package static func prefix(of text: String) -> String {
        let utf8 = Array(text.utf8.prefix(prefixBytes + 1))
        var end = min(prefixBytes, utf8.count)
        // Back off over UTF-8 continuation bytes (10xxxxxx) so the cut lands between scalars.
        while end > 0 && end < utf8.count && utf8[end] & 0xC0 == 0x80 { end -= 1 }
        return String(decoding: utf8[..<end], as: UTF8.self)
    }
}
