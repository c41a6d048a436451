/// UTF-8 validation over bytes, without decoding into a `String`.
package enum UTF8Validation {
    /// The length of the well-formed multi-byte scalar that starts at `index` (2 to 4), or `nil`
    /// when the bytes there are not one: a stray continuation byte, an overlong form, an encoded
    /// surrogate, a value above U+10FFFF, or a sequence cut short by the end of `bytes`.
    @inlinable
    package static func multiByteScalarLength(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Int? {
        let lead = bytes[index]
        let length: Int
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0:
            length = 3
            low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED:
            length = 3
            high = 0x9F
        case 0xF0:
            length = 4
            low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4:
            length = 4
            high = 0x8F
        default: return nil
        }
        guard index + length <= bytes.count else { return nil }
        let second = bytes[index + 1]
        guard second >= low && second <= high else { return nil }
        var offset = 2
        while offset < length {
            guard bytes[index + offset] & 0xC0 == 0x80 else { return nil }
            offset += 1
        }
        return length
    }

    /// Whether every byte is below 0x80. Reads eight bytes at a time.
    @inlinable
    package static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let count = bytes.count
        var index = 0
        var combined: UInt64 = 0
        let raw = UnsafeRawPointer(base)
        while index + 8 <= count {
            combined |= raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            index += 8
        }
        while index < count {
            combined |= UInt64(base[index])
            index += 1
        }
        return combined & 0x8080_8080_8080_8080 == 0
    }

    /// Whether `bytes` are well-formed UTF-8.
    package static func isValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        if isASCII(bytes) { return true }
        var index = 0
        while index < bytes.count {
            if bytes[index] < 0x80 {
                index += 1
            } else if let length = multiByteScalarLength(bytes, at: index) {
                index += length
            } else {
                return false
            }
        }
        return true
    }
}
