/// Writes JSON text into memory reserved beforehand, without a capacity or uniqueness check per
/// byte as `Array.append` makes.
///
/// The encoder appends a few hundred bytes per document in dozens of small pieces; as `append`
/// calls on a `[UInt8]` they took about half of its time. Now a caller works out an upper bound
/// (`EventBatch.jsonBound`, `JSONWriter.escapedBound`), reserves it once with
/// `[UInt8].appendJSON(atMost:_:)`, and writes through this. Every write still checks the bound:
/// a wrong bound stops the process instead of writing past the memory.
package struct JSONWriter {
    private let buffer: UnsafeMutableBufferPointer<UInt8>
    /// Bytes written (or initialised before), from the start of the buffer.
    package private(set) var count: Int

    package init(_ buffer: UnsafeMutableBufferPointer<UInt8>, count: Int) {
        self.buffer = buffer
        self.count = count
    }

    /// The most bytes `escaped` writes for `count` bytes of text (`\u00XX` for a control byte).
    @inline(__always)
    package static func escapedBound(_ count: Int) -> Int { count * 6 }

    @inline(__always)
    package mutating func write(_ byte: UInt8) {
        precondition(count < buffer.count, "JSONWriter: bound too small")
        buffer[count] = byte
        count += 1
    }

    @inline(__always)
    package mutating func write(_ first: UInt8, _ second: UInt8) {
        precondition(count + 2 <= buffer.count, "JSONWriter: bound too small")
        buffer[count] = first
        buffer[count + 1] = second
        count += 2
    }

    package mutating func write(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        precondition(count + bytes.count <= buffer.count, "JSONWriter: bound too small")
        (buffer.baseAddress! + count).update(from: source, count: bytes.count)
        count += bytes.count
    }

    package mutating func write(_ text: StaticString) {
        write(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// `utf8` (valid UTF-8) escaped for the inside of a JSON string, without quotes: `"` and `\`
    /// escaped, control characters as `\n`, `\t`, `\r` or `\u00XX`. Runs that need no escape are
    /// copied whole, found eight bytes at a time.
    package mutating func writeEscaped(_ utf8: UnsafeBufferPointer<UInt8>) {
        writeEscaped(utf8, readableAfter: 0)
    }

    /// `writeEscaped(_:)` for text followed in memory by at least `readableAfter` bytes that may
    /// be read (the rest of the buffer it lies in): with 7 or more, the last few bytes are
    /// checked as one word too instead of one at a time, which is most of the work for short keys
    /// and values.
    package mutating func writeEscaped(_ utf8: UnsafeBufferPointer<UInt8>, readableAfter: Int) {
        var runStart = 0
        var index = 0
        while index < utf8.count {
            if index + 8 <= utf8.count {
                // Straight to the first byte to escape in the next eight (exact, see
                // `JSONByteScan.firstNeedingEscape`).
                let clean = JSONByteScan.firstNeedingEscape(JSONByteScan.word(utf8, at: index))
                index += clean
                if clean == 8 { continue }
            } else if readableAfter >= 7 {
                // The last 1-7 bytes and some after them: the first byte to escape is found
                // exactly, so one past the text means none in it.
                let clean = JSONByteScan.firstNeedingEscape(
                    UnsafeRawPointer(utf8.baseAddress! + index).loadUnaligned(as: UInt64.self)
                )
                if index + clean >= utf8.count { break }
                index += clean
            }
            let byte = utf8[index]
            index += 1
            guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
            if runStart < index - 1 { write(UnsafeBufferPointer(rebasing: utf8[runStart..<(index - 1)])) }
            runStart = index
            switch byte {
            case UInt8(ascii: "\""): write(UInt8(ascii: "\\"), UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): write(UInt8(ascii: "\\"), UInt8(ascii: "\\"))
            case UInt8(ascii: "\n"): write(UInt8(ascii: "\\"), UInt8(ascii: "n"))
            case UInt8(ascii: "\r"): write(UInt8(ascii: "\\"), UInt8(ascii: "r"))
            case UInt8(ascii: "\t"): write(UInt8(ascii: "\\"), UInt8(ascii: "t"))
            default:
                write(#"\u00"#)
                write(Self.hexDigit(byte >> 4), Self.hexDigit(byte & 0xF))
            }
        }
        if runStart < utf8.count { write(UnsafeBufferPointer(rebasing: utf8[runStart...])) }
    }

    /// The JSON array of the strings in `joined`, each of them valid UTF-8 followed by 0xFF (a
    /// byte UTF-8 never has), as the metric store's lookup keys hold label values: `a` 0xFF `b`
    /// 0xFF is written `["a","b"]`, and nothing `[]`. At most `escapedBound(joined.count) + 3`
    /// bytes.
    ///
    /// Eight bytes at a time while they are plain ASCII (`JSONByteScan.firstRunEnd`), stored
    /// straight into the buffer: a checkpoint writes 200,000 such arrays, and a scan for each
    /// 0xFF then an escaped copy of each value took three times as long.
    package mutating func writeStringArray(_ joined: UnsafeBufferPointer<UInt8>) {
        precondition(count + Self.escapedBound(joined.count) + 3 <= buffer.count, "JSONWriter: bound too small")
        write(UInt8(ascii: "["))
        guard !joined.isEmpty else { return write(UInt8(ascii: "]")) }
        write(UInt8(ascii: "\""))
        var open = true
        var index = 0
        while index < joined.count {
            if !open {
                write(UInt8(ascii: ","), UInt8(ascii: "\""))
                open = true
            }
            if index + 8 <= joined.count {
                // All eight stored (room: at least six bytes for each byte left), `plain` kept.
                let word = JSONByteScan.word(joined, at: index)
                let plain = JSONByteScan.firstRunEnd(word)
                UnsafeMutableRawPointer(buffer.baseAddress! + count).storeBytes(of: word.littleEndian, as: UInt64.self)
                count += plain
                index += plain
                if plain == 8 { continue }
            }
            let byte = joined[index]
            index += 1
            switch byte {
            case 0xFF:
                write(UInt8(ascii: "\""))
                open = false
            case 0x80...:
                write(byte)
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), ..<0x20:
                writeEscaped(UnsafeBufferPointer(rebasing: joined[(index - 1)..<index]))
            default:
                write(byte)
            }
        }
        if open { write(UInt8(ascii: "\"")) }
        write(UInt8(ascii: "]"))
    }

    /// `value` in decimal (at most 20 bytes).
    package mutating func writeInteger(_ value: Int64) {
        if value < 0 { write(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var digits: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)  // 32 bytes on the stack
        withUnsafeMutableBytes(of: &digits) { scratch in
            var position = scratch.count
            repeat {
                position -= 1
                scratch[position] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            write(UnsafeBufferPointer(rebasing: scratch.bindMemory(to: UInt8.self)[position...]))
        }
    }

    /// `value` in decimal (at most 20 bytes), straight into the buffer (no copy through a
    /// scratch buffer): one or two digits at once, longer numbers four digits per division of
    /// the whole (the four split by 32-bit arithmetic). The metric state of a checkpoint is
    /// mostly such numbers, 1.4 million of them for 200,000 series.
    package mutating func writeUnsigned(_ value: UInt64) {
        if value < 10 { return write(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: value)) }
        if value < 100 {
            let value = UInt8(truncatingIfNeeded: value)
            return write(UInt8(ascii: "0") &+ value / 10, UInt8(ascii: "0") &+ value % 10)
        }
        let digits = Self.decimalDigits(value)
        precondition(count + digits <= buffer.count, "JSONWriter: bound too small")
        var position = count + digits
        var rest = value
        while rest >= 10_000 {
            let four = UInt32(truncatingIfNeeded: rest % 10_000)
            rest /= 10_000
            position -= 4
            writePair(four / 100, at: position)
            writePair(four % 100, at: position + 2)
        }
        var small = UInt32(truncatingIfNeeded: rest)
        while small >= 10 {
            position -= 2
            writePair(small % 100, at: position)
            small /= 100
        }
        if position > count { buffer[position - 1] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: small) }
        count += digits
    }

    /// The two digits of `pair` (below 100) at `position`, within what is being written.
    @inline(__always)
    private func writePair(_ pair: UInt32, at position: Int) {
        let pair = UInt8(truncatingIfNeeded: pair)
        buffer[position] = UInt8(ascii: "0") &+ pair / 10
        buffer[position + 1] = UInt8(ascii: "0") &+ pair % 10
    }

    /// The number of decimal digits of `value`, by comparisons.
    @inline(__always)
    private static func decimalDigits(_ value: UInt64) -> Int {
        if value < 100_000 {
            if value < 100 { return value < 10 ? 1 : 2 }
            return value < 1_000 ? 3 : value < 10_000 ? 4 : 5
        }
        if value < 10_000_000_000 {
            if value < 10_000_000 { return value < 1_000_000 ? 6 : 7 }
            return value < 100_000_000 ? 8 : value < 1_000_000_000 ? 9 : 10
        }
        var digits = 11
        var threshold: UInt64 = 100_000_000_000
        while digits < 20 && value >= threshold {
            digits += 1
            threshold = threshold &* 10
        }
        return digits
    }

    /// `value` in decimal, as `writeInteger` writes it, by `writeUnsigned`.
    package mutating func writeSigned(_ value: Int64) {
        if value < 0 { write(UInt8(ascii: "-")) }
        writeUnsigned(value.magnitude)
    }

    /// The most bytes `writeNumber` writes.
    package static let numberBound = 32

    /// `value` as a JSON number that reads back as exactly `value` (at most `numberBound` bytes):
    /// a whole number below 2⁵³ in magnitude as an integer (`-0.0` for negative zero), a
    /// number that is the nearest double to a decimal of at most three places in those digits
    /// (`12.5`, `1764531234.567`: integer arithmetic only), any other as Swift's shortest
    /// round-trip form (`13.505154639175258`, `1e-07`; slower, about 60 ns).
    /// JSON has no NaN or infinities: they are written as the strings `"NaN"`, `"+Inf"` and
    /// `"-Inf"`, which a `JSONDecoder` reads with `.convertFromString` (as `CheckpointStore`
    /// does).
    package mutating func writeNumber(_ value: Double) {
        guard value.isFinite else {
            return write(value.isNaN ? #""NaN""# : value < 0 ? #""-Inf""# : #""+Inf""#)
        }
        let exactIntegers = 9_007_199_254_740_992.0  // 2^53
        if value.magnitude < exactIntegers, value == value.rounded(.towardZero) {
            if value == 0 && value.sign == .minus { return write("-0.0") }
            return writeSigned(Int64(value))
        }
        if value.magnitude < exactIntegers / 1000 {
            // `thousandths / 1000` is the double nearest to that decimal, which is what reading
            // the decimal gives: when it is `value`, the decimal reads back as `value`.
            let thousandths = (value * 1000).rounded()
            if thousandths / 1000 == value {
                if thousandths < 0 { write(UInt8(ascii: "-")) }
                let magnitude = UInt64(thousandths.magnitude)
                writeUnsigned(magnitude / 1000)
                write(UInt8(ascii: "."))
                // Not 0: `value` is not whole.
                let fraction = Int(magnitude % 1000)
                if fraction % 100 == 0 {
                    writeDigits(fraction / 100, count: 1)
                } else if fraction % 10 == 0 {
                    writeDigits(fraction / 10, count: 2)
                } else {
                    writeDigits(fraction, count: 3)
                }
                return
            }
        }
        var text = ShortText()
        value.write(to: &text)
        text.withBytes { write($0) }
    }

    /// Swift's shortest round-trip form of a double, kept on the stack: `Double.write(to:)` hands
    /// its digits to `_writeASCII` without making a string (`description` allocated one for
    /// every number longer than 15 bytes). A stream that only had `write(_:)` would still work.
    private struct ShortText: TextOutputStream {
        private var storage: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        private var count = 0

        mutating func write(_ string: String) {
            for byte in string.utf8 { append(byte) }
        }

        mutating func _writeASCII(_ buffer: UnsafeBufferPointer<UInt8>) {
            for byte in buffer { append(byte) }
        }

        private mutating func append(_ byte: UInt8) {
            precondition(count < JSONWriter.numberBound, "JSONWriter: a number longer than numberBound")
            withUnsafeMutableBytes(of: &storage) { $0[count] = byte }
            count += 1
        }

        func withBytes(_ body: (UnsafeBufferPointer<UInt8>) -> Void) {
            withUnsafeBytes(of: storage) {
                body(UnsafeBufferPointer(rebasing: $0.bindMemory(to: UInt8.self)[..<count]))
            }
        }
    }

    /// The last `count` decimal digits of the non-negative `value`, zero-padded.
    package mutating func writeDigits(_ value: Int, count digits: Int) {
        // Two and three digits (the timestamp of every document) by constant divisors, which
        // compile to multiplications; the loop below divides by a variable, about 25 cycles a
        // division and two per digit.
        switch digits {
        case 2:
            let value = value % 100
            return write(
                UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: value / 10),
                UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: value % 10)
            )
        case 3:
            let value = value % 1000
            write(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: value / 100))
            return writeDigits(value % 100, count: 2)
        default: break
        }
        var divisor = 1
        for _ in 1..<digits { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            write(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest / divisor % 10))
            rest %= divisor
            divisor /= 10
        }
    }

    /// `value` in lower-case hexadecimal without leading zeros, as `String(_:radix:)` writes it
    /// (at most 16 bytes).
    package mutating func writeHex(_ value: UInt64) {
        guard value != 0 else { return write(UInt8(ascii: "0")) }
        // All sixteen digits at once (each half's nibbles spread into the bytes of a word, then
        // made ASCII), and the significant ones copied: four per document id, where a loop of a
        // shift and a table lookup per digit was 8% of the encoder's time.
        let digits = (67 - value.leadingZeroBitCount) / 4
        var text = (
            Self.hexWord(UInt32(truncatingIfNeeded: value >> 32)), Self.hexWord(UInt32(truncatingIfNeeded: value))
        )
        withUnsafeBytes(of: &text) { bytes in
            write(UnsafeBufferPointer(rebasing: bytes.bindMemory(to: UInt8.self)[(16 - digits)...]))
        }
    }

    /// The eight hexadecimal digits of `value`, most significant first, in memory order.
    @inline(__always)
    private static func hexWord(_ value: UInt32) -> UInt64 {
        var x = UInt64(value)
        x = (x & 0x0000_0000_FFFF_0000) << 16 | (x & 0x0000_0000_0000_FFFF)
        x = (x & 0x0000_FF00_0000_FF00) << 8 | (x & 0x0000_00FF_0000_00FF)
        x = (x & 0x00F0_00F0_00F0_00F0) << 4 | (x & 0x000F_000F_000F_000F)
        // Nibble n (from the least significant) is now byte 7 - n counted from the most
        // significant: stored big-endian, the first digit comes first in memory.
        let letters = ((x &+ 0x0606_0606_0606_0606) >> 4) & 0x0101_0101_0101_0101
        let ascii =
            x &+ 0x3030_3030_3030_3030 &+ letters &* (UInt64(UInt8(ascii: "a")) - UInt64(UInt8(ascii: "0")) - 10)
        return ascii.bigEndian
    }

    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") &+ value : UInt8(ascii: "a") &+ value &- 10
    }
}

extension [UInt8] {
    /// Appends what `body` writes, at most `bound` bytes, reserving them once (growing the
    /// storage geometrically, as appending does).
    @inline(__always)
    package mutating func appendJSON(atMost bound: Int, _ body: (inout JSONWriter) -> Void) {
        append(addingCapacity: bound) { span in
            span.withUnsafeMutableBufferPointer { buffer, initialized in
                var writer = JSONWriter(buffer, count: initialized)
                body(&writer)
                initialized = writer.count
            }
        }
    }
}
