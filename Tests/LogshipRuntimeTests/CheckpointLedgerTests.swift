import Foundation
import LogshipCore
import LogshipRuntime
import LogshipTail
import Synchronization
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

    /// Cuts (`FileCut`) are written with the checkpoint while it is before them, and dropped once
    /// acknowledgements pass them or the file is read as a new generation; they survive a reload.
    @Test func cutsAreKeptWhileTheCheckpointIsBeforeThem() throws {
        let (ledger, store, directory) = try makeLedger()
        defer { try? FileManager.default.removeItem(at: directory) }
        ledger.opened(key, path: "/logs/a.log", at: 0)
        ledger.register([source(0, 10), source(10, 20), source(20, 30)])
        ledger.cut(key, at: FileCut(offset: 10, kind: .event), generation: 0)
        ledger.cut(key, at: FileCut(offset: 20, kind: .line), generation: 0)
        try ledger.write()
        let written = try store.load().files
        #expect(written.first?.cuts == [FileCut(offset: 10, kind: .event), FileCut(offset: 20, kind: .line)])
        let reloaded = CheckpointLedger(store: store, restored: written, metrics: MetricStore())
        try reloaded.write(force: true)
        #expect(try store.load().files.first?.cuts.count == 2)
        ledger.acknowledge([source(0, 10)])
        try ledger.write()
        #expect(try store.load().files.first?.cuts == [FileCut(offset: 20, kind: .line)])
        ledger.acknowledge([source(10, 20), source(20, 30)])
        try ledger.write()
        #expect(try store.load().files.first?.cuts == [])
        ledger.cut(key, at: FileCut(offset: 40, kind: .event), generation: 0)
        ledger.truncated(key, path: "/logs/a.log", generation: 1)
        try ledger.write()
        #expect(try store.load().files.first?.cuts == [])
    }

    /// A closed file's entry stays, marked closed once its events are acknowledged, for
    /// `forgetAfter`; then it is dropped (with its counted offset).
    @Test func aClosedFileIsRememberedForForgetAfter() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = CheckpointStore(directory: directory.path)
        let clock = Mutex(Date(timeIntervalSince1970: 1_000_000))
        let ledger = CheckpointLedger(
            store: store,
            restored: [],
            metrics: MetricStore(),
            forgetAfter: .seconds(3600),
            now: { clock.withLock { $0 } }
        )
        let head = FileHead(of: Array("2025-11-01 first line\n".utf8))
        ledger.opened(key, path: "/logs/a.log", at: 0)
        ledger.identified(key, head: head)
        ledger.register([source(0, 10)])
        ledger.closed(key)
        try ledger.write()
        #expect(try store.load().files == [FileCheckpoint(fileKey: key, path: "/logs/a.log", offset: 0, head: head)])
        clock.withLock { $0 += 5 }
        ledger.acknowledge([source(0, 10)])
        try ledger.write()
        let closed = FileCheckpoint(fileKey: key, path: "/logs/a.log", offset: 10, head: head, closedAt: 1_000_005)
        #expect(try store.load().files == [closed])
        clock.withLock { $0 += 3600 }
        try ledger.write(force: true)
        #expect(try store.load().files == [closed], "kept for forget_after")
        clock.withLock { $0 += 1 }
        try ledger.write(force: true)
        #expect(try store.load().files.isEmpty)
        #expect(ledger.committedOffset(of: key) == nil)
    }

    /// A closed file opened again (it came back) is followed again, not closed.
    @Test func aClosedFileThatComesBackIsFollowedAgain() throws {
        let (ledger, store, directory) = try makeLedger()
        defer { try? FileManager.default.removeItem(at: directory) }
        ledger.opened(key, path: "/logs/a.log", at: 0)
        ledger.register([source(0, 10)])
        ledger.acknowledge([source(0, 10)])
        ledger.closed(key)
        try ledger.write()
        #expect(try store.load().files.first?.closedAt != nil)
        ledger.opened(key, path: "/logs/a.log", at: 10)
        try ledger.write()
        #expect(try store.load().files == [FileCheckpoint(fileKey: key, path: "/logs/a.log", offset: 10)])
    }

    /// One input's "gone" or "closed" does not close a file another input follows (it moved
    /// from one's patterns to the other's).
    @Test func aFileAnotherInputFollowsStaysOpen() throws {
        let (ledger, store, directory) = try makeLedger()
        defer { try? FileManager.default.removeItem(at: directory) }
        ledger.opened(key, path: "/b/a.log", at: 40, by: "b")
        ledger.gone(key)
        ledger.opened(key, path: "/a/a.log", at: 40, by: "a")
        ledger.closed(key, by: "a")
        try ledger.write()
        #expect(try store.load().files == [FileCheckpoint(fileKey: key, path: "/a/a.log", offset: 40)])
        ledger.closed(key, by: "b")
        try ledger.write()
        #expect(try store.load().files.first?.closedAt != nil)
    }

    /// A file opened again further on (suspended and reopened, or closed and back) while its
    /// events are still in flight keeps their progress: the checkpoint moves only once they are
    /// acknowledged.
    @Test func reopeningWithEventsInFlightKeepsTheirProgress() throws {
        let (ledger, store, directory) = try makeLedger()
        defer { try? FileManager.default.removeItem(at: directory) }
        ledger.opened(key, path: "/logs/a.log", at: 0)
        ledger.register([source(0, 10), source(10, 20)])
        ledger.closed(key)
        ledger.opened(key, path: "/logs/a.log", at: 20)
        try ledger.write()
        #expect(try store.load().files.first?.offset == 0)
        ledger.acknowledge([source(0, 10)])
        try ledger.write()
        #expect(try store.load().files.first?.offset == 10)
        ledger.acknowledge([source(10, 20)])
        try ledger.write()
        #expect(try store.load().files.first?.offset == 20)
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
