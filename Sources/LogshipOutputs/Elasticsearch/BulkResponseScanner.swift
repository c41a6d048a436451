/// A forward-only reader over the bytes of a `_bulk` response that finds what `BulkResponse`
/// needs without building a tree: keys are compared in place, values that are not needed are
/// stepped over, and only `status` integers and the strings of an `error` are decoded.
///
/// Every method returns `nil` (or `false`) when the bytes are not what it expects, including when
/// they end early; the caller then gives up on the whole body. Values that are stepped over are
/// checked only for balanced brackets and terminated strings (at most `maximumDepth` deep), so a
/// body that is malformed inside a skipped value may be accepted; everything that is read is
/// checked.
struct BulkResponseScanner: ~Copyable {
    /// The deepest nesting stepped over; deeper bodies are rejected.
    static let maximumDepth = 64

    private let bytes: UnsafeBufferPointer<UInt8>
    /// The next byte to read.
    private(set) var index = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// `true` when only whitespace is left.
    mutating func isAtEnd() -> Bool {
        skipWhitespace()
        return index == bytes.count
    }

    /// Consumes `byte` after optional whitespace; `false` (consuming nothing) when it is not next.
    mutating func consume(_ byte: UInt8) -> Bool {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    /// The next non-whitespace byte, not consumed; `nil` at the end.
    mutating func peek() -> UInt8? {
        skipWhitespace()
        return index < bytes.count ? bytes[index] : nil
    }

    /// Reads an object key and its colon; returns the key's raw bytes (escapes undecoded, which is
    /// enough to compare with the plain ASCII keys of a response).
    mutating func readKey() -> UnsafeBufferPointer<UInt8>? {
        guard peek() == UInt8(ascii: "\"") else { return nil }
        let start = index + 1
        guard skipString() else { return nil }
        let key = UnsafeBufferPointer(rebasing: bytes[start..<(index - 1)])
        return consume(UInt8(ascii: ":")) ? key : nil
    }

    /// After a member of an object: `true` when another member follows (its comma consumed),
    /// `false` when the object ended (its `}` consumed), `nil` for anything else.
    mutating func nextMember() -> Bool? {
        if consume(UInt8(ascii: ",")) { return true }
        if consume(UInt8(ascii: "}")) { return false }
        return nil
    }

    /// After an element of an array: like `nextMember()`, for `]`.
    mutating func nextElement() -> Bool? {
        if consume(UInt8(ascii: ",")) { return true }
        if consume(UInt8(ascii: "]")) { return false }
        return nil
    }

    /// Reads `true` or `false`.
    mutating func readBool() -> Bool? {
        if consumeLiteral("true") { return true }
        if consumeLiteral("false") { return false }
        return nil
    }

    /// Reads a non-negative integer of at most 9 digits (a status code).
    mutating func readStatus() -> Int? {
        skipWhitespace()
        var value = 0
        let start = index
        while index < bytes.count, index - start < 10, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
            value = value * 10 + Int(bytes[index] - UInt8(ascii: "0"))
            index += 1
        }
        guard index > start, index - start < 10 else { return nil }
        return isValueEnd() ? value : nil
    }

    /// Reads a string and decodes its escapes (`\uXXXX` with surrogate pairs; an unpaired
    /// surrogate becomes U+FFFD, and so does invalid UTF-8). A raw control character is an error.
    mutating func readString() -> String? {
        guard peek() == UInt8(ascii: "\"") else { return nil }
        index += 1
        var decoded: [UInt8] = []
        var runStart = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                decoded.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                index += 1
                return String(decoding: decoded, as: UTF8.self)
            } else if byte == UInt8(ascii: "\\") {
                decoded.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                guard decodeEscape(into: &decoded) else { return nil }
                runStart = index
            } else if byte < 0x20 {
                return nil
            } else {
                index += 1
            }
        }
        return nil
    }

    /// Steps over one value of any kind and returns its bytes.
    mutating func skipValue() -> UnsafeBufferPointer<UInt8>? {
        guard let first = peek() else { return nil }
        let start = index
        switch first {
        case UInt8(ascii: "\""):
            guard skipString() else { return nil }
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            guard skipContainer() else { return nil }
        default:
            // A number or a literal: up to the next delimiter.
            while index < bytes.count, !isDelimiter(bytes[index]) { index += 1 }
            guard index > start else { return nil }
        }
        return UnsafeBufferPointer(rebasing: bytes[start..<index])
    }

    // MARK: Private

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): index += 1
            default: return
            }
        }
    }

    private func isDelimiter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), UInt8(ascii: " "), UInt8(ascii: "\n"),
            UInt8(ascii: "\r"), UInt8(ascii: "\t"):
            return true
        default:
            return false
        }
    }

    /// `true` when the value just read is followed by a delimiter or the end.
    private func isValueEnd() -> Bool {
        index == bytes.count || isDelimiter(bytes[index])
    }

    private mutating func consumeLiteral(_ literal: StaticString) -> Bool {
        skipWhitespace()
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        for offset in 0..<count where bytes[index + offset] != literal.utf8Start[offset] { return false }
        index += count
        guard isValueEnd() else {
            index -= count
            return false
        }
        return true
    }

    /// Steps over a string; `index` is at its opening quote.
    private mutating func skipString() -> Bool {
        index += 1
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\""):
                index += 1
                return true
            case UInt8(ascii: "\\"):
                index += 2
            default:
                index += 1
            }
        }
        return false
    }

    /// Steps over an object or array; `index` is at its opening bracket. Tracks which kind of
    /// container each level is in a bit set, so that `{"a":[}` is rejected.
    private mutating func skipContainer() -> Bool {
        var depth = 0
        var arrays: UInt64 = 0  // bit d set: level d is an array
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                guard skipString() else { return false }
                continue
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                guard depth < Self.maximumDepth else { return false }
                if byte == UInt8(ascii: "[") { arrays |= 1 << depth } else { arrays &= ~(1 << depth) }
                depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                guard depth > 0, (arrays >> (depth - 1)) & 1 == (byte == UInt8(ascii: "]") ? 1 : 0) else {
                    return false
                }
                depth -= 1
                if depth == 0 {
                    index += 1
                    return true
                }
            default:
                break
            }
            index += 1
        }
        return false
    }

    /// Decodes one escape sequence into `decoded`; `index` is at the backslash.
    private mutating func decodeEscape(into decoded: inout [UInt8]) -> Bool {
        guard index + 1 < bytes.count else { return false }
        let escaped = bytes[index + 1]
        index += 2
        switch escaped {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): decoded.append(escaped)
        case UInt8(ascii: "b"): decoded.append(0x08)
        case UInt8(ascii: "f"): decoded.append(0x0C)
        case UInt8(ascii: "n"): decoded.append(0x0A)
        case UInt8(ascii: "r"): decoded.append(0x0D)
        case UInt8(ascii: "t"): decoded.append(0x09)
        case UInt8(ascii: "u"):
            guard let unit = hexQuad() else { return false }
            var scalar = Unicode.Scalar(unit) ?? "\u{FFFD}"
            if (0xD800...0xDBFF).contains(unit), index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"),
                bytes[index + 1] == UInt8(ascii: "u")
            {
                let saved = index
                index += 2
                if let low = hexQuad(), (0xDC00...0xDFFF).contains(low) {
                    let value = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
                    scalar = Unicode.Scalar(value) ?? "\u{FFFD}"
                } else {
                    index = saved
                }
            }
            UTF8.encode(scalar) { decoded.append($0) }
        default:
            return false
        }
        return true
    }

    /// Reads four hex digits at `index`.
    private mutating func hexQuad() -> UInt16? {
        guard index + 4 <= bytes.count else { return nil }
        var value: UInt16 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt16(digit)
            index += 1
        }
        return value
    }
}
