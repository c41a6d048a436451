import Foundation
import LogshipCore
import Testing

struct JSONByteScanTests {
    private func word(_ bytes: [UInt8]) -> UInt64 {
        bytes.withUnsafeBufferPointer { JSONByteScan.word($0, at: 0) }
    }

    /// Every byte value at every position of a word of plain ASCII.
    @Test func flagsEveryByteThatEndsARunAndNoOther() {
        for value in 0...255 {
            let byte = UInt8(value)
            let needsEscape = byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
            for position in 0..<8 {
                var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: 8)
                bytes[position] = byte
                #expect(JSONByteScan.mayNeedEscape(word(bytes)) == needsEscape, "byte \(value) at \(position)")
                #expect(JSONByteScan.mayEndASCIIRun(word(bytes)) == (needsEscape || byte >= 0x80))
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

    @Test func escapesLikeTheByteAtATimeLoop() {
        var generator = SystemRandomNumberGenerator()
        let alphabet: [UInt8] = Array("ab \"\\\n\r\t\u{1}/é".utf8) + [0x1F, 0x7F]
        for length in 0..<40 {
            for _ in 0..<50 {
                let bytes = (0..<length).map { _ in alphabet.randomElement(using: &generator)! }
                var escaped: [UInt8] = []
                bytes.withUnsafeBufferPointer { JSONText.appendEscaped($0, to: &escaped) }
                #expect(escaped == referenceEscape(bytes), "\(bytes)")
            }
        }
    }
}
