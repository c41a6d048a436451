/// Rewrites named groups of a PCRE2 pattern into plain numbered groups, for `RegexPattern`.
///
/// PCRE2 numbers named groups like unnamed ones, so turning `(?<name>` and `(?P<name>` into `(`
/// keeps every group's number, and numbered or relative references stay right. References by
/// name become references by number: `\k<name>`, `\k'name'`, `\k{name}`, `\g{name}` and
/// `(?P=name)` become `\g{N}`; `(?&name)`, `(?P>name)`, `\g<name>` and `\g'name'` (calls) become
/// `(?N)`; conditions `(?(<name>)`, `(?('name')`, `(?(name)` and `(?(R&name)` become `(?(N)` and
/// `(?(RN)`.
///
/// Escapes, `\Q...\E` quotes, character classes (with POSIX classes such as `[:alpha:]`; a `[`
/// inside a class is a plain character in PCRE2), comments `(?#...)` and verbs such as `(*SKIP)`
/// are copied as they are and their parentheses not counted; `(?:`, `(?=`, `(?<=`, `(?>`, `(?i)`,
/// `(*atomic:` and the like open no capture group. Not understood: `#` comments in extended mode
/// `(?x)`, and group numbering changed by `(?|` or `(?n)`; `RegexPattern` notices those by
/// comparing group counts. Runs once, when the transform is built.
struct PatternRewriter {
    /// Why a pattern cannot be rewritten.
    struct Failure: Error {
        var reason: String
    }

    private let scalars: [Unicode.Scalar]
    /// UTF-8 offset of each scalar in the pattern, and of its end.
    private let sourceOffsets: [Int]
    private var index = 0
    private var isInClass = false
    private(set) var output = ""
    private(set) var groups: [(name: String, number: Int)] = []
    private(set) var captureCount = 0
    /// Where rewritten text starts and ends: (UTF-8 offset in the output, in the pattern).
    private var anchors: [(output: Int, source: Int)] = [(0, 0)]

    /// A rewriter for `pattern`; call `rewrite()` once.
    init(_ pattern: String) {
        self.scalars = Array(pattern.unicodeScalars)
        var offsets = [0]
        offsets.reserveCapacity(scalars.count + 1)
        for scalar in scalars { offsets.append(offsets[offsets.count - 1] + UTF8.width(scalar)) }
        self.sourceOffsets = offsets
    }

    /// Fills `output`, `groups` and `captureCount`.
    mutating func rewrite() throws(Failure) {
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "\\" {
                try copyEscape()
            } else if isInClass {
                copyInClass()
            } else if scalar == "[" {
                openClass()
            } else if scalar == "(" {
                try openGroup()
            } else {
                copy(1)
            }
        }
    }

    /// The UTF-8 offset in the pattern that an offset in `output` comes from (inside rewritten
    /// text: a position within what it replaced), for error messages.
    func sourceOffset(ofOutputOffset offset: Int) -> Int {
        let anchor = anchors.lastIndex { $0.output <= offset } ?? 0
        let source = anchors[anchor].source + (offset - anchors[anchor].output)
        return anchor + 1 < anchors.count ? min(source, anchors[anchor + 1].source) : source
    }

    private func peek(_ offset: Int) -> Unicode.Scalar? {
        index + offset < scalars.count ? scalars[index + offset] : nil
    }

    private mutating func copy(_ count: Int) {
        let end = min(index + count, scalars.count)
        output.unicodeScalars.append(contentsOf: scalars[index..<end])
        index = end
    }

    /// Copies through the first `terminator` (included), or to the end.
    private mutating func copy(through terminator: Unicode.Scalar) {
        var end = index
        while end < scalars.count && scalars[end] != terminator { end += 1 }
        copy(end + 1 - index)
    }

    /// Replaces the pattern from `index` up to `end` with `text`.
    private mutating func replace(upTo end: Int, with text: String) {
        anchors.append((output.utf8.count, sourceOffsets[index]))
        output += text
        index = end
        anchors.append((output.utf8.count, sourceOffsets[index]))
    }

    private mutating func openClass() {
        isInClass = true
        copy(1)
        if peek(0) == "^" { copy(1) }
        // A `]` first in the class is a plain character.
        if peek(0) == "]" { copy(1) }
    }

    private mutating func copyInClass() {
        let scalar = scalars[index]
        if scalar == "]" {
            isInClass = false
            copy(1)
        } else if scalar == "[", let kind = peek(1), kind == ":" || kind == "." || kind == "=" {
            // `[:alpha:]`: copied whole when it ends (`:]`) before the class does.
            var end = index + 2
            while end + 1 < scalars.count && scalars[end] != "]" && !(scalars[end] == kind && scalars[end + 1] == "]") {
                end += 1
            }
            copy(end + 1 < scalars.count && scalars[end] == kind ? end + 2 - index : 1)
        } else {
            copy(1)
        }
    }

    private mutating func copyEscape() throws(Failure) {
        let kind = peek(1)
        if kind == "Q" {
            var end = index + 2
            while end + 1 < scalars.count && !(scalars[end] == "\\" && scalars[end + 1] == "E") { end += 1 }
            copy(end + 2 - index)
        } else if kind == "c" {
            copy(3)  // `\c(` is a control character, not a group
        } else if !isInClass, kind == "k" || kind == "g", let open = peek(2), let close = Self.closing(open) {
            guard kind == "k" || !Self.isNumericReference(peek(3)) else { return copy(2) }
            let name = try readName(from: index + 3, until: close)
            let number = try groupNumber(name)
            // `\g<name>` and `\g'name'` call the group; the others refer back to what it matched.
            let isCall = kind == "g" && open != "{"
            replace(upTo: index + 3 + name.unicodeScalars.count + 1, with: isCall ? "(?\(number))" : "\\g{\(number)}")
        } else {
            copy(2)
        }
    }

    private mutating func openGroup() throws(Failure) {
        switch (peek(1), peek(2), peek(3)) {
        case ("*", let next?, _) where next == ":" || next.properties.isUppercase:
            copy(through: ")")  // a verb such as (*SKIP) or (*MARK:name)
        case ("*", _, _):
            copy(2)  // an alpha assertion such as (*atomic:...)
        case ("?", "#", _):
            copy(through: ")")
        case ("?", "<", let next) where next != "=" && next != "!":
            try name(from: index + 3)
        case ("?", "P", "<"):
            try name(from: index + 4)
        case ("?", "P", "="):
            try replaceReference(from: index + 4, until: ")") { "\\g{\($0)}" }
        case ("?", "P", ">"):
            try replaceReference(from: index + 4, until: ")") { "(?\($0))" }
        case ("?", "&", _):
            try replaceReference(from: index + 3, until: ")") { "(?\($0))" }
        case ("?", "(", _):
            try openCondition()
        case ("?", "'", _):
            throw Failure(reason: "write named groups as (?<name>...) or (?P<name>...)")
        case ("?", _, _):
            copy(1)
        default:
            captureCount += 1
            copy(1)
        }
    }

    /// A named group whose name starts at `start`: becomes `(`.
    private mutating func name(from start: Int) throws(Failure) {
        let name = try readName(from: start, until: ">")
        guard !groups.contains(where: { $0.name == name }) else {
            throw Failure(reason: "group name '\(name)' is used twice")
        }
        captureCount += 1
        groups.append((name, captureCount))
        replace(upTo: start + name.unicodeScalars.count + 1, with: "(")
    }

    /// A reference `(?P=name)` and the like: replaced by `text(number)`.
    private mutating func replaceReference(
        from start: Int,
        until terminator: Unicode.Scalar,
        _ text: (Int) -> String
    ) throws(Failure) {
        let name = try readName(from: start, until: terminator)
        let number = try groupNumber(name)
        replace(upTo: start + name.unicodeScalars.count + 1, with: text(number))
    }

    /// `(?(`: a condition on a named group is given its number; an assertion condition such as
    /// `(?(?=x)` is left to the main loop; others (`(?(1)`, `(?(R)`, `(?(DEFINE)`) are copied.
    private mutating func openCondition() throws(Failure) {
        let start = index + 3
        switch peek(3) {
        case "<", "'":
            let name = try readName(from: start + 1, until: peek(3) == "<" ? ">" : "'")
            let number = try groupNumber(name)
            guard start + 1 + name.unicodeScalars.count + 1 < scalars.count,
                scalars[start + 1 + name.unicodeScalars.count + 1] == ")"
            else { throw Failure(reason: "unterminated condition") }
            replace(upTo: start + name.unicodeScalars.count + 3, with: "(?(\(number))")
        case "?", "*":
            copy(2)
        default:
            var end = start
            while end < scalars.count && scalars[end] != ")" { end += 1 }
            let text = String(String.UnicodeScalarView(scalars[start..<min(end, scalars.count)]))
            if let group = groups.first(where: { $0.name == text }) {
                replace(upTo: end + 1, with: "(?(\(group.number))")
            } else if text.hasPrefix("R&") {
                let number = try groupNumber(String(text.dropFirst(2)))
                replace(upTo: end + 1, with: "(?(R\(number))")
            } else {
                copy(end + 1 - index)
            }
        }
    }

    /// Reads a group name from `start` up to `terminator` (not consumed).
    private func readName(from start: Int, until terminator: Unicode.Scalar) throws(Failure) -> String {
        var end = start
        while end < scalars.count && scalars[end] != terminator { end += 1 }
        guard end < scalars.count else { throw Failure(reason: "unterminated group name") }
        let name = String(String.UnicodeScalarView(scalars[start..<end]))
        guard Self.isValidName(name) else {
            throw Failure(reason: "group name '\(name)' must match [A-Za-z_][A-Za-z0-9_.]*")
        }
        return name
    }

    private func groupNumber(_ name: String) throws(Failure) -> Int {
        guard let group = groups.first(where: { $0.name == name }) else {
            throw Failure(reason: "reference to unknown group '\(name)' (a group must come before references to it)")
        }
        return group.number
    }

    /// The closing delimiter of a `\k` or `\g` reference opened by `open`.
    private static func closing(_ open: Unicode.Scalar) -> Unicode.Scalar? {
        switch open {
        case "<": ">"
        case "'": "'"
        case "{": "}"
        default: nil
        }
    }

    /// Whether a `\g` reference starting with `first` is by number (`\g{1}`, `\g<-1>`, `\g'+2'`).
    private static func isNumericReference(_ first: Unicode.Scalar?) -> Bool {
        guard let first else { return false }
        return first == "-" || first == "+" || ("0"..."9").contains(first)
    }

    private static func isValidName(_ name: String) -> Bool {
        func isLetter(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || byte == UInt8(ascii: "_")
        }
        guard let first = name.utf8.first, isLetter(first) else { return false }
        return name.utf8.allSatisfy {
            isLetter($0) || $0 == UInt8(ascii: ".") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
        }
    }
}
