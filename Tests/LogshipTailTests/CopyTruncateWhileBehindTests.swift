import Foundation
import Glibc
import Logging
import LogshipCore
import LogshipTail
import Synchronization
import Testing

/// copytruncate while logship is far behind (its output holds it back): the lines it had not
/// read yet are read from the copy, then the live file's new lines, each once, in order.
@Suite struct CopyTruncateWhileBehindTests {
    /// Holds the first batch until `release()`: the output is slow, reading waits behind it.
    final class HeldCollector: FileInputDelegate {
        let collector = EventCollector()
        private let gate = Mutex<(held: Bool, released: Bool, waiter: CheckedContinuation<Void, Never>?)>(
            (false, false, nil)
        )
        private let heldSignal = AsyncStream<Void>.makeStream()

        /// Returns once the first batch is held.
        func waitUntilHeld() async {
            for await _ in heldSignal.stream { return }
        }

        func release() {
            let waiter = gate.withLock { gate -> CheckedContinuation<Void, Never>? in
                gate.released = true
                defer { gate.waiter = nil }
                return gate.waiter
            }
            waiter?.resume()
        }

        func fileInputOpened(_ key: FileKey, path: String, at offset: Int64, generation: UInt32) async {
            await collector.fileInputOpened(key, path: path, at: offset, generation: generation)
        }

        func fileInputTruncated(_ key: FileKey, path: String, generation: UInt32) async {
            await collector.fileInputTruncated(key, path: path, generation: generation)
        }

        func fileInputClosed(_ key: FileKey, path: String) async {
            await collector.fileInputClosed(key, path: path)
        }

        func fileInputEmit(_ batch: consuming EventBatch) async {
            let hold = gate.withLock { gate -> Bool in
                defer { gate.held = true }
                return !gate.held && !gate.released
            }
            if hold {
                await withCheckedContinuation { continuation in
                    let released = gate.withLock { gate -> Bool in
                        if !gate.released { gate.waiter = continuation }
                        return gate.released
                    }
                    heldSignal.continuation.yield()
                    if released { continuation.resume() }
                }
            }
            await collector.fileInputEmit(batch)
        }
    }

    /// What the input did, for a failure's message.
    private static func describe(_ input: FileInput, _ record: EventCollector.Record, _ messages: [String]) -> String {
        "statistics: \(input.statistics); opened: \(record.opened); truncated: \(record.truncated); "
            + "closed: \(record.closed); generations \(record.generations); last: \(messages.suffix(2))"
    }

    private func lines(_ prefix: String, _ range: Range<Int>) -> String {
        range.map { "\(prefix) line \(String(format: "%06d", $0)) of the copytruncate test\n" }.joined()
    }

    @Test(arguments: [false, true])
    func everyLineOnceWhenTheLiveFileGrows(pastTheReadOffset: Bool) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("app.log")
        try Data(lines("old", 0..<5_000).utf8).write(to: URL(fileURLWithPath: path))
        let delegate = HeldCollector()
        var configuration = FileInputConfiguration(id: "test", paths: [path])
        configuration.readBufferBytes = 4096
        configuration.maximumBatchEvents = 50
        let input = FileInput(configuration: configuration, delegate: delegate, logger: Logger(label: "test"))
        let newCount = pastTheReadOffset ? 8_000 : 100
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await input.run() }
            await delegate.waitUntilHeld()
            // Far behind: a batch or two read of 5,000 lines. logrotate's copytruncate, then
            // the service writes on at the start of the file.
            try FileManager.default.copyItem(atPath: path, toPath: directory.file("app.log.1"))
            #expect(truncate(path, 0) == 0)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            try handle.write(contentsOf: Data(lines("new", 0..<newCount).utf8))
            try handle.close()
            delegate.release()
            // A safety net, not the synchronisation: generous, for a machine busy with the
            // end-to-end tests running beside this one.
            try await delegate.collector.waitUntil(timeout: .seconds(120)) { $0.events.count >= 5_000 + newCount }
            group.cancelAll()
            try await group.waitForAll()
        }
        let messages = delegate.collector.messages
        let old = messages.filter { $0.hasPrefix("old") }
        let new = messages.filter { $0.hasPrefix("new") }
        let record = delegate.collector.snapshot
        #expect(
            messages.count == 5_000 + newCount,
            "\(Self.describe(input, record, messages))"
        )
        // Compared as counts and first differences: a failure prints what matters.
        let expectedOld = lines("old", 0..<5_000).split(separator: "\n").map(String.init)
        let expectedNew = lines("new", 0..<newCount).split(separator: "\n").map(String.init)
        #expect(old.count == expectedOld.count && new.count == expectedNew.count)
        #expect(zip(old, expectedOld).first { $0 != $1 } == nil)
        #expect(zip(new, expectedNew).first { $0 != $1 } == nil)
        #expect(input.statistics.lostFiles == 0)
        #expect(delegate.collector.snapshot.truncated.count == 1)
    }

    /// The copy exists before reading is held (its directory event was used up by an earlier
    /// scan, as when logrotate copies a big file for seconds); then the truncation and more new
    /// lines than the read offset, with no directory event before the next read: the first bytes
    /// checked after each read tell, the new lines are not taken for the rest of the old.
    @Test func aTruncationWithoutADirectoryEventIsSeenBeforeNewBytesAreUsed() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("app.log")
        try Data(lines("old", 0..<5_000).utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.copyItem(atPath: path, toPath: directory.file("app.log.1"))
        let delegate = HeldCollector()
        var configuration = FileInputConfiguration(id: "test", paths: [path])
        configuration.readBufferBytes = 4096
        configuration.maximumBatchEvents = 50
        let input = FileInput(configuration: configuration, delegate: delegate, logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await input.run() }
            await delegate.waitUntilHeld()
            #expect(truncate(path, 0) == 0)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            try handle.write(contentsOf: Data(lines("new", 0..<8_000).utf8))
            try handle.close()
            delegate.release()
            try await delegate.collector.waitUntil(timeout: .seconds(120)) { $0.events.count >= 13_000 }
            group.cancelAll()
            try await group.waitForAll()
        }
        let messages = delegate.collector.messages
        let old = messages.filter { $0.hasPrefix("old") }
        let new = messages.filter { $0.hasPrefix("new") }
        let record = delegate.collector.snapshot
        #expect(
            messages.count == 13_000,
            "\(Self.describe(input, record, messages))"
        )
        #expect(old.count == 5_000 && Set(old).count == 5_000)
        #expect(new.count == 8_000 && Set(new).count == 8_000)
        #expect(input.statistics.lostFiles == 0)
    }
}
