import Foundation
import Testing

/// A damaged `checkpoints.json` as an operator meets it: logship starts, says what it did, and
/// loses nothing it can still read.
@Suite struct CheckpointRecoveryEndToEndTests {
    /// `logship run --once --output null` on the directory's logs; the summary's figures.
    private func runOnce(
        _ directory: TemporaryDirectory,
        config: String = Repository.pipeline
    ) async throws -> (
        events: Int, pending: Int, error: String
    ) {
        let run = try await EndToEndTests.runOnce(
            logs: directory.path("logs"),
            data: directory.path("data"),
            config: config
        )
        #expect(run.status == 0, "stderr:\n\(run.error)")
        return (run.events, run.summary?["pending"] as? Int ?? -1, run.error)
    }

    private func checkpointOffset(_ directory: TemporaryDirectory) throws -> Int? {
        let data = try Data(contentsOf: URL(fileURLWithPath: directory.path("data/checkpoints.json")))
        let state = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let files = try #require(state["files"] as? [[String: Any]])
        return files.first?["offset"] as? Int
    }

    @Test func aCorruptCheckpointFileIsMovedAsideAndReadingGoesOn() async throws {
        let directory = try TemporaryDirectory("logship-corrupt-checkpoints")
        defer { directory.remove() }
        try FileManager.default.createDirectory(atPath: directory.path("logs"), withIntermediateDirectories: true)
        var fixture = AetherraLogFixture(directory: directory.path("logs"))
        try fixture.append(events: 300)
        #expect(try await runOnce(directory).events == 300)

        // Damaged (truncated by a failing disk, edited by hand), with new lines to read.
        try fixture.append(events: 200)
        try Data(#"{"version":1,"files":[{"fileK"#.utf8).write(
            to: URL(fileURLWithPath: directory.path("data/checkpoints.json"))
        )
        let second = try await runOnce(directory)
        #expect(second.pending == 0)
        // From the state before the damaged one: the 200 new events, and at most the 300 before.
        #expect(second.events >= 200 && second.events <= 500)
        #expect(second.error.contains("corrupt"), "stderr:\n\(second.error)")
        #expect(second.error.contains("checkpoints.json.corrupt-"), "stderr:\n\(second.error)")
        let size = try #require(try FileManager.default.attributesOfItem(atPath: fixture.path)[.size] as? Int)
        #expect(try checkpointOffset(directory) == size)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path("data"))
        #expect(names.contains { $0.hasPrefix("checkpoints.json.corrupt-") })
    }

    /// Neither the file nor the state before it can be read: every file is read again from its
    /// start, even with `read_from: end`, which applies to a first start only.
    @Test func withNoCheckpointToTrustEverythingIsReadAgain() async throws {
        let directory = try TemporaryDirectory("logship-no-checkpoints")
        defer { directory.remove() }
        try FileManager.default.createDirectory(atPath: directory.path("logs"), withIntermediateDirectories: true)
        let pipeline = try String(contentsOfFile: Repository.pipeline, encoding: .utf8)
            .replacingOccurrences(of: "read_from: beginning", with: "read_from: end")
        let config = directory.path("pipeline.yml")
        try pipeline.write(toFile: config, atomically: true, encoding: .utf8)
        var fixture = AetherraLogFixture(directory: directory.path("logs"))
        try fixture.append(events: 100)
        // A first start with read_from: end skips what is there.
        #expect(try await runOnce(directory, config: config).events == 0)
        try fixture.append(events: 150)
        #expect(try await runOnce(directory, config: config).events == 150)

        for name in ["checkpoints.json", "checkpoints.json.prev"] {
            try Data("\u{0}\u{0}".utf8).write(to: URL(fileURLWithPath: directory.path("data/\(name)")))
        }
        // A start that fails after the recovery (the metrics port is taken) must not turn the
        // next one into a first start that skips what is there.
        let listener = try ListeningSocket()
        let failed = try await runCommand(
            "/usr/bin/env",
            [
                "AETHERRA_LOG_DIR=\(directory.path("logs"))", "LOGSHIP_DATA_DIR=\(directory.path("data"))",
                "METRICS_LISTEN=127.0.0.1:\(listener.port)", Repository.binary.path, "run", "--once", "--output",
                "null", "--config", config, "--log-level", "warning",
            ]
        )
        listener.close()
        #expect(failed.status != 0)
        #expect(failed.error.contains("read again from its start"), "stderr:\n\(failed.error)")
        let run = try await runOnce(directory, config: config)
        #expect(run.events == 250)
    }
}
