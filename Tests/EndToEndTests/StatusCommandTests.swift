import Foundation
import Testing

/// `logship status` as an operator reads it: where logship is in each file, and what is at its
/// path now.
@Suite struct StatusCommandTests {
    private func status(_ directory: TemporaryDirectory, json: Bool = false) async throws -> String {
        let result = try await runCommand(
            Repository.binary.path,
            ["status", "--data-dir", directory.path("data")] + (json ? ["--json"] : [])
        )
        #expect(result.status == 0, "stderr:\n\(result.error)")
        return result.output
    }

    @Test func showsOffsetsLagAndWhatIsAtEachPath() async throws {
        let directory = try TemporaryDirectory("logship-status")
        defer { directory.remove() }
        let logs = directory.path("logs")
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        #expect(try await status(directory).contains("no checkpoint file"))
        var fixture = AetherraLogFixture(directory: logs)
        try fixture.append(events: 50)
        #expect(try await runOnce(logs: logs, data: directory.path("data")).events == 50)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: fixture.path)[.size] as? Int)
        let first = try await status(directory)
        #expect(first.contains("\(fixture.path): offset \(size), followed, 0 bytes behind"), "\(first)")

        try fixture.append(events: 10)
        let grown = try #require(try FileManager.default.attributesOfItem(atPath: fixture.path)[.size] as? Int)
        let printed = try await status(directory, json: true)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(printed.utf8)) as? [[String: Any]])
        #expect(rows.count == 1)
        #expect(rows.first?["behind"] as? Int == grown - size)
        #expect(rows.first?["state"] as? String == "followed")

        try FileManager.default.moveItem(atPath: fixture.path, toPath: fixture.path + ".1")
        #expect(try await status(directory).contains("missing"))
        #expect(FileManager.default.createFile(atPath: fixture.path, contents: Data("new\n".utf8)))
        #expect(try await status(directory).contains("replaced"))
    }

    @Test func aCorruptCheckpointFileIsAnErrorNamingIt() async throws {
        let directory = try TemporaryDirectory("logship-status-corrupt")
        defer { directory.remove() }
        try FileManager.default.createDirectory(atPath: directory.path("data"), withIntermediateDirectories: true)
        try Data("{".utf8).write(to: URL(fileURLWithPath: directory.path("data/checkpoints.json")))
        let result = try await runCommand(Repository.binary.path, ["status", "--data-dir", directory.path("data")])
        #expect(result.status == 1)
        #expect(result.error.contains(directory.path("data/checkpoints.json")))
    }
}
