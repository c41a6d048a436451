/// A validating JSON scanner over bytes that builds no tree: it checks syntax, skips values and
/// hands out the byte ranges of strings.
///
/// Strict like Core's `JSONParser` (RFC 8259): no comments, trailing commas, leading zeros,
/// `NaN`, unescaped control characters or unknown escapes; strings must be valid UTF-8 (no
/// overlong forms, no encoded surrogates); arrays and objects nest at most `maximumDepth` levels.
/// With `rejectsDuplicateKeys`, an object naming a key twice (compared after unescaping) is an
/// error, as Elasticsearch 8's parser makes it.
struct JSONScanner {
    /// Why scanning stopped.
    enum Failure: Error, Equatable {
        /// Not JSON (or not what the caller asked for) at `offset`.
        case syntax(offset: Int)
        /// The object at hand names `key` twice; `offset` is just past its second occurrence.
        case duplicateKey(String, offset: Int)
        /// Nested deeper than `maximumDepth`.
        case tooDeep(offset: Int)
    }

    /// A string's content: the bytes between its quotes, and whether they hold escapes.
    struct StringToken {
        var range: Range<Int>
        var hasEscapes: Bool
    }

    /// The deepest nesting of arrays and objects accepted: 64, as Core's parser.
    static let maximumDepth = 64

    let bytes: UnsafeBufferPointer<UInt8>
    /// The next byte to read.
    var position: Int
    /// Whether an object naming a key twice is an error.
    var rejectsDuplicateKeys = false

    init(_ bytes: UnsafeBufferPointer<UInt8>, position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    /// The byte at `position`, or nil at the end.
    var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    var isAtEnd: Bool { position >= bytes.count }

    /// Skips spaces, tabs, carriage returns and line feeds.
    mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    /// Consumes `byte` after optional whitespace, or fails.
    mutating func expect(_ byte: UInt8) throws(Failure) {
        skipWhitespace()
        guard current == byte else { throw .syntax(offset: position) }
        position += 1
    }

    /// Consumes `byte` after optional whitespace when it is next; returns whether it was.
    mutating func consume(_ byte: UInt8) -> Bool {
        skipWhitespace()
        guard current == byte else { return false }
        position += 1
        return true
    }

    /// Validates and skips one value of any kind.
    mutating func skipValue(depth: Int = 0) throws(Failure) {
        skipWhitespace()
        guard let byte = current else { throw .syntax(offset: position) }
        switch byte {
        case UInt8(ascii: "{"): try skipObject(depth: depth + 1)
        case UInt8(ascii: "["): try skipArray(depth: depth + 1)
        case UInt8(ascii: "\""): _ = try readString()
        case UInt8(ascii: "t"): try skipLiteral("true")
        case UInt8(ascii: "f"): try skipLiteral("false")
        case UInt8(ascii: "n"): try skipLiteral("null")
        default: _ = try readNumber()
        }
    }

    private mutating func skipObject(depth: Int) throws(Failure) {
        guard depth <= Self.maximumDepth else { throw .tooDeep(offset: position) }
        position += 1
        if consume(UInt8(ascii: "}")) { return }
        var keys: [[UInt8]] = []
        var keySet: Set<[UInt8]> = []
        repeat {
            skipWhitespace()
            guard current == UInt8(ascii: "\"") else { throw .syntax(offset: position) }
            let key = try readString()
            if rejectsDuplicateKeys {
                let name = unescaped(key)
                // Linear for the usual small object, hashed beyond.
                let seen = keys.count < 16 ? keys.contains(name) : keySet.contains(name)
                if seen { throw .duplicateKey(String(decoding: name, as: UTF8.self), offset: position) }
                if keys.count < 16 {
                    keys.append(name)
                    if keys.count == 16 { keySet = Set(keys) }
                } else {
                    keySet.insert(name)
                }
            }
            try expect(UInt8(ascii: ":"))
            try skipValue(depth: depth)
        } while consume(UInt8(ascii: ","))
        try expect(UInt8(ascii: "}"))
    }

    private mutating func skipArray(depth: Int) throws(Failure) {
        guard depth <= Self.maximumDepth else { throw .tooDeep(offset: position) }
        position += 1
        if consume(UInt8(ascii: "]")) { return }
        repeat {
            try skipValue(depth: depth)
        } while consume(UInt8(ascii: ","))
        try expect(UInt8(ascii: "]"))
    }

    private mutating func skipLiteral(_ literal: StaticString) throws(Failure) {
        let count = literal.utf8CodeUnitCount
        guard position + count <= bytes.count else { throw .syntax(offset: position) }
        let start = literal.utf8Start
        for index in 0..<count where bytes[position + index] != start[index] {
            throw .syntax(offset: position + index)
        }
        position += count
    }

    /// Reads a number (`-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`) and returns its bytes.
    mutating func readNumber() throws(Failure) -> Range<Int> {
        let start = position
        if current == UInt8(ascii: "-") { position += 1 }
        guard let first = current, isDigit(first) else { throw .syntax(offset: position) }
        position += 1
        if first != UInt8(ascii: "0") { skipDigits() }
        if current == UInt8(ascii: ".") {
            position += 1
            guard let digit = current, isDigit(digit) else { throw .syntax(offset: position) }
            skipDigits()
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            position += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
            guard let digit = current, isDigit(digit) else { throw .syntax(offset: position) }
            skipDigits()
        }
        return start..<position
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private mutating func skipDigits() {
        while let byte = current, isDigit(byte) { position += 1 }
    }

    /// Reads a string starting at its opening quote; returns the range between the quotes.
    mutating func readString() throws(Failure) -> StringToken {
        position += 1
        let start = position
        var hasEscapes = false
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                let token = StringToken(range: start..<position, hasEscapes: hasEscapes)
                position += 1
                return token
            }
            if byte == UInt8(ascii: "\\") {
                hasEscapes = true
                try skipEscape()
            } else if byte < 0x20 {
                throw .syntax(offset: position)
            } else if byte < 0x80 {
                position += 1
            } else {
                try skipUTF8Sequence()
            }
        }
        throw .syntax(offset: position)
    }

    private mutating func skipEscape() throws(Failure) {
        guard position + 1 < bytes.count else { throw .syntax(offset: position) }
        switch bytes[position + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
            UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            position += 2
        case UInt8(ascii: "u"):
            guard position + 6 <= bytes.count else { throw .syntax(offset: position) }
            for index in position + 2..<position + 6 where hexValue(bytes[index]) == nil {
                throw .syntax(offset: index)
            }
            position += 6
        default:
            throw .syntax(offset: position + 1)
        }
    }

    /// Checks one multi-byte UTF-8 sequence (RFC 3629: no overlong forms, no surrogates, at most
    /// U+10FFFF) and skips it.
    private mutating func skipUTF8Sequence() throws(Failure) {
        let lead = bytes[position]
        let length: Int
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: (length, low) = (3, 0xA0)
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: (length, high) = (3, 0x9F)
        case 0xF0: (length, low) = (4, 0x90)
        case 0xF1...0xF3: length = 4
        case 0xF4: (length, high) = (4, 0x8F)
        default: throw .syntax(offset: position)
        }
        guard position + length <= bytes.count else { throw .syntax(offset: position) }
        let second = bytes[position + 1]
        guard second >= low && second <= high else { throw .syntax(offset: position + 1) }
        for index in position + 2..<position + length where bytes[index] & 0xC0 != 0x80 {
            throw .syntax(offset: index)
        }
        position += length
    }

    private func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    /// The UTF-8 bytes a scanned string stands for: escapes decoded, a lone surrogate as U+FFFD.
    func unescaped(_ token: StringToken) -> [UInt8] {
        let raw = UnsafeBufferPointer(rebasing: bytes[token.range])
        guard token.hasEscapes else { return Array(raw) }
        var result: [UInt8] = []
        result.reserveCapacity(raw.count)
        var index = 0
        var pendingHighSurrogate: UInt32?
        func append(scalar value: UInt32) {
            let scalar = Unicode.Scalar(value) ?? "\u{FFFD}"
            result.append(contentsOf: Array(String(Character(scalar)).utf8))
        }
        while index < raw.count {
            let byte = raw[index]
            guard byte == UInt8(ascii: "\\") else {
                if let high = pendingHighSurrogate {
                    append(scalar: high)
                    pendingHighSurrogate = nil
                }
                result.append(byte)
                index += 1
                continue
            }
            let escape = raw[index + 1]
            if escape == UInt8(ascii: "u") {
                var value: UInt32 = 0
                for offset in 2..<6 { value = value << 4 | (hexValue(raw[index + offset]) ?? 0) }
                index += 6
                if let high = pendingHighSurrogate {
                    pendingHighSurrogate = nil
                    if (0xDC00...0xDFFF).contains(value) {
                        append(scalar: 0x10000 + ((high - 0xD800) << 10) + (value - 0xDC00))
                        continue
                    }
                    append(scalar: 0xFFFD)
                }
                if (0xD800...0xDBFF).contains(value) {
                    pendingHighSurrogate = value
                } else {
                    append(scalar: value)
                }
                continue
            }
            if pendingHighSurrogate != nil {
                append(scalar: 0xFFFD)
                pendingHighSurrogate = nil
            }
            switch escape {
            case UInt8(ascii: "b"): result.append(0x08)
            case UInt8(ascii: "f"): result.append(0x0C)
            case UInt8(ascii: "n"): result.append(0x0A)
            case UInt8(ascii: "r"): result.append(0x0D)
            case UInt8(ascii: "t"): result.append(0x09)
            default: result.append(escape)
            }
            index += 2
        }
        if pendingHighSurrogate != nil { append(scalar: 0xFFFD) }
        return result
    }
}
