import Foundation
import LogshipCore
import LogshipRuntime
import LogshipTail
import Testing

struct CheckpointLedgerTests {
    let key = FileKey(device: 1, inode: 2)

    func source(_ start: Int64, _ end: Int64) -> EventSource {
        EventSource(fileKey: key, startOffset: start, endOffset: end)
    }

    func makeLedger() throws -> (CheckpointLedger, CheckpointStore, URL) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-\(UUID().uuidString)")
        let store = CheckpointStore(directory: directory.path)
        return (CheckpointLedger(store: store, restored: [], metrics: MetricStore()), store, directory)
    }

    @Test func checkpointsAdvanceOnlyOverAcknowledgedEvents() throws {
        let (ledger, store, directory) = try makeLedger()
        defer { try? FileManager.default.removeItem(at: directory) }
        ledger.opened(key, path: "/logs/a.log", at: 0)
        ledger.register([source(0, 10), source(10, 20)])
        ledger.acknowledge([source(10, 20)])
        try ledger.write()
        #expect(try store.load().files == [FileCheckpoint(fileKey: key, path: "/logs/a.log", offset: 0)])
        ledger.acknowledge([source(0, 10)])
        try ledger.write()
        #expect(try store.load().files.first?.offset == 20)
        #expect(try ledger.write() == false)  // nothing changed, nothing written
    }

    @Test func aClosedFileLeavesTheCheckpointsOnceAcknowledged() throws {
        let (ledger, store, directory) = try makeLedger()
        defer { try? FileManager.default.removeItem(at: directory) }
        ledger.opened(key, path: "/logs/a.log", at: 0)
        ledger.register([source(0, 10)])
        ledger.closed(key)
        try ledger.write()
        #expect(try store.load().files.count == 1, "still pending: kept")
        ledger.acknowledge([source(0, 10)])
        try ledger.write()
        #expect(try store.load().files.isEmpty)
        #expect(ledger.committedOffset(of: key) == nil)
    }

    @Test func reopeningBelowTheCheckpointStartsOver() throws {
        let store = CheckpointStore(
            directory: FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString).path
        )
        let ledger = CheckpointLedger(
            store: store,
            restored: [FileCheckpoint(fileKey: key, path: "/logs/a.log", offset: 500)],
            metrics: MetricStore()
        )
        ledger.opened(key, path: "/logs/a.log", at: 500)
        #expect(ledger.committedOffset(of: key) == 500)
        ledger.opened(key, path: "/logs/a.log", at: 0)  // the file shrank while logship was down
        #expect(ledger.committedOffset(of: key) == 0)
    }
}
