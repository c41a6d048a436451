/// A boolean match of the simplest anchored patterns without PCRE2: `^` followed by one fixed
/// sequence, or by a group of alternative ones, where a sequence is made of `\d` and literal
/// ASCII characters, each optionally repeated an exact number of times (`\d{4}`). The multiline
/// start pattern of the Aetherra pipeline, `^(\d{4}-\d{2}-\d{2}|\{)`, is one: it is tried on every
/// line, and calling PCRE2's JIT code for it cost more than the comparison itself.
///
/// A match is a prefix of the subject that fits one sequence, as PCRE2 finds it (`^` with no
/// `$`: the rest of the subject does not matter). `\d` is an ASCII digit, as in PCRE2 without
/// `PCRE2_UCP`. Any other pattern (classes, `.`, `*`, `+`, `?`, ranges of counts, inline
/// options, escapes other than punctuation and `\d`, non-ASCII text) is not recognised, and
/// PCRE2 matches it.
struct AnchoredPrefixes: Sendable {
    /// One position of a sequence: a digit, or one byte.
    enum Element: Sendable, Equatable {
        case digit
        case byte(UInt8)
    }

    /// The alternatives, each a sequence of positions.
    let alternatives: [[Element]]

    /// The sequences of `pattern`, or `nil` when it is not of the recognised shape.
    init?(_ pattern: String) {
        var bytes = Array(pattern.utf8)[...]
        guard bytes.popFirst() == UInt8(ascii: "^") else { return nil }
        var alternatives: [[Element]]
        if bytes.first == UInt8(ascii: "(") {
            bytes.removeFirst()
            if bytes.starts(with: [UInt8(ascii: "?"), UInt8(ascii: ":")]) { bytes.removeFirst(2) }
            guard bytes.popLast() == UInt8(ascii: ")") else { return nil }
            alternatives = []
            for part in bytes.split(separator: UInt8(ascii: "|"), omittingEmptySubsequences: false) {
                guard let sequence = Self.sequence(part) else { return nil }
                alternatives.append(sequence)
            }
        } else {
            guard let sequence = Self.sequence(bytes) else { return nil }
            alternatives = [sequence]
        }
        guard !alternatives.isEmpty, alternatives.allSatisfy({ !$0.isEmpty }) else { return nil }
        self.alternatives = alternatives
    }

    /// Whether `bytes` starts with one of the sequences.
    func matches(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        alternatives.contains { sequence in
            guard bytes.count >= sequence.count else { return false }
            for (offset, element) in sequence.enumerated() {
                switch element {
                case .digit: if bytes[offset] &- UInt8(ascii: "0") >= 10 { return false }
                case .byte(let byte): if bytes[offset] != byte { return false }
                }
            }
            return true
        }
    }

    /// Punctuation a backslash makes literal.
    private static let escapable = Set("{}[]()|.*+?^$\\/-:,#'\"=<>!@%&~`;_ ".utf8)
    /// Characters that stand for themselves unescaped.
    private static func isPlain(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return Array(" -:,_/\"'=<>!@%&~;#`".utf8).contains(byte)
        }
    }

    /// The positions of a sequence without alternatives or groups, or `nil`.
    private static func sequence(_ text: ArraySlice<UInt8>) -> [Element]? {
        var text = text
        var sequence: [Element] = []
        while let byte = text.popFirst() {
            let element: Element
            if byte == UInt8(ascii: "\\") {
                guard let escaped = text.popFirst() else { return nil }
                if escaped == UInt8(ascii: "d") {
                    element = .digit
                } else if escapable.contains(escaped) {
                    element = .byte(escaped)
                } else {
                    return nil
                }
            } else if isPlain(byte) {
                element = .byte(byte)
            } else {
                return nil
            }
            var count = 1
            if text.first == UInt8(ascii: "{") {
                text.removeFirst()
                var digits = 0
                count = 0
                while let digit = text.first, digit &- UInt8(ascii: "0") < 10 {
                    count = count * 10 + Int(digit - UInt8(ascii: "0"))
                    digits += 1
                    text.removeFirst()
                    guard count <= 1_000 else { return nil }
                }
                guard digits > 0, text.popFirst() == UInt8(ascii: "}") else { return nil }
            }
            sequence += repeatElement(element, count: count)
        }
        return sequence
    }
}
