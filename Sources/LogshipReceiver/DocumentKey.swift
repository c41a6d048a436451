import LogshipCore

/// A document id as the fast mode keeps it: a 128-bit fingerprint of its UTF-8 bytes, so that
/// remembering a million ids allocates nothing per id.
///
/// Two different ids with the same fingerprint would be taken for one (a false 409); for n ids
/// the odds are about n² / 2¹²⁹, nothing for a test or benchmark peer.
struct DocumentKey: Hashable, Sendable {
    private var high: UInt64
    private var low: UInt64

    /// The fingerprint of `bytes`: two independently seeded multiply-rotate lanes over 8-byte
    /// words, each finished with MurmurHash3's 64-bit mixer.
    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        var first: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
        var second: UInt64 = 0xC2B2_AE3D_27D4_EB4F &+ UInt64(bytes.count)
        var index = 0
        let raw = UnsafeRawBufferPointer(bytes)
        while index + 8 <= bytes.count {
            let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: index, as: UInt64.self))
            first = ((first ^ word) &* 0xFF51_AFD7_ED55_8CCD).rotatedLeft(by: 31)
            second = ((second &+ word) &* 0xC4CE_B9FE_1A85_EC53).rotatedLeft(by: 27) ^ first
            index += 8
        }
        let tail = ByteWords.tail(bytes, from: index)
        first = ((first ^ tail) &* 0xFF51_AFD7_ED55_8CCD).rotatedLeft(by: 31)
        second = ((second &+ tail) &* 0xC4CE_B9FE_1A85_EC53).rotatedLeft(by: 27) ^ first
        high = Self.mix(first)
        low = Self.mix(second &+ high)
    }

    private init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// A key no id is likely to have, for filling empty slots.
    static let zero = DocumentKey(high: 0, low: 0)

    /// Bits of the fingerprint for picking a hash table slot (already well mixed).
    var bucket: Int { Int(truncatingIfNeeded: low) }

    /// The fingerprint of `text`'s UTF-8 bytes.
    init(_ text: String) {
        var text = text
        self = text.withUTF8 { DocumentKey($0) }
    }

    private static func mix(_ value: UInt64) -> UInt64 {
        var value = value
        value ^= value >> 33
        value &*= 0xFF51_AFD7_ED55_8CCD
        value ^= value >> 33
        value &*= 0xC4CE_B9FE_1A85_EC53
        value ^= value >> 33
        return value
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(low)
    }
}

extension UInt64 {
    fileprivate func rotatedLeft(by count: UInt64) -> UInt64 { (self << count) | (self >> (64 - count)) }
}
