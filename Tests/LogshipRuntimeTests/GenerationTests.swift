import Foundation
import LogshipCore
import LogshipOutputs
import LogshipRuntime
import LogshipTail
import Testing

/// A file truncated (copytruncate) and read again from 0 is a new generation: what was read
/// before can no longer move its checkpoint, and its documents have their own ids.
struct GenerationTests {
    let key = FileKey(device: 1, inode: 2)

    func source(_ start: Int64, _ end: Int64, generation: UInt32 = 0) -> EventSource {
        EventSource(fileKey: key, startOffset: start, endOffset: end, generation: generation)
    }

    /// The old generation's events are acknowledged after the truncation, at the same end
    /// offsets as the new generation's: the new checkpoint does not move.
    @Test func lateAcknowledgementsOfAnOlderGenerationMoveNothing() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "generations-\(UUID().uuidString)"
        )
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = CheckpointStore(directory: directory.path)
        let ledger = CheckpointLedger(store: store, restored: [], metrics: MetricStore())
        ledger.opened(key, path: "/logs/a.log", at: 0, generation: 0)
        ledger.register([source(0, 10), source(10, 20)])
        ledger.truncated(key, path: "/logs/a.log", generation: 1)
        ledger.register([source(0, 10, generation: 1), source(10, 20, generation: 1)])
        ledger.acknowledge([source(0, 10), source(10, 20)])
        #expect(ledger.committedOffset(of: key) == 0)
        #expect(ledger.pendingCount == 2)
        try ledger.write(force: true)
        #expect(try store.load().files == [FileCheckpoint(fileKey: key, path: "/logs/a.log", offset: 0, generation: 1)])
        ledger.acknowledge([source(0, 10, generation: 1)])
        #expect(ledger.committedOffset(of: key) == 10)
        ledger.acknowledge([source(10, 20, generation: 1)])
        #expect(ledger.committedOffset(of: key) == 20)
        try ledger.write()
        let saved = try store.load()
        #expect(saved.files == [FileCheckpoint(fileKey: key, path: "/logs/a.log", offset: 20, generation: 1)])
        #expect(saved.version == 2)
        // Restarted from it: the generation goes on.
        let restarted = CheckpointLedger(store: store, restored: saved.files, metrics: MetricStore())
        restarted.opened(key, path: "/logs/a.log", at: 20, generation: 1)
        restarted.register([source(20, 30, generation: 1)])
        restarted.acknowledge([source(20, 30, generation: 1)])
        #expect(restarted.committedOffset(of: key) == 30)
    }

    /// Truncated (copytruncate) while events of the old generation are in flight: the
    /// checkpoint stays at the old generation, with its fingerprint, until they are all
    /// acknowledged, so a crash meanwhile reads them again (from the copy) instead of skipping
    /// them; then it moves to the new generation's progress.
    @Test func theOldGenerationInFlightIsTheCheckpointUntilAcknowledged() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "generations-\(UUID().uuidString)"
        )
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = CheckpointStore(directory: directory.path)
        let ledger = CheckpointLedger(store: store, restored: [], metrics: MetricStore())
        let old = FileHead(of: Array("2025-11-01 old first line\n".utf8))
        let new = FileHead(of: Array("2025-11-01 new first line\n".utf8))
        ledger.opened(key, path: "/logs/a.log", at: 0, generation: 0)
        ledger.identified(key, head: old)
        ledger.register([source(0, 10), source(10, 20), source(20, 30)])
        ledger.acknowledge([source(0, 10)])
        ledger.truncated(key, path: "/logs/a.log", generation: 1)
        ledger.identified(key, head: new)
        ledger.register([source(0, 5, generation: 1)])
        ledger.acknowledge([source(0, 5, generation: 1)])
        try ledger.write(force: true)
        #expect(
            try store.load().files == [
                FileCheckpoint(fileKey: key, path: "/logs/a.log", offset: 10, generation: 0, head: old)
            ]
        )
        ledger.acknowledge([source(20, 30)])
        try ledger.write(force: true)
        #expect(try store.load().files.first?.offset == 10, "20..30 waits for 10..20")
        ledger.acknowledge([source(10, 20)])
        try ledger.write(force: true)
        #expect(
            try store.load().files == [
                FileCheckpoint(fileKey: key, path: "/logs/a.log", offset: 5, generation: 1, head: new)
            ]
        )
        #expect(ledger.pendingCount == 0)
    }

    /// While every file is at generation 0 the file stays in format 1, which the releases before
    /// generations read.
    @Test func generationZeroKeepsTheFormatOfEarlierReleases() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "generations-\(UUID().uuidString)"
        )
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = CheckpointStore(directory: directory.path)
        let ledger = CheckpointLedger(store: store, restored: [], metrics: MetricStore())
        ledger.opened(key, path: "/logs/a.log", at: 5, generation: 0)
        try ledger.write(force: true)
        let text = try String(contentsOfFile: store.path, encoding: .utf8)
        #expect(text.contains(#""version":1"#))
        #expect(!text.contains("generation"))
    }

    @Test func aCheckpointWithoutAGenerationIsGenerationZero() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "generations-\(UUID().uuidString)"
        )
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = CheckpointStore(directory: directory.path)
        let old = #"{"files":[{"fileKey":{"device":1,"inode":2},"offset":7,"path":"/logs/a.log"}],"version":1}"#
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data(old.utf8).write(to: URL(fileURLWithPath: store.path))
        #expect(try store.load().files == [FileCheckpoint(fileKey: key, path: "/logs/a.log", offset: 7, generation: 0)])
        try Data(old.replacingOccurrences(of: #""version":1"#, with: #""version":4"#).utf8)
            .write(to: URL(fileURLWithPath: store.path))
        #expect(throws: TailError.self) { try store.load() }
    }

    /// Generation 0 keeps the ids of earlier releases (a restart after an upgrade re-sends under
    /// the same ids); later generations differ from it, and the encoder writes the same id.
    @Test func eachGenerationHasItsOwnDocumentIDs() throws {
        let first = source(0x40, 0x80)
        var second = first
        second.generation = 2
        #expect(first.documentID == "1-2-40-0")
        #expect(second.documentID == "1-2-40-0-g2")
        for source in [first, second] {
            var encoder = BulkEncoder(indexPattern: try IndexPattern(parsing: "logs"))
            var bytes: [UInt8] = []
            _ = encoder.append(
                Event(message: "line", timestamp: Date(timeIntervalSince1970: 0), source: source),
                to: &bytes
            )
            let action = String(decoding: bytes.prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self)
            #expect(action == #"{"create":{"_index":"logs","_id":""# + source.documentID + #""}}"#)
        }
    }
}
