import Foundation
import Glibc
import Logging
import LogshipCore
import LogshipTail
import Testing

/// `watch: poll` (no inotify) and what the input says about how far behind it is.
@Suite struct WatchModeTests {
    @Test func pollingFindsAppendedLinesAndNewFiles() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("app.log")
        try Data("first\n".utf8).write(to: URL(fileURLWithPath: path))
        var configuration = FileInputConfiguration(
            id: "test",
            paths: [directory.file("*.log")],
            rescanInterval: .milliseconds(100)
        )
        configuration.watch = .poll
        configuration.pollInterval = .milliseconds(20)
        let collector = EventCollector()
        let input = FileInput(configuration: configuration, delegate: collector, logger: Logger(label: "test"))
        try await whileRunning(input) {
            try await collector.waitUntil { $0.events.count == 1 }
            try append("second\n", to: path)
            try await collector.waitUntil { $0.events.count == 2 }
            try Data("other\n".utf8).write(to: URL(fileURLWithPath: directory.file("other.log")))
            try await collector.waitUntil { $0.events.count == 3 }
        }
        #expect(Set(collector.messages) == ["first", "second", "other"])
    }

    /// Held by its output at the first batch, the input says how much of the file is left.
    @Test func bytesBehindAreReported() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("app.log")
        let text = (0..<5_000).map { "line \($0) of a file read while the output is slow\n" }.joined()
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        var configuration = FileInputConfiguration(id: "test", paths: [path])
        configuration.readBufferBytes = 4096
        configuration.maximumBatchEvents = 10
        let delegate = CopyTruncateWhileBehindTests.HeldCollector()
        let input = FileInput(configuration: configuration, delegate: delegate, logger: Logger(label: "test"))
        try await whileRunning(input) {
            await delegate.waitUntilHeld()
            // The scan before the first read found the whole file unread.
            #expect(input.statistics.bytesBehind == UInt64(text.utf8.count))
            #expect(input.statistics.laggingFiles == [.init(path: path, bytes: UInt64(text.utf8.count))])
            delegate.release()
            try await delegate.collector.waitUntil { $0.events.count == 5_000 }
        }
    }
}

/// `maximumDeletedHold`: a deleted file that reading (held by the output) has not finished is
/// given up after the hold, its descriptor closed so the disk space is freed, and the loss counted.
@Suite struct DeletedHoldTests {
    /// Whether this process holds a descriptor on the deleted file once at `path`.
    private func holdsDeleted(_ path: String) -> Bool {
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return descriptors.contains {
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\($0)")) == path + " (deleted)"
        }
    }

    @Test func aDeletedFileHeldTooLongIsGivenUpAndCounted() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("app.log")
        let text = (0..<5_000).map { "line \($0) of a file deleted while the output is down\n" }.joined()
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        var configuration = FileInputConfiguration(id: "test", paths: [path], rescanInterval: .milliseconds(200))
        configuration.readBufferBytes = 4096
        configuration.maximumBatchEvents = 10
        configuration.maximumDeletedHold = .milliseconds(500)
        let delegate = CopyTruncateWhileBehindTests.HeldCollector()
        let input = FileInput(configuration: configuration, delegate: delegate, logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await input.run() }
            await delegate.waitUntilHeld()
            #expect(unlink(path) == 0)
            #expect(holdsDeleted(path), "held open while it is not read to its end")
            // The kernel's descriptor table is what changes, and nothing tells of it: looked at
            // every 20 ms, for at most 30 s.
            let deadline = ContinuousClock.now + .seconds(30)
            while holdsDeleted(path) && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            #expect(!holdsDeleted(path), "given up after max_deleted_hold")
            delegate.release()
            try await delegate.collector.waitUntil { !$0.closed.isEmpty }
            group.cancelAll()
            try await group.waitForAll()
        }
        #expect(input.statistics.lostFiles == 1)
        let read = delegate.collector.snapshot.events.count
        #expect(read < 5_000)
        #expect(input.statistics.lostBytes > 0 && input.statistics.lostBytes < UInt64(text.utf8.count))
    }
}

/// `partialLineTimeout`: a last line without its newline is held, or shipped once it stops
/// growing for the timeout.
@Suite struct PartialLineTests {
    @Test func aPartialLineIsShippedAfterTheTimeoutAndWhatFollowsIsALineOfItsOwn() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("app.log")
        try Data("complete\nno newline yet".utf8).write(to: URL(fileURLWithPath: path))
        var configuration = FileInputConfiguration(id: "test", paths: [path])
        configuration.partialLineTimeout = .milliseconds(100)
        let collector = EventCollector()
        let input = FileInput(configuration: configuration, delegate: collector, logger: Logger(label: "test"))
        try await whileRunning(input) {
            try await collector.waitUntil { $0.events.count == 2 }
            try append(" and the rest\n", to: path)
            try await collector.waitUntil { $0.events.count == 3 }
        }
        #expect(collector.messages == ["complete", "no newline yet", " and the rest"])
        #expect(collector.snapshot.events.map { $0.source?.endOffset } == [9, 23, 37])
        #expect(input.statistics.partialLinesFlushed == 1)
    }

    /// Off by default: the partial line waits for its newline.
    @Test func withoutTheTimeoutAPartialLineWaitsForItsNewline() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("app.log")
        try Data("complete\nno newline yet".utf8).write(to: URL(fileURLWithPath: path))
        let collector = EventCollector()
        let input = FileInput(
            configuration: FileInputConfiguration(id: "test", paths: [path]),
            delegate: collector,
            logger: Logger(label: "test")
        )
        try await whileRunning(input) {
            try await collector.waitUntil { $0.events.count == 1 }
            try append(" and the rest\n", to: path)
            try await collector.waitUntil { $0.events.count == 2 }
        }
        #expect(collector.messages == ["complete", "no newline yet and the rest"])
    }
}
