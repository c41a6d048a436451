import Foundation
import LogshipCore
import LogshipTail
import Testing

@Suite struct CheckpointStoreTests {
    private let state = CheckpointState(
        files: [
            FileCheckpoint(fileKey: FileKey(device: 2049, inode: 77), path: "/var/log/app.log", offset: 4096),
            FileCheckpoint(fileKey: FileKey(device: 2049, inode: 78), path: "/var/log/other.log", offset: 0),
        ],
        metrics: MetricStoreSnapshot(
            families: [],
            countedOffsets: [.init(fileKey: FileKey(device: 2049, inode: 77), offset: 4096)]
        )
    )

    @Test func roundTrip() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = CheckpointStore(directory: directory.path + "/data/nested")
        #expect(store.path == directory.path + "/data/nested/checkpoints.json")
        try store.save(state)
        #expect(try store.load() == state)
        var changed = state
        changed.files[0].offset = 8192
        changed.metrics = nil
        try store.save(changed)
        #expect(try store.load() == changed)
    }

    @Test func missingFileIsAnEmptyState() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        #expect(try CheckpointStore(directory: directory.path + "/absent").load() == CheckpointState())
    }

    @Test(arguments: ["{not json", #"{"version": 1}"#, #"{"version": 9, "files": []}"#, ""])
    func corruptFileIsAnErrorNamingThePath(content: String) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = CheckpointStore(directory: directory.path)
        try content.write(toFile: store.path, atomically: false, encoding: .utf8)
        do {
            _ = try store.load()
            Issue.record("a corrupt file was accepted")
        } catch {
            #expect("\(error)".contains(store.path))
            #expect("\(error)".contains("move it aside"))
        }
    }

    @Test func saveLeavesNoTemporaryFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = CheckpointStore(directory: directory.path)
        for offset in 0..<5 {
            var next = state
            next.files[0].offset = Int64(offset)
            try store.save(next)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["checkpoints.json"])
        #expect(try store.load().files[0].offset == 4)
    }

    @Test func failedSaveKeepsThePreviousFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = CheckpointStore(directory: directory.path)
        try store.save(state)
        // A directory where the checkpoint file should be makes the rename fail.
        let blocked = CheckpointStore(directory: directory.path + "/blocked")
        try FileManager.default.createDirectory(atPath: blocked.path, withIntermediateDirectories: true)
        #expect(throws: TailError.self) { try blocked.save(state) }
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: directory.path + "/blocked") == ["checkpoints.json"]
        )
        #expect(try store.load() == state)
    }
}
