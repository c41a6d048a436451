import Foundation
import Glibc
import LogshipCore
import LogshipTail
import Testing

/// Rotations that happened while logship was stopped: checkpointed files found renamed beside
/// their last path, and the rotations after them that logship never saw.
@Suite struct RotatedSiblingsTests {
    private let now = ContinuousClock.now
    private static let old = FileKey(device: 1, inode: 10)
    private static let middle = FileKey(device: 1, inode: 11)
    private static let live = FileKey(device: 1, inode: 12)
    private static let older = FileKey(device: 1, inode: 9)

    private func tracker(offset: Int64 = 40) -> FileTracker {
        FileTracker(
            checkpoints: [FileCheckpoint(fileKey: Self.old, path: "/l/app.log", offset: offset)],
            readFrom: .beginning
        )
    }

    /// `app.log` (checkpointed at 40) became `app.log.2`, the file after it `app.log.1`, and a new
    /// `app.log` was made: the checkpointed one is finished from 40, then `app.log.1` whole, and
    /// the live file is followed; `app.log.3`, older than the checkpointed file, was read before.
    @Test func resumesTheCheckpointedFileAndReadsTheRotationsAfterIt() {
        var tracker = tracker()
        #expect(
            tracker.onScan([.init(path: "/l/app.log", key: Self.live, size: 30, modified: 300)], now: now) == [
                .open(Self.live, path: "/l/app.log", offset: 0, reason: .beginning)
            ]
        )
        #expect(tracker.unfoundCheckpointPaths == ["/l/app.log"])
        let siblings: [FileTracker.ScannedFile] = [
            .init(path: "/l/app.log.1", key: Self.middle, size: 500, modified: 200),
            .init(path: "/l/app.log.2", key: Self.old, size: 100, modified: 100),
            .init(path: "/l/app.log.3", key: Self.older, size: 700, modified: 50),
        ]
        #expect(
            tracker.onRotatedSiblings(siblings, now: now) == [
                .open(Self.old, path: "/l/app.log.2", offset: 40, reason: .checkpoint),
                .finish(Self.old, path: "/l/app.log.2", reason: .renamed),
                .open(Self.middle, path: "/l/app.log.1", offset: 0, reason: .beginning),
                .finish(Self.middle, path: "/l/app.log.1", reason: .renamed),
            ]
        )
        #expect(tracker.unfoundCheckpointPaths.isEmpty)
        #expect(tracker.isFinishing(Self.old) && tracker.isFinishing(Self.middle) && !tracker.isFinishing(Self.live))
        // Nothing is opened twice.
        #expect(tracker.onRotatedSiblings(siblings, now: now).isEmpty)
    }

    /// Only the file itself and its rotated names in its own directory: not another log whose
    /// name starts the same, not a file elsewhere.
    @Test func siblingsOfOtherLogsAreLeftAlone() {
        var tracker = tracker()
        _ = tracker.onScan([], now: now)
        let siblings: [FileTracker.ScannedFile] = [
            .init(path: "/l/app.log2", key: Self.old, size: 100, modified: 100),
            .init(path: "/l/app.log-worker.1", key: Self.old, size: 100, modified: 100),
            .init(path: "/m/app.log.1", key: Self.old, size: 100, modified: 100),
        ]
        #expect(tracker.onRotatedSiblings(siblings, now: now).isEmpty)
        // Newer files of another log beside the checkpointed one are not read either.
        let mixed: [FileTracker.ScannedFile] = [
            .init(path: "/l/app.log.1", key: Self.old, size: 100, modified: 100),
            .init(path: "/l/app.log-worker.2", key: Self.middle, size: 100, modified: 200),
        ]
        #expect(
            tracker.onRotatedSiblings(mixed, now: now) == [
                .open(Self.old, path: "/l/app.log.1", offset: 40, reason: .checkpoint),
                .finish(Self.old, path: "/l/app.log.1", reason: .renamed),
            ]
        )
        // Its checkpoint keeps the path the patterns found it under.
        #expect(tracker.home(of: Self.old) == "/l/app.log")
    }

    /// Without the checkpointed file among them, siblings are old rotations: left alone, and the
    /// checkpoint is kept (deleted or compressed while logship was stopped).
    @Test func siblingsWithoutTheCheckpointedFileAreLeftAlone() {
        var tracker = tracker()
        _ = tracker.onScan([.init(path: "/l/app.log", key: Self.live, size: 30, modified: 300)], now: now)
        let siblings: [FileTracker.ScannedFile] = [
            .init(path: "/l/app.log.1", key: Self.middle, size: 500, modified: 200)
        ]
        #expect(tracker.onRotatedSiblings(siblings, now: now).isEmpty)
        #expect(tracker.unfoundCheckpointPaths == ["/l/app.log"])
    }

    /// A checkpointed file found shorter than its checkpoint is not the same bytes: from 0.
    @Test func aShorterCheckpointedFileIsReadWhole() {
        var tracker = tracker(offset: 400)
        _ = tracker.onScan([], now: now)
        let siblings: [FileTracker.ScannedFile] = [
            .init(path: "/l/app.log-20251101", key: Self.old, size: 100, modified: 1)
        ]
        #expect(
            tracker.onRotatedSiblings(siblings, now: now) == [
                .open(Self.old, path: "/l/app.log-20251101", offset: 0, reason: .replaced),
                .finish(Self.old, path: "/l/app.log-20251101", reason: .renamed),
            ]
        )
    }

    /// A file the patterns still match is followed as it is, not taken for a rotated sibling.
    @Test func aFileFoundByTheScanIsNotASibling() {
        var tracker = tracker()
        _ = tracker.onScan([.init(path: "/l/app.log.1", key: Self.old, size: 100, modified: 100)], now: now)
        #expect(tracker.unfoundCheckpointPaths.isEmpty)
        let siblings: [FileTracker.ScannedFile] = [.init(path: "/l/app.log.1", key: Self.old, size: 100, modified: 100)]
        #expect(tracker.onRotatedSiblings(siblings, now: now).isEmpty)
    }
}

@Suite struct SiblingPathTests {
    @Test(arguments: [
        ("/l/app.log.1", "/l/app.log", true), ("/l/app.log", "/l/app.log", true), ("app.log.1", "app.log", true),
        ("/l/été.log-20251101", "/l/été.log", true), ("/m/app.log.1", "/l/app.log", false),
        ("/l/app.log2", "/l/app.log", false), ("/l/sub/app.log.1", "/l/app.log", false),
        ("./app.log.1", "app.log", true),
    ])
    func recognisesRotatedCopiesInTheSameDirectory(path: String, base: String, sibling: Bool) {
        #expect(FileTracker.isSibling(path, of: base) == sibling)
    }
}

@Suite struct RotationNameTests {
    @Test(arguments: [
        ("app.log.1", true), ("app.log.12", true), ("app.log-20251101", true), ("app.log.2025-11-01_12-00", true),
        ("app.log_3", true), ("app.log.1.gz", false), ("app.log-20251101.zst", false), ("app.log.2.bz2", false),
        ("app.log", false), ("app.log.", false), ("app.log.old", false), ("app.log1", false), ("app.logs.1", false),
        ("other.log.1", false), ("xapp.log.1", false),
    ])
    func recognisesRotatedNames(name: String, rotated: Bool) {
        #expect(FileDiscovery.isRotated(name, of: "app.log") == rotated)
    }
}

/// A scan that cannot read a directory is not a scan that found no files.
@Suite struct FailedScanTests {
    private let now = ContinuousClock.now
    private static let key = FileKey(device: 1, inode: 10)

    /// One directory the pattern covers cannot be read (a symbolic link loop: ELOOP, even for
    /// root): the others' files are still found.
    @Test func anUnreadableDirectoryDoesNotHideTheOthers() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try FileManager.default.createDirectory(atPath: directory.file("a"), withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: directory.file("a/x.log"), contents: Data("x\n".utf8)))
        #expect(symlink("loop", directory.file("loop")) == 0)
        let result = FileDiscovery(patterns: [directory.file("*/*.log")]).scan()
        #expect(result.files.map(\.path) == [directory.file("a/x.log")])
    }

    @Test func aFileMissingFromAScanIsLookedAtDirectly() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("app.log")
        #expect(FileManager.default.createFile(atPath: path, contents: Data("x\n".utf8)))
        var info = stat()
        #expect(stat(path, &info) == 0)
        let key = FileKey(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
        guard case .present(let found) = FileDiscovery.presence(of: path, key: key) else {
            Issue.record("not present")
            return
        }
        #expect(found.key == key && found.size == 2)
        #expect(FileDiscovery.presence(of: path, key: FileKey(device: key.device, inode: key.inode + 1)) == .gone)
        #expect(FileDiscovery.presence(of: directory.file("missing.log"), key: key) == .gone)
        #expect(symlink("loop", directory.file("loop")) == 0)
        #expect(FileDiscovery.presence(of: directory.file("loop/app.log"), key: key) == .unknown)
    }

    @Test func aFileThatCannotBeSeenIsNotFinished() {
        var tracker = FileTracker(checkpoints: [], readFrom: .beginning)
        _ = tracker.onScan([.init(path: "/l/app.log", key: Self.key, size: 10)], now: now)
        #expect(tracker.onScan([], now: now, unknown: [Self.key]).isEmpty)
        #expect(!tracker.isFinishing(Self.key))
        // Back in the next scan: followed on, not opened again.
        #expect(tracker.onScan([.init(path: "/l/app.log", key: Self.key, size: 12)], now: now).isEmpty)
        #expect(tracker.onScan([], now: now) == [.finish(Self.key, path: "/l/app.log", reason: .removed)])
    }
}

@Suite struct InputPathTests {
    @Test(arguments: [
        ("/l/app.log", true), ("/l/sub/app.log", false), ("/l/app.txt", false), ("/m/a.txt", true),
        ("/m/b.txt", true), ("/m/c.txt", false), ("/l/skip.log", false),
    ])
    func tellsWhetherACheckpointedPathWasThisInputs(path: String, matched: Bool) {
        let discovery = FileDiscovery(patterns: ["/l/*.log", "/m/{a,b}.txt"], exclude: ["*/skip.log"])
        #expect(discovery.isMatched(path) == matched)
    }
}
