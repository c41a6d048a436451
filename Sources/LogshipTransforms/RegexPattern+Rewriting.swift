/// Rewrites named groups of a pattern into plain numbered groups, for `RegexPattern`.
///
/// `(?<name>` and `(?P<name>` become `(`; `\k<name>` and `(?P=name)` become `(?:\N)`. Escapes,
/// `\Q...\E` quotes and (nested) character classes are copied as they are and their parentheses
/// not counted; `(?:`, `(?=`, `(?!`, `(?<=`, `(?<!`, `(?>`, `(?i)` and the like open no
/// capture group. Runs once, when the transform is built.
struct PatternRewriter {
    /// Why a pattern cannot be rewritten.
    struct Failure: Error {
        var reason: String
    }

    private let characters: [Character]
    private var index = 0
    private var classDepth = 0
    private(set) var output = ""
    private(set) var groups: [(name: String, number: Int)] = []
    private(set) var captureCount = 0

    /// A rewriter for `pattern`; call `rewrite()` once.
    init(_ pattern: String) {
        self.characters = Array(pattern)
    }

    /// Fills `output`, `groups` and `captureCount`.
    mutating func rewrite() throws(Failure) {
        while index < characters.count {
            let character = characters[index]
            if character == "\\" {
                try copyEscape()
            } else if classDepth > 0 {
                if character == "[" {
                    classDepth += 1
                } else if character == "]" && !isFirstInClass(index) {
                    classDepth -= 1
                }
                copy(1)
            } else if character == "[" {
                classDepth = 1
                copy(1)
            } else if character == "(" {
                try openGroup()
            } else {
                copy(1)
            }
        }
    }

    private func peek(_ offset: Int) -> Character? {
        index + offset < characters.count ? characters[index + offset] : nil
    }

    private mutating func copy(_ count: Int) {
        let end = min(index + count, characters.count)
        output.append(contentsOf: characters[index..<end])
        index = end
    }

    /// Whether the `]` at `position` directly follows `[` or `[^`, where it is a literal.
    private func isFirstInClass(_ position: Int) -> Bool {
        guard position >= 1 else { return false }
        if characters[position - 1] == "[" { return true }
        return position >= 2 && characters[position - 1] == "^" && characters[position - 2] == "["
    }

    private mutating func copyEscape() throws(Failure) {
        if peek(1) == "Q" {
            var end = index + 2
            while end + 1 < characters.count && !(characters[end] == "\\" && characters[end + 1] == "E") { end += 1 }
            copy(end + 2 - index)
        } else if classDepth == 0 && peek(1) == "k" && peek(2) == "<" {
            let name = try readName(from: index + 3, until: ">")
            output += try backreference(to: name)
        } else {
            copy(2)
        }
    }

    private mutating func openGroup() throws(Failure) {
        guard peek(1) == "?" else {
            captureCount += 1
            copy(1)
            return
        }
        let isPythonNamed = peek(2) == "P" && peek(3) == "<"
        let isNamed = peek(2) == "<" && peek(3) != "=" && peek(3) != "!"
        if isPythonNamed || isNamed {
            let name = try readName(from: index + (isPythonNamed ? 4 : 3), until: ">")
            guard !groups.contains(where: { $0.name == name }) else {
                throw Failure(reason: "group name '\(name)' is used twice")
            }
            captureCount += 1
            groups.append((name, captureCount))
            output.append("(")
        } else if peek(2) == "P" && peek(3) == "=" {
            let name = try readName(from: index + 4, until: ")")
            output += try backreference(to: name)
        } else if peek(2) == "'" {
            throw Failure(reason: "write named groups as (?<name>...) or (?P<name>...)")
        } else {
            copy(1)
        }
    }

    /// Reads a group name from `start` up to `terminator` and moves past the terminator.
    private mutating func readName(from start: Int, until terminator: Character) throws(Failure) -> String {
        var end = start
        while end < characters.count && characters[end] != terminator { end += 1 }
        guard end < characters.count else { throw Failure(reason: "unterminated group name") }
        let name = String(characters[start..<end])
        guard Self.isValidName(name) else {
            throw Failure(reason: "group name '\(name)' must match [A-Za-z_][A-Za-z0-9_.]*")
        }
        index = end + 1
        return name
    }

    private func backreference(to name: String) throws(Failure) -> String {
        guard let group = groups.first(where: { $0.name == name }) else {
            throw Failure(reason: "backreference to unknown group '\(name)'")
        }
        return "(?:\\\(group.number))"
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
