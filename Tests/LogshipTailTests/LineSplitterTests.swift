import LogshipTail
import Testing

@Suite struct LineSplitterTests {
    private func split(_ text: String, chunkSize: Int, maximumLineBytes: Int = 1 << 20) -> [LineSplitter.Line] {
        split(Array(text.utf8), chunkSize: chunkSize, maximumLineBytes: maximumLineBytes)
    }

    private func split(_ bytes: [UInt8], chunkSize: Int, maximumLineBytes: Int = 1 << 20) -> [LineSplitter.Line] {
        var splitter = LineSplitter(maximumLineBytes: maximumLineBytes)
        var lines: [LineSplitter.Line] = []
        var offset = 0
        while offset < bytes.count {
            let end = min(offset + chunkSize, bytes.count)
            lines += splitter.append(Array(bytes[offset..<end]), at: Int64(offset))
            offset = end
        }
        return lines
    }

    /// `partialLimit` (the input's memory budget) bounds what is kept of a line that spans chunks:
    /// the line is cut there at a character boundary, flagged, counted, and still ends past its
    /// newline. Lines inside one chunk are not held, so not cut.
    @Test func aLoweredPartialLimitCutsHeldLinesAtACharacterBoundary() {
        var splitter = LineSplitter(maximumLineBytes: 100)
        splitter.partialLimit = 6
        let text = Array("short\nabcdé0123456789\nwhole line inside a chunk\n".utf8)
        var lines: [LineSplitter.Line] = []
        lines += splitter.append(Array(text[0..<10]), at: 0)
        #expect(splitter.heldBytes >= 4)
        lines += splitter.append(Array(text[10...]), at: 10)
        // "abcdé" is 6 bytes; a limit of 6 keeps it whole, 5 would drop the half character.
        #expect(lines.map(\.text) == ["short", "abcdé", "whole line inside a chunk"])
        #expect(lines.map(\.isTruncated) == [false, true, false])
        #expect(lines[1].endOffset == 23)
        #expect(splitter.limitCuts == 1)
        splitter.partialLimit = 5
        let more = splitter.append(Array("abcdéxyz\n".utf8), at: 50)
        #expect(more.map(\.text) == ["abcdéxyz"])
        var cut = LineSplitter(maximumLineBytes: 100)
        cut.partialLimit = 5
        _ = cut.append(Array("abcdé".utf8), at: 0)
        #expect(cut.append(Array("xyz\n".utf8), at: 6).map(\.text) == ["abcd"])
        cut.releaseSpareCapacity()
        #expect(cut.heldBytes == 0)
        // A limit that rises again before the newline keeps the cut line's start, no gap.
        var rising = LineSplitter(maximumLineBytes: 100)
        rising.partialLimit = 5
        _ = rising.append(Array("abcdefgh".utf8), at: 0)
        rising.partialLimit = 100
        _ = rising.append(Array("ijkl".utf8), at: 8)
        #expect(rising.append(Array("mn\nnext\n".utf8), at: 12).map(\.text) == ["abcde", "next"])
    }

    @Test func splitsLinesWithOffsets() {
        let lines = split("first\nsecond\n\nlast\n", chunkSize: 4096)
        #expect(lines.map(\.text) == ["first", "second", "", "last"])
        #expect(lines.map(\.startOffset) == [0, 6, 13, 14])
        #expect(lines.map(\.endOffset) == [6, 13, 14, 19])
        #expect(lines.allSatisfy { !$0.isTruncated && !$0.hasInvalidUTF8 })
    }

    @Test(arguments: [1, 2, 3, 5, 7, 64])
    func chunkBoundariesDoNotChangeTheResult(chunkSize: Int) {
        let text = "alpha\r\nbeta\ngamma delta\r\n\r\nünïcödé €\nx\n"
        let expected = split(text, chunkSize: text.utf8.count)
        #expect(split(text, chunkSize: chunkSize) == expected)
        #expect(expected.map(\.text) == ["alpha", "beta", "gamma delta", "", "ünïcödé €", "x"])
    }

    @Test func stripsOneCarriageReturnBeforeTheNewline() {
        var splitter = LineSplitter(maximumLineBytes: 100)
        var lines = splitter.append(Array("a\r".utf8), at: 0)
        #expect(lines.isEmpty)
        lines = splitter.append(Array("\nb\r\r\nc\rd\n".utf8), at: 2)
        #expect(lines.map(\.text) == ["a", "b\r", "c\rd"])
        #expect(lines.map(\.endOffset) == [3, 7, 11])
    }

    @Test(arguments: [1, 3, 4096])
    func truncatesLongLinesAndSkipsToTheNewline(chunkSize: Int) {
        let lines = split("abcdefghij\nxy\nabcde\nabcde\r\n", chunkSize: chunkSize, maximumLineBytes: 5)
        #expect(lines.map(\.text) == ["abcde", "xy", "abcde", "abcde"])
        #expect(lines.map(\.isTruncated) == [true, false, false, false])
        #expect(lines.map(\.startOffset) == [0, 11, 14, 20])
        #expect(lines.map(\.endOffset) == [11, 14, 20, 27])
    }

    @Test func truncatesAtACharacterBoundary() {
        // "abc" then "é" (2 bytes): cutting at 4 bytes would split "é".
        let lines = split("abcé\n", chunkSize: 2, maximumLineBytes: 4)
        #expect(lines.map(\.text) == ["abc"])
        #expect(lines[0].isTruncated)
        #expect(!lines[0].hasInvalidUTF8)
    }

    @Test func veryLongLineKeepsWorking() {
        var bytes = [UInt8](repeating: 0x61, count: 3 << 20)
        bytes.append(0x0A)
        bytes += Array("next\n".utf8)
        let lines = split(bytes, chunkSize: 64 << 10, maximumLineBytes: 1024)
        #expect(lines.count == 2)
        #expect(lines[0].text.utf8.count == 1024)
        #expect(lines[0].isTruncated)
        #expect(lines[0].endOffset == Int64(3 << 20) + 1)
        #expect(lines[1].text == "next")
    }

    @Test(arguments: [1, 4096])
    func invalidUTF8IsReplacedAndFlagged(chunkSize: Int) {
        let lines = split([0x61, 0xFF, 0x62, 0x0A, 0x63, 0x0A], chunkSize: chunkSize)
        #expect(lines.map(\.text) == ["a\u{FFFD}b", "c"])
        #expect(lines.map(\.hasInvalidUTF8) == [true, false])
    }

    @Test func keepsThePartialLineUntilMoreDataOrFlush() {
        var splitter = LineSplitter(maximumLineBytes: 100)
        #expect(splitter.append(Array("one\ntw".utf8), at: 0).map(\.text) == ["one"])
        #expect(splitter.hasPartialLine)
        #expect(splitter.lineStartOffset == 4)
        #expect(splitter.offset == 6)
        #expect(splitter.append(Array("o\nthr".utf8), at: 6).map(\.text) == ["two"])
        let flushed = splitter.flushPartial()
        #expect(flushed == LineSplitter.Line(text: "thr", startOffset: 8, endOffset: 11))
        #expect(splitter.flushPartial() == nil)
        #expect(!splitter.hasPartialLine)
    }

    @Test func discontinuousOffsetDropsThePartialLine() {
        var splitter = LineSplitter(maximumLineBytes: 100)
        _ = splitter.append(Array("garbage".utf8), at: 0)
        let lines = splitter.append(Array("new\n".utf8), at: 0)
        #expect(lines == [LineSplitter.Line(text: "new", startOffset: 0, endOffset: 4)])
    }

    @Test func startsAtTheGivenOffset() {
        var splitter = LineSplitter(maximumLineBytes: 100, startingAt: 1000)
        let lines = splitter.append(Array("x\n".utf8), at: 1000)
        #expect(lines == [LineSplitter.Line(text: "x", startOffset: 1000, endOffset: 1002)])
    }
}
