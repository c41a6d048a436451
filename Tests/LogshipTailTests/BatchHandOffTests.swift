import Foundation
import Logging
import LogshipCore
import LogshipTail
import Synchronization
import Testing

/// The file input hands each batch over and keeps no reference to it: the pipeline transforms it
/// in place. A batch still referenced by the input (the engine's last step, the thread pool's
/// future) was copied whole by the first transform that changed it, on every batch.
@Suite struct BatchHandOffTests {
    /// Changes each batch it gets and counts those whose storage moved: a change to storage
    /// referenced elsewhere copies it (copy-on-write), to storage owned alone happens in place.
    private final class ChangingDelegate: FileInputDelegate {
        private let counts = Mutex((batches: 0, copied: 0, events: 0))
        var snapshot: (batches: Int, copied: Int, events: Int) { counts.withLock { $0 } }

        func fileInputOpened(_ key: FileKey, path: String, at offset: Int64, generation: UInt32) async {}
        func fileInputTruncated(_ key: FileKey, path: String, generation: UInt32) async {}

        func fileInputEmit(_ batch: consuming EventBatch) async {
            var batch = batch
            let before = batch.records.withUnsafeBufferPointer { $0.baseAddress }
            batch.records[0].flags.insert(.multiline)
            let after = batch.records.withUnsafeBufferPointer { $0.baseAddress }
            let events = batch.count
            counts.withLock {
                $0.batches += 1
                $0.events += events
                if before != after { $0.copied += 1 }
            }
        }
    }

    @Test func batchesReachTheDelegateOwnedByItAlone() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let lines = (0..<5_000).map { "2025-11-01 line \($0)\n" }.joined()
        #expect(FileManager.default.createFile(atPath: directory.file("a.log"), contents: Data(lines.utf8)))
        var configuration = FileInputConfiguration(
            id: "handoff",
            paths: [directory.file("*.log")],
            maximumBatchEvents: 50
        )
        // Small reads: many steps, so both the step read ahead and the one read on demand are seen.
        configuration.readBufferBytes = 4_096
        configuration.stopsAtEndOfFiles = true
        let delegate = ChangingDelegate()
        try await FileInput(configuration: configuration, delegate: delegate, logger: Logger(label: "test")).run()
        let counts = delegate.snapshot
        #expect(counts.events == 5_000)
        #expect(counts.batches >= 100)
        #expect(counts.copied == 0)
    }
}
