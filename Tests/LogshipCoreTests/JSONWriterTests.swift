import Foundation
import LogshipCore
import Testing

struct JSONWriterTests {
    private func escaped(_ bytes: [UInt8]) -> [UInt8] {
        var output: [UInt8] = [0x41]
        bytes.withUnsafeBufferPointer { JSONText.appendEscaped($0, to: &output) }
        return Array(output.dropFirst())
    }

    @Test func escapesLikeJSONSerializationReadsBack() throws {
        // Every byte below 0x80, in runs longer and shorter than the eight-byte scan, and UTF-8.
        let ascii = (0..<128).map { UInt8($0) }
        let text = ascii + Array("é ✓ 😀 plain text that needs nothing".utf8) + ascii.reversed()
        let quoted = [UInt8(ascii: "\"")] + escaped(text) + [UInt8(ascii: "\"")]
        let decoded = try JSONSerialization.jsonObject(with: Data(quoted), options: .fragmentsAllowed) as? String
        #expect(decoded.map { Array($0.utf8) } == text)
        #expect(escaped(Array("a\"b\\c\n\u{1}".utf8)) == Array(#"a\"b\\c\n\u0001"#.utf8))
    }

    @Test func theWorstCaseFitsTheBound() {
        // Only control bytes: six bytes each, exactly `escapedBound`.
        let controls = [UInt8](repeating: 0x01, count: 37)
        var output: [UInt8] = []
        output.appendJSON(atMost: JSONWriter.escapedBound(controls.count)) { writer in
            controls.withUnsafeBufferPointer { writer.writeEscaped($0) }
        }
        #expect(output.count == JSONWriter.escapedBound(controls.count))
    }

    @Test(arguments: [Int64.min, -1, 0, 7, 10, 1_234_567_890, Int64.max])
    func writesIntegersAsSwiftPrintsThem(value: Int64) {
        var output: [UInt8] = [UInt8(ascii: "[")]
        output.appendJSON(atMost: 20) { $0.writeInteger(value) }
        #expect(String(decoding: output.dropFirst(), as: UTF8.self) == String(value))
    }

    /// The last `count` digits, zero-padded, as `%0*d` of the value modulo 10^count writes them.
    @Test(arguments: 1...6)
    func writesDigitsZeroPadded(count: Int) {
        var modulus = 1
        for _ in 0..<count { modulus *= 10 }
        for value in [0, 1, 7, 9, 10, 59, 60, 99, 100, 101, 999, 1_000, 3_599_999, 123_456, 999_999, 1_000_007] {
            var bytes: [UInt8] = []
            bytes.appendJSON(atMost: count) { $0.writeDigits(value, count: count) }
            #expect(
                String(decoding: bytes, as: UTF8.self) == String(format: "%0*d", count, value % modulus),
                "\(value)"
            )
        }
    }

    /// As `String(_:radix:)` writes them: every length of value, and every digit in every place.
    @Test func writesHexadecimalAsSwiftPrintsIt() {
        var values: [UInt64] = [
            0, 1, 9, 10, 15, 16, 0xFF, 0x1_0000_0000, .max, 0x0123_4567_89AB_CDEF, 0xFEDC_BA98_7654_3210,
        ]
        for shift in 0..<64 { values += [1 << UInt64(shift), (1 << UInt64(shift)) - 1] }
        for digit in 0..<16 { values.append(UInt64(digit) &* 0x1111_1111_1111_1111) }
        for value in values {
            var bytes: [UInt8] = []
            bytes.appendJSON(atMost: 16) { $0.writeHex(value) }
            #expect(String(decoding: bytes, as: UTF8.self) == String(value, radix: 16), "\(value)")
        }
    }

    @Test func appendsAfterWhatIsThereAndKeepsOnlyWhatWasWritten() {
        var output = Array("abc".utf8)
        output.appendJSON(atMost: 100) { $0.write("de") }
        output.appendJSON(atMost: 0) { _ in }
        #expect(output == Array("abcde".utf8))
    }
}
