import CompressNIO
import LogshipReceiver
import NIOCore
import Testing

struct GzipDecompressorTests {
    private func gzip(_ text: String) throws -> [UInt8] {
        var buffer = ByteBuffer(string: text)
        let compressed = try buffer.compress(with: .gzip())
        return Array(buffer: compressed)
    }

    private func gunzip(_ bytes: [UInt8], maximumBytes: Int = 1 << 20) throws(GzipDecompressor.Failure) -> String {
        String(buffer: try GzipDecompressor.decompress(ByteBuffer(bytes: bytes), maximumBytes: maximumBytes))
    }

    @Test func inflatesWhatZlibCompressed() throws {
        let text = (1...5000).map { #"{"create":{"_index":"logs"}}"# + "\n{\"n\":\($0)}\n" }.joined()
        #expect(try gunzip(gzip(text)) == text)
    }

    @Test func readsMembersOneAfterAnother() throws {
        #expect(try gunzip(gzip("first\n") + gzip("second\n")) == "first\nsecond\n")
    }

    @Test func refusesWhatIsNotGzip() {
        #expect(throws: GzipDecompressor.Failure.invalid("not in gzip format")) {
            try gunzip(Array("plain text, not gzip".utf8))
        }
    }

    @Test func refusesADamagedChecksum() throws {
        var bytes = try gzip("some text to check")
        bytes[bytes.count - 6] ^= 0xFF  // in the CRC-32 of the trailer
        #expect(throws: GzipDecompressor.Failure.invalid("gzip checksum mismatch")) { try gunzip(bytes) }
    }

    @Test func refusesABodyCutShort() throws {
        let bytes = try gzip(String(repeating: "abcdefgh", count: 1000))
        #expect(throws: GzipDecompressor.Failure.invalid("unexpected end of gzip data")) {
            try gunzip(Array(bytes.prefix(bytes.count / 2)))
        }
        #expect(throws: GzipDecompressor.Failure.self) { try gunzip([]) }
    }

    @Test func stopsAtTheLimit() throws {
        let text = String(repeating: "x", count: 100_000)
        #expect(throws: GzipDecompressor.Failure.tooLarge) { try gunzip(gzip(text), maximumBytes: 99_999) }
        #expect(try gunzip(gzip(text), maximumBytes: 100_000) == text)
    }
}
