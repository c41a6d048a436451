import Foundation
import Glibc
import LogshipReceiver
import LogshipRuntime
import Testing

/// The disk buffer through a long outage, as an operator turns it on: Elasticsearch refuses
/// everything, logship keeps reading into `data_dir`, a rotated-away and then deleted file is
/// released instead of held, a `kill -9` loses nothing, and once Elasticsearch is back every event
/// lands once and the buffer empties.
@Suite(.serialized)
struct DiskBufferEndToEndTests {
    @Test func anOutageGoesToDiskAndComesBackOnce() async throws {
        let setup = try await PipelineEndToEndTests.Setup.make()
        defer { Task { await setup.tearDown() } }
        let config = try setup.writePipeline([
            (
                "    max_batch_age: 500ms\n",
                "    max_batch_age: 500ms\n    max_backoff: 500ms\n    disk_buffer_max_bytes: 256MiB\n"
            )
        ])
        let buffer = "\(setup.data)/buffer-elasticsearch"
        var first = AetherraLogFixture(directory: setup.logs)
        try first.append(events: 200)
        var logship = try setup.start("run", config: config)
        defer { logship.signal(SIGKILL) }
        #expect(await waitUntil(timeout: .seconds(60)) { setup.receiver.documentCount == 200 }, "\(logship.log)")

        // The outage, with far more events than the output holds in memory.
        setup.receiver.enqueue(.rejectRequest(status: 503), count: 1_000_000)
        try first.append(events: 20_000)
        // Rotated away and deleted (logrotate with a short retention) while Elasticsearch is down.
        let rotated = "\(setup.logs)/aetherra_hub.log.1"
        try FileManager.default.moveItem(atPath: first.path, toPath: rotated)
        var second = AetherraLogFixture(directory: setup.logs, seed: 12)
        try second.append(events: 3_000)
        let readAll = await waitUntil(timeout: .seconds(120)) {
            httpGet(setup.metricsURL)?.contains("logship_output_disk_buffer_documents{output=\"elasticsearch\"} 0")
                == false
                && !RotationWhilePausedTests.holdsOpen(logship, rotated)
        }
        #expect(readAll, "\(logship.log)")
        try FileManager.default.removeItem(atPath: rotated)
        #expect(!RotationWhilePausedTests.holdsOpen(logship, rotated), "the rotated file is released")
        let metrics = try #require(httpGet(setup.metricsURL))
        #expect(metrics.contains("logship_output_paused{output=\"elasticsearch\"}"))
        #expect(setup.receiver.documentCount == 200)
        let segments = try FileManager.default.contentsOfDirectory(atPath: buffer).filter { $0.hasSuffix(".ndjson") }
        #expect(!segments.isEmpty)

        // kill -9 in the outage, started again: the buffer is found and sent first.
        logship.signal(SIGKILL)
        _ = await logship.waitForExit(timeout: .seconds(30))
        logship = try setup.start("run-2", config: config)
        setup.receiver.clearFaults()
        let total = first.eventsWritten + second.eventsWritten
        let complete = await waitUntil(timeout: .seconds(180)) { setup.receiver.documentCount >= total }
        #expect(complete, "\(setup.receiver.documentCount) of \(total):\n\(logship.log)")
        let documents = setup.receiver.documents(in: AetherraLogFixture.index)
        #expect(documents.count == total && Set(documents.map(\.id)).count == total)
        let emptied = await waitUntil(timeout: .seconds(30)) {
            ((try? FileManager.default.contentsOfDirectory(atPath: buffer)) ?? ["?"]).isEmpty
        }
        #expect(emptied, "segments left in \(buffer)")
        logship.signal(SIGTERM)
        #expect(await logship.waitForExit(timeout: .seconds(30)) == 0)
    }
}
