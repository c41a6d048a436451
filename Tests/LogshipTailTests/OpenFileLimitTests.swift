import Foundation
import Logging
import LogshipCore
import LogshipTail
import Testing

/// `maximumOpenFiles` and `closeInactive`: files wait for a descriptor, oldest first; files at
/// their end give theirs up and are opened again when they change.
@Suite struct OpenFileLimitTests {
    private let now = ContinuousClock.now

    private func key(_ inode: UInt64) -> FileKey { FileKey(device: 1, inode: inode) }

    private func file(_ inode: UInt64, size: Int64, modified: Int64) -> FileTracker.ScannedFile {
        FileTracker.ScannedFile(path: "/l/\(inode).log", key: key(inode), size: size, modified: modified)
    }

    @Test func filesBeyondTheLimitWaitOldestFirstAndNoneIsDropped() {
        var tracker = FileTracker(checkpoints: [], readFrom: .beginning, maximumOpenFiles: 2)
        let scan = [
            file(1, size: 10, modified: 40), file(2, size: 10, modified: 10), file(3, size: 10, modified: 30),
            file(4, size: 10, modified: 20),
        ]
        #expect(
            tracker.onScan(scan, now: now) == [
                .open(key(2), path: "/l/2.log", offset: 0, reason: .beginning),
                .open(key(4), path: "/l/4.log", offset: 0, reason: .beginning),
            ]
        )
        #expect(tracker.queuedCount == 2)
        // Read to their ends while others wait: suspended at once.
        tracker.onRead(key(2), offset: 10, now: now)
        tracker.onRead(key(4), offset: 10, now: now)
        #expect(tracker.onEndOfFile(key(2), now: now) == .suspend(key(2), path: "/l/2.log"))
        #expect(tracker.onEndOfFile(key(4), now: now) == .suspend(key(4), path: "/l/4.log"))
        #expect(tracker.count == 0)
        #expect(
            tracker.onScan(scan, now: now) == [
                .open(key(3), path: "/l/3.log", offset: 0, reason: .beginning),
                .open(key(1), path: "/l/1.log", offset: 0, reason: .beginning),
            ]
        )
        #expect(tracker.queuedCount == 0, "the suspended ones did not change: not reopened")
    }

    @Test func anIdleFileIsSuspendedAfterCloseInactiveAndReopenedWhenItGrows() {
        var tracker = FileTracker(
            checkpoints: [],
            readFrom: .beginning,
            maximumOpenFiles: 10,
            closeInactive: .seconds(300)
        )
        _ = tracker.onScan([file(1, size: 25, modified: 1)], now: now)
        // Read to 25, the last 5 bytes a partial line.
        tracker.onRead(key(1), offset: 25, lineStart: 20, now: now)
        #expect(tracker.onEndOfFile(key(1), now: now + .seconds(299)) == nil)
        #expect(tracker.onEndOfFile(key(1), now: now + .seconds(300)) == .suspend(key(1), path: "/l/1.log"))
        #expect(tracker.isSuspended(key(1)))
        // Unchanged: left closed, not looked for among rotated copies.
        #expect(tracker.onScan([file(1, size: 25, modified: 1)], now: now).isEmpty)
        #expect(tracker.unfoundCheckpointPaths.isEmpty)
        #expect(tracker.onChanged([file(1, size: 25, modified: 1)], now: now).isEmpty)
        // Grown: opened again at the start of the partial line.
        #expect(
            tracker.onChanged([file(1, size: 40, modified: 2)], now: now) == [
                .open(key(1), path: "/l/1.log", offset: 20, reason: .checkpoint)
            ]
        )
    }

    /// A suspended file renamed away (rotated) is looked for beside its path like a checkpointed
    /// one, and finished.
    @Test func aSuspendedFileRotatedAwayIsFinished() {
        var tracker = FileTracker(checkpoints: [], readFrom: .beginning, closeInactive: .zero)
        _ = tracker.onScan([file(1, size: 10, modified: 1)], now: now)
        tracker.onRead(key(1), offset: 10, now: now)
        #expect(tracker.onEndOfFile(key(1), now: now) == .suspend(key(1), path: "/l/1.log"))
        #expect(tracker.onScan([file(2, size: 0, modified: 5)], now: now).count == 1)
        #expect(tracker.unfoundCheckpointPaths == ["/l/1.log"])
        let rotated = FileTracker.ScannedFile(path: "/l/1.log.1", key: key(1), size: 30, modified: 4)
        #expect(
            tracker.onRotatedSiblings([rotated], now: now, listed: ["/l/1.log"]) == [
                .open(key(1), path: "/l/1.log.1", offset: 10, reason: .checkpoint),
                .finish(key(1), path: "/l/1.log.1", reason: .renamed),
            ]
        )
    }
}

/// The same on real files, with inotify: every line of more files than descriptors, and a file
/// written to after it gave up its descriptor.
@Suite struct OpenFileLimitInputTests {
    @Test func moreFilesThanDescriptorsAreAllReadAndWrittenToAgain() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        for index in 0..<40 {
            try Data("file \(index) line 1\nfile \(index) line 2\n".utf8).write(
                to: URL(fileURLWithPath: directory.file("f\(index).log"))
            )
        }
        var configuration = FileInputConfiguration(id: "test", paths: [directory.file("*.log")])
        configuration.maximumOpenFiles = 3
        configuration.closeInactive = .zero
        let collector = EventCollector()
        let input = FileInput(configuration: configuration, delegate: collector, logger: Logger(label: "test"))
        try await whileRunning(input) {
            try await collector.waitUntil { $0.events.count == 80 }
            #expect(input.statistics.filesOpen <= 3)
            // Every file gave its descriptor up; a line appended to one is read through inotify.
            try append("file 7 line 3\n", to: directory.file("f7.log"))
            try await collector.waitUntil { $0.events.count == 81 }
        }
        let messages = collector.messages
        #expect(Set(messages).count == 81)
        #expect(messages.last == "file 7 line 3")
        #expect(input.statistics.filesQueued == 0)
    }
}
