import Foundation
import Testing

/// Rename rotations while logship is stopped, as logrotate makes them: what was written to the
/// file after the last checkpoint, and to files rotated after it, is read once.
@Suite struct RotationWhileStoppedTests {
    private func runOnce(_ directory: TemporaryDirectory) async throws -> OnceRun {
        let run = try await EndToEndTests.runOnce(logs: directory.path("logs"), data: directory.path("data"))
        #expect(run.status == 0, "stderr:\n\(run.error)")
        #expect(run.summary?["pending"] as? Int == 0)
        return run
    }

    private func rotate(_ logs: String) throws {
        try rotateNumbered(logs, name: "aetherra_hub.log")
    }

    @Test func everyLineWrittenAcrossTwoRotationsIsReadOnce() async throws {
        let directory = try TemporaryDirectory("logship-rotation-stopped")
        defer { directory.remove() }
        let logs = directory.path("logs")
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        var first = AetherraLogFixture(directory: logs)
        try first.append(events: 300)
        #expect(try await runOnce(directory).events == 300)

        // Stopped: the file gets 200 more events and is rotated; the next one gets 150 and is
        // rotated too; the live file has 100. The files older than the checkpointed one
        // (none here) were read before.
        try first.append(events: 200)
        try rotate(logs)
        var second = AetherraLogFixture(directory: logs)
        try second.append(events: 150)
        try rotate(logs)
        var third = AetherraLogFixture(directory: logs)
        try third.append(events: 100)

        #expect(try await runOnce(directory).events == 450)
        // Read once: nothing more on the next start.
        #expect(try await runOnce(directory).events == 0)
    }
}
