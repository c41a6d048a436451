import LogshipCore
import Testing

struct AcknowledgementTrackerTests {
    let key = FileKey(device: 1, inode: 7)

    func source(_ start: Int64, _ end: Int64, key: FileKey? = nil) -> EventSource {
        EventSource(fileKey: key ?? self.key, startOffset: start, endOffset: end)
    }

    @Test func advancesOnlyOverTheContiguousAcknowledgedPrefix() {
        var tracker = AcknowledgementTracker()
        tracker.begin(key, at: 0)
        tracker.register([source(0, 10), source(10, 25), source(25, 40)])
        #expect(tracker.acknowledge([source(10, 25)]).isEmpty)
        #expect(tracker.committedOffset(of: key) == 0)
        #expect(tracker.acknowledge([source(0, 10)]) == [key: 25])
        #expect(tracker.pendingCount == 1)
        #expect(tracker.acknowledge([source(25, 40)]) == [key: 40])
        #expect(tracker.pendingCount == 0)
    }

    @Test func filesAdvanceIndependently() {
        var tracker = AcknowledgementTracker()
        let other = FileKey(device: 1, inode: 8)
        tracker.begin(key, at: 100)
        tracker.begin(other, at: 0)
        tracker.register([source(100, 110), source(0, 5, key: other), source(110, 120)])
        #expect(tracker.acknowledge([source(0, 5, key: other), source(110, 120)]) == [other: 5])
        #expect(tracker.committedOffset(of: key) == 100)
        #expect(tracker.acknowledge([source(100, 110)]) == [key: 120])
    }

    @Test func unknownAndRepeatedAcknowledgementsAreIgnored() {
        var tracker = AcknowledgementTracker()
        tracker.begin(key, at: 0)
        tracker.register([source(0, 10)])
        #expect(tracker.acknowledge([source(3, 7)]).isEmpty)
        #expect(tracker.acknowledge([source(0, 10, key: FileKey(device: 9, inode: 9))]).isEmpty)
        #expect(tracker.acknowledge([source(0, 10)]) == [key: 10])
        #expect(tracker.acknowledge([source(0, 10)]).isEmpty)
        #expect(tracker.committedOffset(of: key) == 10)
    }

    @Test func longRunsStayCorrectAcrossCompaction() {
        var tracker = AcknowledgementTracker()
        tracker.begin(key, at: 0)
        let sources = (0..<5000).map { source(Int64($0 * 10), Int64($0 * 10 + 10)) }
        tracker.register(sources)
        // Acknowledge in reverse blocks of 100: the prefix only moves when a block's head arrives.
        for block in stride(from: 0, to: 5000, by: 100) {
            let slice = Array(sources[block..<(block + 100)])
            _ = tracker.acknowledge(slice.dropFirst())
            #expect(tracker.committedOffset(of: key) == Int64(block * 10))
            _ = tracker.acknowledge([slice[0]])
            #expect(tracker.committedOffset(of: key) == Int64((block + 100) * 10))
        }
        #expect(tracker.pendingCount == 0)
    }

    @Test func forgetStartsOver() {
        var tracker = AcknowledgementTracker()
        tracker.begin(key, at: 50)
        tracker.forget(key)
        #expect(tracker.committedOffset(of: key) == nil)
        tracker.begin(key, at: 0)
        #expect(tracker.committedOffset(of: key) == 0)
    }
}
