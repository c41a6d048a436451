import Foundation
import LogshipCore
import Testing

struct JSONByteScanTests {
    private func word(_ bytes: [UInt8]) -> UInt64 {
        bytes.withUnsafeBufferPointer { JSONByteScan.word($0, at: 0) }
    }

    /// `firstRunEnd` and `firstNeedingEscape` against a byte-by-byte search, on words mixing the bytes around each
    /// boundary of the checks (where a borrow from one byte could flag the next), every word of
    /// them that a fixed-seed generator makes, and each byte value alone at each position.
    @Test func findsTheFirstByteThatEndsARun() {
        func ends(_ byte: UInt8) -> Bool {
            byte < 0x20 || byte >= 0x80 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
        }
        func reference(_ bytes: [UInt8]) -> Int { bytes.firstIndex(where: ends) ?? 8 }
        for value in 0...255 {
            for position in 0..<8 {
                var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: 8)
                bytes[position] = UInt8(value)
                #expect(JSONByteScan.firstRunEnd(word(bytes)) == reference(bytes), "byte \(value) at \(position)")
            }
        }
        let tricky: [UInt8] = [0x00, 0x01, 0x1F, 0x20, 0x21, 0x22, 0x23, 0x5B, 0x5C, 0x5D, 0x7F, 0x80, 0xFF, 0x61]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<200_000 {
            let bytes = (0..<8).map { _ -> UInt8 in
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return tricky[Int(state >> 33) % tricky.count]
            }
            let found = JSONByteScan.firstRunEnd(word(bytes))
            let escape = JSONByteScan.firstNeedingEscape(word(bytes))
            let expectedEscape = bytes.firstIndex { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C } ?? 8
            if found != reference(bytes) || escape != expectedEscape {
                Issue.record("\(bytes): \(found) and \(escape), expected \(reference(bytes)) and \(expectedEscape)")
                return
            }
        }
    }

    /// The byte-at-a-time escaper this replaced, as the reference.
    private func referenceEscape(_ bytes: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\""): output += Array(#"\""#.utf8)
            case UInt8(ascii: "\\"): output += Array(#"\\"#.utf8)
            case UInt8(ascii: "\n"): output += Array(#"\n"#.utf8)
            case UInt8(ascii: "\r"): output += Array(#"\r"#.utf8)
            case UInt8(ascii: "\t"): output += Array(#"\t"#.utf8)
            case ..<0x20: output += Array(String(format: "\\u%04x", byte).utf8)
            default: output.append(byte)
            }
        }
        return output
    }

    /// Escaping gives what the byte-at-a-time loop gave, also when bytes after the text may be
    /// read (its last bytes checked as one word): bytes past the text, quotes and control
    /// characters among them, change nothing.
    @Test(arguments: [0, 8])
    func escapesLikeTheByteAtATimeLoop(readableAfter: Int) {
        var generator = SystemRandomNumberGenerator()
        let alphabet: [UInt8] = Array("ab \"\\\n\r\t\u{1}/é".utf8) + [0x1F, 0x7F]
        for length in 0..<40 {
            for _ in 0..<50 {
                let text = (0..<length).map { _ in alphabet.randomElement(using: &generator)! }
                let buffer = text + (0..<readableAfter).map { _ in alphabet.randomElement(using: &generator)! }
                var escaped: [UInt8] = []
                buffer.withUnsafeBufferPointer { buffer in
                    escaped.appendJSON(atMost: JSONWriter.escapedBound(length)) {
                        $0.writeEscaped(UnsafeBufferPointer(rebasing: buffer[0..<length]), readableAfter: readableAfter)
                    }
                }
                #expect(escaped == referenceEscape(text), "\(buffer), \(length) of them")
                if readableAfter == 0 {
                    var appended: [UInt8] = []
                    text.withUnsafeBufferPointer { JSONText.appendEscaped($0, to: &appended) }
                    #expect(appended == escaped)
                }
            }
        }
    }
}

struct ByteWordsTests {
    /// The last bytes as a little-endian word, as a load of them padded with zeros reads.
    @Test func readsTheTailAsALittleEndianWord() {
        let bytes: [UInt8] = [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xAA]
        bytes.withUnsafeBufferPointer { buffer in
            #expect(ByteWords.tail(buffer, from: 10) == 0)
            #expect(ByteWords.tail(buffer, from: 9) == 0xAA)
            #expect(ByteWords.tail(buffer, from: 8) == 0xAA99)
            #expect(ByteWords.tail(buffer, from: 3) == 0xAA_9988_7766_5544)
        }
    }
}
