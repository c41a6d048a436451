import CompressNIO
import LogshipOutputs
import NIOCore
import Testing

@Suite struct GzipCompressorTests {
    /// NDJSON like the output's: repetitive, as bulk bodies are.
    private static let body: [UInt8] = Array(
        (0..<2000).map { number in
            #"{"create":{"_index":"aetherra-logs-2025.11.01","_id":"801-2a-\#(number)-9c1d2e"}}"# + "\n"
                + #"{"@timestamp":"2025-11-01T12:00:00.123Z","message":"request \#(number) served","#
                + #""fields":{"service":"aetherra_os"}}"# + "\n"
        }.joined().utf8
    )

    private func gunzip(_ buffer: ByteBuffer) throws -> [UInt8] {
        var compressed = buffer
        let plain = try compressed.decompress(with: .gzip(), maxSize: 1 << 24)
        return Array(plain.readableBytesView)
    }

    @Test(arguments: 1...9)
    func roundTripsThroughZlib(level: Int) throws {
        guard var compressor = GzipCompressor(level: level) else {
            Issue.record("no compressor at level \(level)")
            return
        }
        let result = compressor.compress(Self.body)
        let compressed = try #require(result)
        #expect(Array(compressed.readableBytesView.prefix(3)) == [0x1F, 0x8B, 0x08])  // gzip, deflate
        #expect(compressed.readableBytes < Self.body.count / 5)
        #expect(try gunzip(compressed) == Self.body)
    }

    @Test func reusesItsScratchForSmallerAndLargerInputs() throws {
        guard var compressor = GzipCompressor(level: 1) else {
            Issue.record("no compressor at level 1")
            return
        }
        for input in [Self.body, [], Array(Self.body.prefix(10)), Self.body + Self.body] {
            let result = compressor.compress(input)
            let compressed = try #require(result)
            #expect(try gunzip(compressed) == input)
        }
    }

    /// Random bytes do not compress: igzip falls back to stored blocks within `bound(for:)`.
    @Test func incompressibleInputFitsTheBound() throws {
        var generator = SystemRandomNumberGenerator()
        let input = (0..<300_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        guard var compressor = GzipCompressor(level: 1) else {
            Issue.record("no compressor at level 1")
            return
        }
        let result = compressor.compress(input)
        let compressed = try #require(result)
        #expect(compressed.readableBytes <= GzipCompressor.bound(for: input.count))
        #expect(try gunzip(compressed) == input)
    }

    @Test func levelsMapOntoIgzipLevels() {
        #expect((1...9).map(GzipCompressor.igzipLevel(for:)) == [1, 2, 2, 3, 3, 3, 3, 3, 3])
    }

    @Test(arguments: [0, 10, -1])
    func otherLevelsAreRefused(level: Int) {
        let refused = GzipCompressor(level: level) == nil
        #expect(refused)
    }
}
