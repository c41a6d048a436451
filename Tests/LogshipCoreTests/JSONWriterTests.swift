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

    /// As `String(_:)` writes them: every length, and the powers of ten on both sides.
    @Test func writesUnsignedAndSignedIntegersAsSwiftPrintsThem() {
        var values: [UInt64] = [0, 1, 9, 99, 101, 12_345, .max, .max - 1]
        var power: UInt64 = 10
        for _ in 1...19 {
            values += [power - 1, power, power + 1]
            power = power &* 10
        }
        for value in values {
            var bytes: [UInt8] = []
            bytes.appendJSON(atMost: 20) { $0.writeUnsigned(value) }
            #expect(String(decoding: bytes, as: UTF8.self) == String(value), "\(value)")
        }
        for value: Int64 in [.min, .min + 1, -1_000, -1, 0, 1, .max] {
            var bytes: [UInt8] = []
            bytes.appendJSON(atMost: 20) { $0.writeSigned(value) }
            #expect(String(decoding: bytes, as: UTF8.self) == String(value), "\(value)")
        }
    }

    /// Every number reads back as exactly the double written (by `JSONDecoder`, as the checkpoint
    /// file is read), in its short form where it has one.
    @Test func writesNumbersThatReadBackExactly() throws {
        var values: [Double] = [
            0, -0.0, 1, -1, 7, 12.5, -0.5, 0.001, 0.1, 0.3, 0.1 + 0.2, 1e-7, 5e-324, 1e300, -1e300, 1e15, 1e16,
            9_007_199_254_740_991, 9_007_199_254_740_992, 9_007_199_254_740_993, 1_764_531_234.567,
            1_764_531_234.567_891, 13.505154639175258, .greatestFiniteMagnitude, .leastNormalMagnitude,
            -.greatestFiniteMagnitude, 123_456_789.012, 9_007_199_254.740_99,
        ]
        // Decimals of up to three places around the clock's reading, and arbitrary doubles
        // (a fixed xorshift sequence of bit patterns).
        for thousandths in stride(from: 1_764_531_234_000, to: 1_764_531_234_000 + 2_000, by: 7) {
            values.append(Double(thousandths) / 1000)
        }
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<2_000 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            let value = Double(bitPattern: state)
            if value.isFinite { values.append(value) }
        }
        var text: [UInt8] = [UInt8(ascii: "[")]
        for (index, value) in values.enumerated() {
            text.appendJSON(atMost: JSONWriter.numberBound + 1) { writer in
                if index > 0 { writer.write(UInt8(ascii: ",")) }
                writer.writeNumber(value)
            }
        }
        text.append(UInt8(ascii: "]"))
        let decoded = try JSONDecoder().decode([Double].self, from: Data(text))
        #expect(decoded.count == values.count)
        for (value, read) in zip(values, decoded) {
            #expect(value.bitPattern == read.bitPattern, "\(value) read back as \(read)")
        }
        func written(_ value: Double) -> String {
            var bytes: [UInt8] = []
            bytes.appendJSON(atMost: JSONWriter.numberBound) { $0.writeNumber(value) }
            return String(decoding: bytes, as: UTF8.self)
        }
        #expect(written(7) == "7")
        #expect(written(-0.0) == "-0.0")
        #expect(written(12.5) == "12.5")
        #expect(written(-0.05) == "-0.05")
        #expect(written(1_764_531_234.567) == "1764531234.567")
        #expect(written(1_764_531_234.5) == "1764531234.5")
        #expect(written(0.1 + 0.2) == "0.30000000000000004")
        #expect(written(1e-7) == "1e-07")
        #expect(written(.nan) == #""NaN""#)
        #expect(written(.infinity) == #""+Inf""#)
        #expect(written(-.infinity) == #""-Inf""#)
    }

    /// Label values as the metric store's keys hold them (each followed by 0xFF): a JSON array
    /// of them, whatever they hold and however long they are, within the bound.
    @Test(arguments: [
        [], [""], ["", ""], ["GET"], ["GET", "/api/items/1234", "200"], ["eight888", "sixteen_bytes_16", ""],
        ["a \"quoted\" \\ value\n\t\u{1}", "é ✓ 😀", "x"], [String(repeating: "long label value ", count: 9)],
    ])
    func writesLabelValuesOfAKeyAsAnArray(values: [String]) throws {
        let key: [UInt8] = values.flatMap { Array($0.utf8) + [0xFF] }
        var output: [UInt8] = []
        output.appendJSON(atMost: JSONWriter.escapedBound(key.count) + 3) { writer in
            key.withUnsafeBufferPointer { writer.writeStringArray($0) }
        }
        #expect(try JSONDecoder().decode([String].self, from: Data(output)) == values)
    }

    @Test func appendsAfterWhatIsThereAndKeepsOnlyWhatWasWritten() {
        var output = Array("abc".utf8)
        output.appendJSON(atMost: 100) { $0.write("de") }
        output.appendJSON(atMost: 0) { _ in }
        #expect(output == Array("abcde".utf8))
    }
}
