import Foundation

// Temporary byte-level entry points over NSRegularExpression, until the PCRE2 engine lands.
extension RegexPattern {
    /// Whether the expression matches anywhere in the UTF-8 `bytes`.
    package func matches(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        matches(String(decoding: bytes, as: UTF8.self))
    }

    /// The byte ranges of the capture groups of the first match in `bytes` (index = group number),
    /// or `nil` without a match.
    package func captureRanges(in bytes: UnsafeBufferPointer<UInt8>) -> [Range<Int>?]? {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let match = expression.firstMatch(in: text, range: NSRange(location: 0, length: text.utf16.count))
        else { return nil }
        return (0..<match.numberOfRanges).map { number in
            let range = match.range(at: number)
            guard range.location != NSNotFound, let textRange = Range(range, in: text) else { return nil }
            let lower = text.utf8.distance(from: text.utf8.startIndex, to: textRange.lowerBound)
            let upper = text.utf8.distance(from: text.utf8.startIndex, to: textRange.upperBound)
            return lower..<upper
        }
    }
}
