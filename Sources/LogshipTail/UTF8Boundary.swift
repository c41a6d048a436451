/// Cutting UTF-8 text without splitting a character.
enum UTF8Boundary {
    /// The first `maximumBytes` bytes of `bytes` (all of them if shorter), minus a multi-byte sequence
    /// left incomplete at the end. For text that was cut: a sequence that ends the buffer incomplete
    /// is assumed to continue in the dropped bytes. Invalid bytes elsewhere are left alone (they are
    /// replaced when decoded).
    static func prefix(_ bytes: UnsafeBufferPointer<UInt8>, maximumBytes: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: bytes[0..<cutIndex(bytes, maximumBytes: maximumBytes)])
    }

    /// The number of bytes to keep: at most `maximumBytes`, ending on a character boundary.
    static func cutIndex(_ bytes: some Collection<UInt8>, maximumBytes: Int) -> Int {
        let length = min(bytes.count, max(0, maximumBytes))
        guard length > 0 else { return 0 }
        let start = bytes.startIndex
        var index = length - 1
        let lowest = max(0, length - 4)
        while index >= lowest {
            let byte = bytes[bytes.index(start, offsetBy: index)]
            if byte & 0xC0 != 0x80 {
                let sequenceLength: Int
                switch byte {
                case 0xC0...0xDF: sequenceLength = 2
                case 0xE0...0xEF: sequenceLength = 3
                case 0xF0...0xF7: sequenceLength = 4
                default: sequenceLength = 1
                }
                return index + sequenceLength > length ? index : length
            }
            index -= 1
        }
        return length
    }
}
