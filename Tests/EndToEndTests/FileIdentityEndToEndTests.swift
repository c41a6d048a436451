import Foundation
import Glibc
import LogshipCore
import LogshipRuntime
import LogshipTail
import Testing

/// Files whose content changed under the same inode, copytruncate while logship was stopped, and
/// files that leave the patterns and come back: every event once, counters exact.
@Suite struct FileIdentityEndToEndTests {
    private func runOnce(_ directory: TemporaryDirectory) async throws -> OnceRun {
        let run = try await EndToEndTests.runOnce(logs: directory.path("logs"), data: directory.path("data"))
        #expect(run.status == 0, "stderr:\n\(run.error)")
        #expect(run.summary?["pending"] as? Int == 0)
        return run
    }

    private func makeLogs() throws -> (TemporaryDirectory, String) {
        let directory = try TemporaryDirectory("logship-identity")
        let logs = directory.path("logs")
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        return (directory, logs)
    }

    /// `aetherra_api_requests_total` summed over its series, from the saved metric state.
    private func requestsCounted(_ directory: TemporaryDirectory) throws -> Int {
        let state = try CheckpointStore(directory: directory.path("data")).load()
        let family = state.metrics?.families.first { $0.family.name == "aetherra_api_requests_total" }
        return Int(try #require(family).series.reduce(0) { $0 + $1.value.value })
    }

    private func copy(_ source: String, to destination: String) throws {
        try FileManager.default.copyItem(atPath: source, toPath: destination)
    }

    /// copytruncate while stopped: the lines written after the checkpoint are read from the copy,
    /// then the live file from its start; whether the live file is shorter than the checkpoint
    /// or has grown past it (then only its first bytes tell).
    @Test(arguments: [150, 900])
    func copytruncateWhileStopped(eventsAfterTruncation: Int) async throws {
        let (directory, logs) = try makeLogs()
        defer { directory.remove() }
        var before = AetherraLogFixture(directory: logs)
        try before.append(events: 300)
        #expect(try await runOnce(directory).events == 300)

        try before.append(events: 200)
        try copy(before.path, to: "\(logs)/aetherra_hub.log.1")
        #expect(truncate(before.path, 0) == 0)
        var after = AetherraLogFixture(directory: logs, seed: 12, create: false)
        try after.append(events: eventsAfterTruncation)

        #expect(try await runOnce(directory).events == 200 + eventsAfterTruncation)
        #expect(try await runOnce(directory).events == 0)
        let requests = before.totals.requests.values.reduce(0, +) + after.totals.requests.values.reduce(0, +)
        #expect(try requestsCounted(directory) == requests)
    }

    /// Rewritten in place while stopped (same inode, other content, longer than the old
    /// checkpoint): read from its start, once.
    @Test func aFileRewrittenInPlaceIsReadFromItsStart() async throws {
        let (directory, logs) = try makeLogs()
        defer { directory.remove() }
        var first = AetherraLogFixture(directory: logs)
        try first.append(events: 200)
        #expect(try await runOnce(directory).events == 200)
        #expect(truncate(first.path, 0) == 0)
        var second = AetherraLogFixture(directory: logs, seed: 12, create: false)
        try second.append(events: 700)
        #expect(try await runOnce(directory).events == 700)
        #expect(try await runOnce(directory).events == 0)
    }

    /// Rewritten in place while stopped with content that starts with the same 1,100 bytes (a
    /// banner) as the old: the bytes before the checkpoint's mark tell, and it is read from its
    /// start, once.
    @Test func aFileRewrittenInPlaceWithTheSameBannerIsReadFromItsStart() async throws {
        let (directory, logs) = try makeLogs()
        defer { directory.remove() }
        let path = "\(logs)/aetherra_hub.log"
        let banner = String(repeating: "=", count: 1_100) + "\n"
        func lines(_ run: Int, _ count: Int) -> String {
            (0..<count).map { "2025-11-01 12:00:00,\(run)\($0) - banner - INFO - run \(run) line \($0)\n" }.joined()
        }
        #expect(FileManager.default.createFile(atPath: path, contents: Data((banner + lines(1, 200)).utf8)))
        #expect(try await runOnce(directory).events == 201)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.truncate(atOffset: 0)
        try handle.write(contentsOf: Data((banner + lines(2, 400)).utf8))
        try handle.close()
        #expect(try await runOnce(directory).events == 401)
        #expect(try await runOnce(directory).events == 0)
    }

    /// A checkpoint whose inode now holds another file (the old one deleted, its inode reused):
    /// the new file is read whole. The reuse is made by writing the new file's inode into the
    /// checkpoint of the old one, as the file system would have given it.
    @Test func aNewFileOnAReusedInodeIsReadWhole() async throws {
        let (directory, logs) = try makeLogs()
        defer { directory.remove() }
        var old = AetherraLogFixture(directory: logs)
        try old.append(events: 200)
        #expect(try await runOnce(directory).events == 200)
        let store = CheckpointStore(directory: directory.path("data"))
        var state = try store.load()
        #expect(state.files.first?.head != nil, "the checkpoint has the fingerprint")
        try FileManager.default.removeItem(atPath: old.path)
        var new = AetherraLogFixture(directory: logs, seed: 12)
        try new.append(events: 600)
        var info = stat()
        #expect(stat(new.path, &info) == 0)
        state.files[0].fileKey = FileKey(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
        state.metrics = nil
        try store.save(state)
        #expect(try await runOnce(directory).events == 600)
    }

    /// Moved out of the patterns (logship then finishes it and remembers it closed) and back:
    /// nothing read again; lines appended later are read.
    @Test func aFileMovedOutOfThePatternsAndBackIsNotReadAgain() async throws {
        let (directory, logs) = try makeLogs()
        defer { directory.remove() }
        var fixture = AetherraLogFixture(directory: logs)
        try fixture.append(events: 300)
        #expect(try await runOnce(directory).events == 300)
        let aside = "\(logs)/aetherra_hub.log.bak"
        try FileManager.default.moveItem(atPath: fixture.path, toPath: aside)
        #expect(try await runOnce(directory).events == 0)
        let closed = try CheckpointStore(directory: directory.path("data")).load().files
        #expect(closed.count == 1 && closed.first?.closedAt != nil, "\(closed)")
        try FileManager.default.moveItem(atPath: aside, toPath: fixture.path)
        #expect(try await runOnce(directory).events == 0)
        try fixture.append(events: 50)
        #expect(try await runOnce(directory).events == 50)
        #expect(try requestsCounted(directory) == fixture.totals.requests.values.reduce(0, +))
    }
}
