/// Eight bytes at a time over JSON string contents: where the first byte that ends a plain run
/// is (a quote, a backslash, a control character, and for validation a non-ASCII byte).
///
/// Written by hand (SWAR: SIMD within a 64-bit register) because the byte-at-a-time loops were
/// 3-4% of `logship bench`'s CPU between them. The zero-byte checks may flag a byte above a real
/// one (a borrow), never below it and never miss one, so the lowest flagged byte is exact.
package enum JSONByteScan {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highBits: UInt64 = 0x8080_8080_8080_8080

    /// The position (0-7) of the first byte of `word`, in memory order, that is a quote, a
    /// backslash, below 0x20 or above 0x7F; 8 when there is none. Exact: a borrow that flags a
    /// byte wrongly comes from a lower byte that is flagged rightly, so the lowest flagged byte is
    /// always a real one. Callers jump straight to it instead of looking at a flagged word byte
    /// by byte.
    @inline(__always)
    package static func firstRunEnd(_ word: UInt64) -> Int {
        ((escapeFlags(word) | word) & highBits).trailingZeroBitCount >> 3
    }

    /// The position (0-7) of the first byte of `word` that is a quote, a backslash or below
    /// 0x20 (one that JSON escapes); 8 when there is none. Exact, as `firstRunEnd`.
    @inline(__always)
    package static func firstNeedingEscape(_ word: UInt64) -> Int {
        (escapeFlags(word) & highBits).trailingZeroBitCount >> 3
    }

    /// The high bit of each byte of `word` that is a quote, a backslash or below 0x20 (and maybe
    /// of bytes above one of those: see the type's documentation).
    @inline(__always)
    private static func escapeFlags(_ word: UInt64) -> UInt64 {
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let control = (word &- ones &* 0x20) & ~word
        let quoteZero = (quote &- ones) & ~quote
        let backslashZero = (backslash &- ones) & ~backslash
        return control | quoteZero | backslashZero
    }

    /// The eight bytes at `offset` of `bytes` (which must have them), in memory order.
    @inline(__always)
    package static func word(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int) -> UInt64 {
        UInt64(littleEndian: UnsafeRawPointer(bytes.baseAddress! + offset).loadUnaligned(as: UInt64.self))
    }
}
