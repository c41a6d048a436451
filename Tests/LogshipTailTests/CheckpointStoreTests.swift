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

    /// Marks and cuts round-trip; a cut of a kind a newer release wrote is skipped, not taken
    /// for a corrupt file.
    @Test func marksAndCutsRoundTripAndUnknownCutKindsAreSkipped() throws {
        var head = FileHead(of: Array("2025-11-01 first\n".utf8))
        head.mark = FileHead.Mark(offset: 4000, hash: 0xdead_beef)
        let checkpoint = FileCheckpoint(
            fileKey: FileKey(device: 1, inode: 2),
            path: "/l/a.log",
            offset: 10,
            head: head,
            cuts: [FileCut(offset: 20, kind: .line), FileCut(offset: 30, kind: .event)]
        )
        let data = try JSONEncoder().encode(checkpoint)
        #expect(try JSONDecoder().decode(FileCheckpoint.self, from: data) == checkpoint)
        let newer =
            #"{"fileKey":{"device":1,"inode":2},"path":"/l/a.log","offset":10,"cuts":[{"offset":20,"kind":"line"},{"offset":25,"kind":"regrouped"}]}"#
        let decoded = try JSONDecoder().decode(FileCheckpoint.self, from: Data(newer.utf8))
        #expect(decoded.cuts == [FileCut(offset: 20, kind: .line)])
    }

    @Test func missingFileIsAnEmptyState() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        #expect(try CheckpointStore(directory: directory.path + "/absent").load() == CheckpointState())
    }

    @Test(arguments: ["{not json", #"{"version": 1}"#, #"{"version": 0, "files": []}"#, ""])
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
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
                == ["checkpoints.json", "checkpoints.json.prev"]
        )
        #expect(try store.load().files[0].offset == 4)
        // The state the last save replaced.
        #expect(try store.recover().state.files[0].offset == 4)
        try Data("{trunc".utf8).write(to: URL(fileURLWithPath: store.path))
        #expect(try store.recover().state.files[0].offset == 3)
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

/// What logship does at startup with checkpoint files it finds: it starts from what it can trust
/// and says what it did, instead of refusing to start.
@Suite struct CheckpointRecoveryTests {
    private let older = CheckpointState(
        files: [FileCheckpoint(fileKey: FileKey(device: 1, inode: 7), path: "/logs/a.log", offset: 100)]
    )
    private let newer = CheckpointState(
        files: [FileCheckpoint(fileKey: FileKey(device: 1, inode: 7), path: "/logs/a.log", offset: 250)]
    )
    private let now = Date(timeIntervalSince1970: 1_800_000_000)

    private func names(_ directory: TemporaryDirectory) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
    }

    @Test func aReadableFileIsUsedAsItIs() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = CheckpointStore(directory: directory.path)
        #expect(try store.recover() == CheckpointStore.Recovery(state: CheckpointState()))
        try store.save(older)
        try store.save(newer)
        #expect(try store.recover(now: now) == CheckpointStore.Recovery(state: newer))
    }

    /// Truncated, damaged, not an object: moved aside with its bytes, and the state before it used.
    @Test(arguments: ["", "{\"version\": 1, \"files\": [{\"fileKey\"", "\u{0}\u{0}\u{0}", "[]"])
    func aCorruptFileIsMovedAsideAndThePreviousStateUsed(content: String) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = CheckpointStore(directory: directory.path)
        try store.save(older)
        try store.save(newer)
        try Data(content.utf8).write(to: URL(fileURLWithPath: store.path))
        let recovery = try store.recover(now: now)
        #expect(recovery.state == older)
        #expect(!recovery.startedOver)
        let aside = store.path + ".corrupt-2027-01-15T08:00:00Z"
        #expect(try names(directory) == ["checkpoints.json.corrupt-2027-01-15T08:00:00Z", "checkpoints.json.prev"])
        #expect(FileManager.default.contents(atPath: aside) == Data(content.utf8))
        #expect(recovery.notices.contains { $0.contains(aside) && $0.contains("corrupt") })
        #expect(recovery.notices.contains { $0.contains(store.previousPath) })
        // The next save writes a checkpoint file again.
        try store.save(newer)
        #expect(try store.load() == newer)
    }

    @Test func withNothingToTrustEveryFileIsReadAgain() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = CheckpointStore(directory: directory.path)
        try Data("{".utf8).write(to: URL(fileURLWithPath: store.path))
        try Data("also bad".utf8).write(to: URL(fileURLWithPath: store.previousPath))
        let recovery = try store.recover(now: now)
        #expect(recovery.state == CheckpointState())
        #expect(recovery.startedOver)
        #expect(
            try names(directory) == [
                "checkpoints.json.corrupt-2027-01-15T08:00:00Z", "checkpoints.json.corrupt-2027-01-15T08:00:00Z-prev",
            ]
        )
        #expect(recovery.notices.last?.contains("read again from its start") == true)
    }

    /// A crash can leave the previous state alone (a file removed by hand, too): it is used.
    @Test func aMissingFileFallsBackToThePreviousState() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = CheckpointStore(directory: directory.path)
        try store.save(older)
        try store.save(newer)
        try FileManager.default.removeItem(atPath: store.path)
        let recovery = try store.recover(now: now)
        #expect(recovery.state == older)
        #expect(recovery.notices.count == 1)
        #expect(recovery.notices[0].contains("is missing"))
    }

    @Test func temporaryFilesOfAnInterruptedWriteAreRemoved() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = CheckpointStore(directory: directory.path)
        try store.save(newer)
        for suffix in ["tmp-123-456", "tmp-9-1"] {
            try Data("{\"version\":".utf8).write(to: URL(fileURLWithPath: store.path + "." + suffix))
        }
        let recovery = try store.recover(now: now)
        #expect(recovery.state == newer)
        #expect(recovery.notices.count == 1)
        #expect(try names(directory) == ["checkpoints.json"])
    }

    /// After a recovery moved the checkpoint file aside, `.prev` is the only state left: the
    /// next save does not replace it with nothing.
    @Test func aSaveWithoutACheckpointFileKeepsThePreviousState() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = CheckpointStore(directory: directory.path)
        try store.save(older)
        try store.save(newer)
        try FileManager.default.removeItem(atPath: store.path)
        try store.save(newer)
        #expect(try store.load() == newer)
        #expect(try CheckpointStore(directory: directory.path).recover(now: now).state == newer)
        try FileManager.default.removeItem(atPath: store.path)
        #expect(try store.recover(now: now).state == older)
    }

    /// Written by a newer logship: refusing is safer than reading everything again after a
    /// downgrade. The file stays where it is.
    @Test func aNewerFormatRefusesToStartAndNamesTheFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = CheckpointStore(directory: directory.path)
        try Data(#"{"version": 9, "files": []}"#.utf8).write(to: URL(fileURLWithPath: store.path))
        do {
            _ = try store.recover(now: now)
            Issue.record("a newer format was accepted")
        } catch {
            #expect("\(error)".contains(store.path))
            #expect("\(error)".contains("version 9"))
        }
        #expect(try names(directory) == ["checkpoints.json"])
    }
}
