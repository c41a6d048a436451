import LogshipCore
import LogshipTail
import Testing

/// Identity by inode and first bytes (`FileHead`), copytruncate with the rest read from the copy,
/// and closed files remembered for `forgetAfter`.
@Suite struct FileIdentityTests {
    private let now = ContinuousClock.now
    private static let live = FileKey(device: 1, inode: 10)
    private static let copy = FileKey(device: 1, inode: 11)
    private static let other = FileKey(device: 1, inode: 12)
    private static let first = FileHead.Sample(Array("2025-11-01 12:00:00,001 - hub - INFO - up\n".utf8))
    private static let second = FileHead.Sample(Array("2025-11-01 13:00:00,001 - hub - INFO - again\n".utf8))

    private func scanned(
        _ path: String,
        _ key: FileKey,
        size: Int64,
        sample: FileHead.Sample? = nil,
        modified: Int64 = 0
    ) -> FileTracker.ScannedFile {
        FileTracker.ScannedFile(path: path, key: key, size: size, modified: modified, sample: sample)
    }

    /// A checkpointed file whose first bytes are not the checkpoint's (rewritten in place, larger
    /// than the old offset, or a new file on a reused inode) is read from 0 as the next generation.
    @Test func aCheckpointedInodeWithOtherFirstBytesIsReadFromTheStart() {
        let checkpoint = FileCheckpoint(
            fileKey: Self.live,
            path: "/l/app.log",
            offset: 40,
            generation: 2,
            head: Self.first.head
        )
        var tracker = FileTracker(checkpoints: [checkpoint], readFrom: .end)
        #expect(tracker.needsSample(of: Self.live))
        #expect(
            tracker.onScan([scanned("/l/app.log", Self.live, size: 900, sample: Self.second)], now: now) == [
                .open(Self.live, path: "/l/app.log", offset: 0, reason: .replaced)
            ]
        )
        #expect(tracker.generation(of: Self.live) == 3)
        // The same bytes, grown: resumed.
        var same = FileTracker(checkpoints: [checkpoint], readFrom: .end)
        let grown = FileHead.Sample(Self.first.bytes + Array("more\n".utf8))
        #expect(
            same.onScan([scanned("/l/app.log", Self.live, size: 900, sample: grown)], now: now) == [
                .open(Self.live, path: "/l/app.log", offset: 40, reason: .checkpoint)
            ]
        )
        #expect(same.generation(of: Self.live) == 2)
    }

    /// Fingerprints are taken once a file is open, and again while it grows past a short one.
    @Test func fingerprintsGrowWithTheFile() {
        var tracker = FileTracker(checkpoints: [], readFrom: .beginning)
        _ = tracker.onScan([scanned("/l/app.log", Self.live, size: 10)], now: now)
        let short = FileHead.Sample(Array("2025-11-01".utf8))
        #expect(tracker.onSample(Self.live, short, now: now) == [.identified(Self.live, head: short.head)])
        #expect(!tracker.hasShortHead(Self.live))
        tracker.onRead(Self.live, offset: 60, now: now)
        #expect(tracker.hasShortHead(Self.live))
        #expect(tracker.onSample(Self.live, Self.first, now: now) == [.identified(Self.live, head: Self.first.head)])
        #expect(tracker.onSample(Self.live, Self.first, now: now).isEmpty)
    }

    /// Files that start with the same banner: a followed file's mark, taken at a line boundary
    /// past its first bytes, goes with its fingerprint; on resume, content whose first bytes match
    /// but whose bytes before the mark do not (or that is shorter than the mark) is read from 0.
    @Test func aMarkPastTheFirstBytesTellsContentThatStartsTheSame() {
        let banner = FileHead.Sample(Array(repeating: UInt8(ascii: "="), count: FileHead.maximumLength))
        var tracker = FileTracker(checkpoints: [], readFrom: .beginning)
        _ = tracker.onScan([scanned("/l/app.log", Self.live, size: 5000)], now: now)
        _ = tracker.onSample(Self.live, banner, now: now)
        #expect(tracker.markOffset(of: Self.live) == nil)
        tracker.onRead(Self.live, offset: 4096, lineStart: 4000, now: now)
        #expect(tracker.markOffset(of: Self.live) == 4000)
        let mark = FileHead.Mark(offset: 4000, hash: 77)
        var marked = banner
        marked.mark = mark
        var head = banner.head
        head.mark = mark
        #expect(tracker.onSample(Self.live, marked, now: now) == [.identified(Self.live, head: head)])
        #expect(tracker.markOffset(of: Self.live) == nil)
        // A sample without a mark (read after a chunk) keeps it.
        #expect(tracker.onSample(Self.live, banner, now: now).isEmpty)

        let checkpoint = FileCheckpoint(fileKey: Self.live, path: "/l/app.log", offset: 3000, head: head)
        func start(_ sample: FileHead.Sample) -> [FileTracker.Action] {
            var resumed = FileTracker(checkpoints: [checkpoint], readFrom: .beginning)
            #expect(resumed.markOffset(of: Self.live) == 4000)
            return resumed.onScan([scanned("/l/app.log", Self.live, size: 9000, sample: sample)], now: now)
        }
        #expect(start(marked) == [.open(Self.live, path: "/l/app.log", offset: 3000, reason: .checkpoint)])
        var rewritten = banner
        rewritten.mark = FileHead.Mark(offset: 4000, hash: 78)
        #expect(start(rewritten) == [.open(Self.live, path: "/l/app.log", offset: 0, reason: .replaced)])
        #expect(start(banner) == [.open(Self.live, path: "/l/app.log", offset: 0, reason: .replaced)])
    }

    /// copytruncate seen at a scan, the file already grown past the read offset with new lines:
    /// a truncation, and the rest of the old content is read from the copy, first.
    @Test func copytruncatePastTheOffsetIsSeenByTheFirstBytesAndTheRestReadFromTheCopy() {
        var tracker = FileTracker(checkpoints: [], readFrom: .beginning)
        _ = tracker.onScan([scanned("/l/app.log", Self.live, size: 0)], now: now)
        _ = tracker.onSample(Self.live, Self.first, now: now)
        tracker.onRead(Self.live, offset: 500, now: now)
        #expect(
            tracker.onScan([scanned("/l/app.log", Self.live, size: 800, sample: Self.second)], now: now) == [
                .truncated(Self.live, path: "/l/app.log")
            ]
        )
        #expect(tracker.copySearchPaths == ["/l/app.log"])
        let siblings = [
            scanned("/l/app.log.2", Self.other, size: 5000, sample: Self.second, modified: 1),
            scanned("/l/app.log.1", Self.copy, size: 1200, sample: Self.first, modified: 2),
        ]
        #expect(
            tracker.onCopies(siblings, now: now) == [
                .open(Self.copy, path: "/l/app.log.1", offset: 500, reason: .copy),
                .finish(Self.copy, path: "/l/app.log.1", reason: .copied),
            ]
        )
        #expect(tracker.copySearchPaths.isEmpty)
        #expect(tracker.offset(of: Self.live) == 0 && tracker.generation(of: Self.live) == 1)
        #expect(tracker.isFinishing(Self.copy) && tracker.home(of: Self.copy) == "/l/app.log")
    }

    /// Truncated with unread bytes and no copy that has them (compressed at once, or deleted):
    /// lost, and said so; nothing unread, nothing lost.
    @Test func aTruncationWithoutACopyReportsWhatIsLost() {
        var tracker = FileTracker(checkpoints: [], readFrom: .beginning)
        _ = tracker.onScan([scanned("/l/app.log", Self.live, size: 0)], now: now)
        _ = tracker.onSample(Self.live, Self.first, now: now)
        tracker.onRead(Self.live, offset: 500, now: now)
        _ = tracker.onScan([scanned("/l/app.log", Self.live, size: 700, sample: Self.first)], now: now)
        #expect(tracker.onSize(Self.live, size: 3, now: now) == .truncated(Self.live, path: "/l/app.log"))
        #expect(
            tracker.onCopies([], now: now) == [.lost(Self.live, path: "/l/app.log", offset: 500, bytes: 200)]
        )
        _ = tracker.onSample(Self.live, Self.second, now: now)
        tracker.onRead(Self.live, offset: 300, now: now)
        #expect(tracker.onSize(Self.live, size: 0, now: now) == .truncated(Self.live, path: "/l/app.log"))
        #expect(tracker.onCopies([], now: now).isEmpty)
    }

    /// copytruncate while logship was stopped: the checkpointed file starts over, the copy is
    /// read from the checkpoint, and a copy made after it whole.
    @Test func copytruncateWhileStoppedReadsTheCopyFromTheCheckpoint() {
        let checkpoint = FileCheckpoint(fileKey: Self.live, path: "/l/app.log", offset: 500, head: Self.first.head)
        var tracker = FileTracker(checkpoints: [checkpoint], readFrom: .beginning)
        let third = FileHead.Sample(Array("2025-11-01 14:00:00,001 - hub - INFO - third\n".utf8))
        #expect(
            tracker.onScan([scanned("/l/app.log", Self.live, size: 90, sample: third)], now: now) == [
                .open(Self.live, path: "/l/app.log", offset: 0, reason: .replaced)
            ]
        )
        let siblings = [
            scanned("/l/app.log.2", Self.copy, size: 900, sample: Self.first, modified: 1),
            scanned("/l/app.log.1", Self.other, size: 300, sample: Self.second, modified: 2),
        ]
        #expect(
            tracker.onCopies(siblings, now: now) == [
                .open(Self.copy, path: "/l/app.log.2", offset: 500, reason: .copy),
                .finish(Self.copy, path: "/l/app.log.2", reason: .copied),
                .open(Self.other, path: "/l/app.log.1", offset: 0, reason: .beginning),
                .finish(Self.other, path: "/l/app.log.1", reason: .copied),
            ]
        )
    }

    /// A closed file is remembered: back in the patterns, it resumes at its end; after
    /// `forgetAfter` it is a new file.
    @Test func aClosedFileThatComesBackResumesWhereItWas() {
        var tracker = FileTracker(checkpoints: [], readFrom: .beginning, finishGrace: .zero, forgetAfter: .seconds(60))
        _ = tracker.onScan([scanned("/l/app.log", Self.live, size: 0)], now: now)
        _ = tracker.onSample(Self.live, Self.first, now: now)
        tracker.onRead(Self.live, offset: 300, now: now)
        #expect(tracker.onScan([], now: now) == [.finish(Self.live, path: "/l/app.log", reason: .removed)])
        #expect(tracker.onEndOfFile(Self.live, now: now) == .close(Self.live, path: "/l/app.log"))
        #expect(tracker.unfoundCheckpointPaths.isEmpty, "closed, not looked for")
        let back = scanned("/l/app.log", Self.live, size: 300, sample: Self.first)
        #expect(tracker.needsSample(of: Self.live))
        #expect(
            tracker.onScan([back], now: now) == [.open(Self.live, path: "/l/app.log", offset: 300, reason: .checkpoint)]
        )
        // Gone again, and back after forget_after: read whole.
        _ = tracker.onScan([], now: now)
        _ = tracker.onEndOfFile(Self.live, now: now)
        #expect(
            tracker.onScan([back], now: now + .seconds(61)) == [
                .open(Self.live, path: "/l/app.log", offset: 0, reason: .beginning)
            ]
        )
    }

    /// After a crash during a catch-up, a newer rotated copy that was read whole and closed is
    /// not read again when the older checkpointed one is resumed.
    @Test func aClosedNewerRotationIsNotReadAgainInACatchUp() {
        let checkpoints = [
            FileCheckpoint(fileKey: Self.live, path: "/l/app.log", offset: 40, head: Self.first.head),
            FileCheckpoint(fileKey: Self.copy, path: "/l/app.log", offset: 700, head: Self.second.head, closedAt: 5),
        ]
        var tracker = FileTracker(checkpoints: checkpoints, readFrom: .beginning)
        _ = tracker.onScan([scanned("/l/app.log", Self.other, size: 10)], now: now)
        let siblings = [
            scanned("/l/app.log.2", Self.live, size: 100, sample: Self.first, modified: 1),
            scanned("/l/app.log.1", Self.copy, size: 700, sample: Self.second, modified: 2),
        ]
        #expect(
            tracker.onRotatedSiblings(siblings, now: now, listed: ["/l/app.log"]) == [
                .open(Self.live, path: "/l/app.log.2", offset: 40, reason: .checkpoint),
                .finish(Self.live, path: "/l/app.log.2", reason: .renamed),
                .open(Self.copy, path: "/l/app.log.1", offset: 700, reason: .checkpoint),
                .finish(Self.copy, path: "/l/app.log.1", reason: .renamed),
            ]
        )
    }

    /// A checkpointed file that is nowhere beside its path, once that directory was listed, is
    /// absent: remembered as closed, not looked for again.
    @Test func aCheckpointedFileFoundNowhereIsAbsent() {
        let checkpoint = FileCheckpoint(fileKey: Self.live, path: "/l/app.log", offset: 40)
        var tracker = FileTracker(checkpoints: [checkpoint], readFrom: .beginning)
        _ = tracker.onScan([], now: now)
        #expect(tracker.onRotatedSiblings([], now: now, listed: []).isEmpty, "directory not listed: unknown")
        #expect(
            tracker.onRotatedSiblings([], now: now, listed: ["/l/app.log"]) == [
                .absent(Self.live, path: "/l/app.log", offset: 40)
            ]
        )
        #expect(tracker.unfoundCheckpointPaths.isEmpty)
    }

    /// Stopped while the copy of a first copytruncate was read (its checkpoint not closed), then
    /// a second copytruncate: the second copy starts with what the live file had (generation 1,
    /// read to 300) and is read from 300, not whole; the first copy resumes at its checkpoint.
    /// (The shell searches copies before rotated siblings.)
    @Test func aSecondCopyAfterAnInterruptedCopyIsReadFromWhereTheFileWasLeft() {
        let third = FileHead.Sample(Array("2025-11-01 14:00:00,001 - hub - INFO - third\n".utf8))
        let checkpoints = [
            FileCheckpoint(fileKey: Self.live, path: "/l/app.log", offset: 300, generation: 1, head: Self.second.head),
            FileCheckpoint(fileKey: Self.copy, path: "/l/app.log", offset: 600, head: Self.first.head),
        ]
        var tracker = FileTracker(checkpoints: checkpoints, readFrom: .beginning)
        #expect(
            tracker.onScan([scanned("/l/app.log", Self.live, size: 90, sample: third)], now: now) == [
                .open(Self.live, path: "/l/app.log", offset: 0, reason: .replaced)
            ]
        )
        let siblings = [
            scanned("/l/app.log.2", Self.copy, size: 1000, sample: Self.first, modified: 1),
            scanned("/l/app.log.1", Self.other, size: 800, sample: Self.second, modified: 2),
        ]
        #expect(
            tracker.onCopies(siblings, now: now) == [
                .open(Self.other, path: "/l/app.log.1", offset: 300, reason: .copy),
                .finish(Self.other, path: "/l/app.log.1", reason: .copied),
            ]
        )
        #expect(
            tracker.onRotatedSiblings(siblings, now: now, listed: ["/l/app.log"]) == [
                .open(Self.copy, path: "/l/app.log.2", offset: 600, reason: .checkpoint),
                .finish(Self.copy, path: "/l/app.log.2", reason: .renamed),
            ]
        )
    }

    /// Two copytruncates while stopped, logship caught up before (the first copy ends at the
    /// checkpoint): the first copy has nothing left, the second is read whole, nothing is lost.
    @Test func twoCopytruncatesWhileStoppedAfterCatchingUpLoseNothing() {
        let third = FileHead.Sample(Array("2025-11-01 14:00:00,001 - hub - INFO - third\n".utf8))
        let checkpoint = FileCheckpoint(fileKey: Self.live, path: "/l/app.log", offset: 500, head: Self.first.head)
        var tracker = FileTracker(checkpoints: [checkpoint], readFrom: .beginning)
        _ = tracker.onScan([scanned("/l/app.log", Self.live, size: 90, sample: third)], now: now)
        let siblings = [
            scanned("/l/app.log.2", Self.copy, size: 500, sample: Self.first, modified: 1),
            scanned("/l/app.log.1", Self.other, size: 300, sample: Self.second, modified: 2),
        ]
        #expect(
            tracker.onCopies(siblings, now: now) == [
                .open(Self.copy, path: "/l/app.log.2", offset: 500, reason: .copy),
                .finish(Self.copy, path: "/l/app.log.2", reason: .copied),
                .open(Self.other, path: "/l/app.log.1", offset: 0, reason: .beginning),
                .finish(Self.other, path: "/l/app.log.1", reason: .copied),
            ]
        )
    }
}
