/// Bytes read as 64-bit words, for hashes that take eight bytes a step.
@usableFromInline package enum ByteWords {
    /// The bytes of `bytes` from `index` to its end (fewer than eight) as one little-endian word,
    /// the missing high bytes zero.
    @inlinable @inline(__always)
    package static func tail(_ bytes: UnsafeBufferPointer<UInt8>, from index: Int) -> UInt64 {
        var word: UInt64 = 0
        var shift: UInt64 = 0
        for offset in index..<bytes.count {
            word |= UInt64(bytes[offset]) << shift
            shift += 8
        }
        return word
    }
}
