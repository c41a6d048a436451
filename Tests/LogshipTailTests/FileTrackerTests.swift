import LogshipCore
import LogshipTail
import Testing

@Suite struct FileTrackerTests {
    private let base = ContinuousClock.now
    private static let keyA = FileKey(device: 1, inode: 10)
    private static let keyB = FileKey(device: 1, inode: 11)

    struct StartCase: Sendable, CustomStringConvertible {
        var description: String
        var checkpoint: Int64?
        var readFrom: FileInputConfiguration.ReadFrom
        var size: Int64
        /// `nil`: not opened (an unchanged checkpointed file waits until it changes).
        var expected: FileTracker.Action?
    }

    @Test(arguments: [
        StartCase(
            description: "no checkpoint, beginning",
            checkpoint: nil,
            readFrom: .beginning,
            size: 100,
            expected: .open(keyA, path: "/l/a.log", offset: 0, reason: .beginning)
        ),
        StartCase(
            description: "no checkpoint, end",
            checkpoint: nil,
            readFrom: .end,
            size: 100,
            expected: .open(keyA, path: "/l/a.log", offset: 100, reason: .end)
        ),
        StartCase(
            description: "checkpoint inside",
            checkpoint: 40,
            readFrom: .end,
            size: 100,
            expected: .open(keyA, path: "/l/a.log", offset: 40, reason: .checkpoint)
        ),
        StartCase(
            description: "checkpoint at size",
            checkpoint: 100,
            readFrom: .beginning,
            size: 100,
            expected: nil
        ),
        StartCase(
            description: "checkpoint past size",
            checkpoint: 140,
            readFrom: .end,
            size: 100,
            expected: .open(keyA, path: "/l/a.log", offset: 0, reason: .replaced)
        ),
    ])
    func firstScanStartOffsets(_ testCase: StartCase) {
        let checkpoints = testCase.checkpoint.map {
            [FileCheckpoint(fileKey: Self.keyA, path: "/old/a.log", offset: $0)]
        }
        var tracker = FileTracker(checkpoints: checkpoints ?? [], readFrom: testCase.readFrom)
        let actions = tracker.onScan([.init(path: "/l/a.log", key: Self.keyA, size: testCase.size)], now: base)
        #expect(actions == (testCase.expected.map { [$0] } ?? []))
    }

    struct ChangeCase: Sendable, CustomStringConvertible {
        var description: String
        var scan: [FileTracker.ScannedFile]
        var expected: [FileTracker.Action]
    }

    /// Each case starts with key A followed at `/l/app.log` and read up to offset 50.
    @Test(arguments: [
        ChangeCase(description: "unchanged", scan: [.init(path: "/l/app.log", key: keyA, size: 80)], expected: []),
        ChangeCase(
            description: "moved to a matched name",
            scan: [.init(path: "/l/app.log.1", key: keyA, size: 50)],
            expected: [.moved(keyA, from: "/l/app.log", to: "/l/app.log.1")]
        ),
        ChangeCase(
            description: "rename rotation",
            scan: [.init(path: "/l/app.log", key: keyB, size: 5)],
            expected: [
                .finish(keyA, path: "/l/app.log", reason: .renamed),
                .open(keyB, path: "/l/app.log", offset: 0, reason: .beginning),
            ]
        ),
        ChangeCase(description: "deleted", scan: [], expected: [.finish(keyA, path: "/l/app.log", reason: .removed)]),
        ChangeCase(
            description: "truncated",
            scan: [.init(path: "/l/app.log", key: keyA, size: 10)],
            expected: [.truncated(keyA, path: "/l/app.log")]
        ),
        ChangeCase(
            description: "rotation, both names matched",
            scan: [.init(path: "/l/app.log", key: keyB, size: 0), .init(path: "/l/app.log.1", key: keyA, size: 60)],
            expected: [
                .moved(keyA, from: "/l/app.log", to: "/l/app.log.1"),
                .open(keyB, path: "/l/app.log", offset: 0, reason: .beginning),
            ]
        ),
    ])
    func laterScans(_ testCase: ChangeCase) {
        var tracker = FileTracker(checkpoints: [], readFrom: .end)
        #expect(
            tracker.onScan([.init(path: "/l/app.log", key: Self.keyA, size: 50)], now: base) == [
                .open(Self.keyA, path: "/l/app.log", offset: 50, reason: .end)
            ]
        )
        #expect(tracker.onScan(testCase.scan, now: base) == testCase.expected)
    }

    @Test func finishedFileClosesAfterStayingAtItsEndForTheGrace() {
        var tracker = FileTracker(checkpoints: [], readFrom: .beginning, finishGrace: .seconds(1))
        _ = tracker.onScan([.init(path: "/l/app.log", key: Self.keyA, size: 10)], now: base)
        #expect(tracker.onEndOfFile(Self.keyA, now: base + .seconds(5)) == nil)  // not finishing
        #expect(tracker.onScan([], now: base) == [.finish(Self.keyA, path: "/l/app.log", reason: .removed)])
        #expect(tracker.isFinishing(Self.keyA))
        #expect(tracker.nextCloseDeadline == base + .seconds(1))
        tracker.onRead(Self.keyA, offset: 10, now: base + .milliseconds(500))
        #expect(tracker.nextCloseDeadline == base + .milliseconds(1500))
        #expect(tracker.onEndOfFile(Self.keyA, now: base + .seconds(1)) == nil)
        #expect(
            tracker.onEndOfFile(Self.keyA, now: base + .milliseconds(1500)) == .close(Self.keyA, path: "/l/app.log")
        )
        #expect(tracker.count == 0)
        #expect(tracker.nextCloseDeadline == nil)
    }

    @Test func finishingFileIsNotReopenedWhenItReappears() {
        var tracker = FileTracker(checkpoints: [], readFrom: .beginning)
        _ = tracker.onScan([.init(path: "/l/app.log", key: Self.keyA, size: 10)], now: base)
        _ = tracker.onScan([], now: base)
        #expect(tracker.onScan([.init(path: "/l/app.log", key: Self.keyA, size: 10)], now: base) == [])
    }

    @Test func sizeBelowTheReadOffsetIsATruncation() {
        var tracker = FileTracker(checkpoints: [], readFrom: .beginning)
        _ = tracker.onScan([.init(path: "/l/app.log", key: Self.keyA, size: 0)], now: base)
        tracker.onRead(Self.keyA, offset: 30, now: base)
        #expect(tracker.onSize(Self.keyA, size: 30, now: base) == nil)
        #expect(tracker.onSize(Self.keyA, size: 12, now: base) == .truncated(Self.keyA, path: "/l/app.log"))
        #expect(tracker.offset(of: Self.keyA) == 0)
    }

    @Test func fileThatFailedToOpenIsRetriedAtTheSameOffset() {
        var tracker = FileTracker(checkpoints: [], readFrom: .end)
        #expect(
            tracker.onScan([.init(path: "/l/app.log", key: Self.keyA, size: 70)], now: base) == [
                .open(Self.keyA, path: "/l/app.log", offset: 70, reason: .end)
            ]
        )
        tracker.onOpenFailed(Self.keyA, now: base)
        #expect(tracker.count == 0)
        // Not at once (it would take a descriptor slot at every step while others wait).
        #expect(tracker.onScan([.init(path: "/l/app.log", key: Self.keyA, size: 90)], now: base).isEmpty)
        #expect(
            tracker.onScan(
                [.init(path: "/l/app.log", key: Self.keyA, size: 90)],
                now: base + FileTracker.openRetryDelay
            ) == [.open(Self.keyA, path: "/l/app.log", offset: 70, reason: .checkpoint)]
        )
    }

    @Test func checkpointIsUsedWhenTheFileAppearsInALaterScan() {
        var tracker = FileTracker(
            checkpoints: [FileCheckpoint(fileKey: Self.keyB, path: "/l/b.log", offset: 25)],
            readFrom: .end
        )
        #expect(tracker.onScan([], now: base) == [])
        #expect(
            tracker.onScan([.init(path: "/l/b.log", key: Self.keyB, size: 40)], now: base) == [
                .open(Self.keyB, path: "/l/b.log", offset: 25, reason: .checkpoint)
            ]
        )
    }

    @Test func hardLinksAreFollowedOnce() {
        var tracker = FileTracker(checkpoints: [], readFrom: .beginning)
        let actions = tracker.onScan(
            [.init(path: "/l/z.log", key: Self.keyA, size: 1), .init(path: "/l/a.log", key: Self.keyA, size: 1)],
            now: base
        )
        #expect(actions == [.open(Self.keyA, path: "/l/a.log", offset: 0, reason: .beginning)])
    }

    /// A deleted file not read to its end is held for `maximumDeletedHold`, then given up with
    /// what is left counted.
    @Test func aDeletedFileIsHeldForMaximumDeletedHoldThenDropped() {
        var tracker = FileTracker(checkpoints: [], readFrom: .beginning, maximumDeletedHold: .seconds(3600))
        _ = tracker.onScan([.init(path: "/l/app.log", key: Self.keyA, size: 100)], now: base)
        tracker.onRead(Self.keyA, offset: 100, lineStart: 90, now: base)
        #expect(tracker.onDeleted(Self.keyA, size: 500, now: base + .seconds(7200)) == nil, "not being finished")
        #expect(tracker.onScan([], now: base) == [.finish(Self.keyA, path: "/l/app.log", reason: .removed)])
        #expect(tracker.onDeleted(Self.keyA, size: 500, now: base + .seconds(3599)) == nil)
        #expect(
            tracker.onDeleted(Self.keyA, size: 500, now: base + .seconds(3600))
                == .drop(Self.keyA, path: "/l/app.log", offset: 90, bytes: 410)
        )
        #expect(tracker.count == 0)
    }
}
