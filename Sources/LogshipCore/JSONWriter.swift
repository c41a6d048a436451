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
