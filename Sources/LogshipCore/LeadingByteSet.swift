/// The bytes a match of an anchored `RegularExpression` can start with, as 256 bits: a subject
/// that is empty or starts with another byte cannot match, and is turned away without calling
/// PCRE2.
struct LeadingByteSet: Sendable {
    private var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    /// The set of PCRE2's start bitmap (`PCRE2_INFO_FIRSTBITMAP`): 32 bytes, byte `b` being bit
    /// `b % 8` of byte `b / 8`.
    init(bitmap: UnsafePointer<UInt8>) {
        for byte in 0...255 where bitmap[byte >> 3] & (1 << (byte & 7)) != 0 {
            insert(UInt8(byte))
        }
    }

    /// The set holding only `byte`.
    init(byte: UInt8) {
        insert(byte)
    }

    /// Whether a match can start with `byte`.
    @inline(__always)
    func contains(_ byte: UInt8) -> Bool {
        let bit = UInt64(1) << (byte & 63)
        switch byte >> 6 {
        case 0: return words.0 & bit != 0
        case 1: return words.1 & bit != 0
        case 2: return words.2 & bit != 0
        default: return words.3 & bit != 0
        }
    }

    private mutating func insert(_ byte: UInt8) {
        let bit = UInt64(1) << (byte & 63)
        switch byte >> 6 {
        case 0: words.0 |= bit
        case 1: words.1 |= bit
        case 2: words.2 |= bit
        default: words.3 |= bit
        }
    }
}
