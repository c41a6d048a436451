extension JSONReader {
    /// Parses a string; `index` is at its opening quote. Strings without escapes are decoded
    /// straight from the buffer; strings with escapes go through `scratch`.
    mutating func parseString() throws(JSONParseError) -> String {
        index += 1
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                index += 1
                return text
            } else if byte == UInt8(ascii: "\\") {
                scratch.removeAll(keepingCapacity: true)
                scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index]))
                return try parseEscapedRemainder()
            } else if byte < 0x20 {
                throw failure(.controlCharacter)
            } else if byte < 0x80 {
                index += 1
            } else {
                try skipMultiByteScalar()
            }
        }
        throw failure(.unexpectedEnd)
    }

    /// Continues a string after its first backslash, collecting bytes in `scratch`.
    private mutating func parseEscapedRemainder() throws(JSONParseError) -> String {
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return String(decoding: scratch, as: UTF8.self)
            } else if byte == UInt8(ascii: "\\") {
                try parseEscape()
            } else if byte < 0x20 {
                throw failure(.controlCharacter)
            } else if byte < 0x80 {
                scratch.append(byte)
                index += 1
            } else {
                let start = index
                try skipMultiByteScalar()
                scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index]))
            }
        }
        throw failure(.unexpectedEnd)
    }

    /// Decodes one escape sequence; `index` is at the backslash.
    private mutating func parseEscape() throws(JSONParseError) {
        guard index + 1 < bytes.count else {
            index = bytes.count
            throw failure(.unexpectedEnd)
        }
        let escaped = bytes[index + 1]
        switch escaped {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scratch.append(escaped)
        case UInt8(ascii: "b"): scratch.append(0x08)
        case UInt8(ascii: "f"): scratch.append(0x0C)
        case UInt8(ascii: "n"): scratch.append(0x0A)
        case UInt8(ascii: "r"): scratch.append(0x0D)
        case UInt8(ascii: "t"): scratch.append(0x09)
        case UInt8(ascii: "u"):
            try parseUnicodeEscape()
            return
        default: throw failure(.invalidEscape)
        }
        index += 2
    }

    /// Decodes `\uXXXX`, combining a high surrogate with a following `\uXXXX` low surrogate.
    /// A surrogate without its partner becomes U+FFFD; the next escape is then left alone.
    private mutating func parseUnicodeEscape() throws(JSONParseError) {
        let unit = try hexQuad(at: index + 2)
        index += 6
        var scalar: Unicode.Scalar
        switch unit {
        case 0xD800...0xDBFF:
            if index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") {
                let low = try hexQuad(at: index + 2)
                if (0xDC00...0xDFFF).contains(low) {
                    index += 6
                    let value = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
                    scalar = Unicode.Scalar(value) ?? "\u{FFFD}"
                } else {
                    scalar = "\u{FFFD}"
                }
            } else {
                scalar = "\u{FFFD}"
            }
        case 0xDC00...0xDFFF:
            scalar = "\u{FFFD}"
        default:
            scalar = Unicode.Scalar(unit) ?? "\u{FFFD}"
        }
        appendUTF8(scalar.value)
    }

    /// Appends the UTF-8 encoding of a scalar value (at most U+10FFFF, not a surrogate).
    private mutating func appendUTF8(_ value: UInt32) {
        switch value {
        case 0..<0x80:
            scratch.append(UInt8(value))
        case 0x80..<0x800:
            scratch.append(UInt8(0xC0 | value >> 6))
            scratch.append(UInt8(0x80 | value & 0x3F))
        case 0x800..<0x10000:
            scratch.append(UInt8(0xE0 | value >> 12))
            scratch.append(UInt8(0x80 | value >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | value & 0x3F))
        default:
            scratch.append(UInt8(0xF0 | value >> 18))
            scratch.append(UInt8(0x80 | value >> 12 & 0x3F))
            scratch.append(UInt8(0x80 | value >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | value & 0x3F))
        }
    }

    private func hexQuad(at position: Int) throws(JSONParseError) -> UInt16 {
        guard position + 4 <= bytes.count else {
            throw JSONParseError(offset: bytes.count, reason: .unexpectedEnd)
        }
        var value: UInt16 = 0
        for offset in 0..<4 {
            let byte = bytes[position + offset]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw JSONParseError(offset: position + offset, reason: .invalidEscape)
            }
            value = value << 4 | UInt16(digit)
        }
        return value
    }

    /// Steps over one multi-byte UTF-8 scalar starting at `index`, rejecting stray continuation
    /// bytes, overlong forms, encoded surrogates and values above U+10FFFF.
    private mutating func skipMultiByteScalar() throws(JSONParseError) {
        guard let length = UTF8Validation.multiByteScalarLength(bytes, at: index) else { throw failure(.invalidUTF8) }
        index += length
    }
}
