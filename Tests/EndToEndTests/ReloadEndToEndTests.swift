import Foundation
import LogshipReceiver
import LogshipRuntime
import Testing

/// SIGHUP to a running `logship run`, as an operator sends it (`systemctl reload`): a broken file
/// and a changed `data_dir` are refused with the running pipeline kept; a valid change applies
/// under load with nothing lost or stored twice, metrics continuing, `/metrics` rebound.
@Suite(.serialized)
struct ReloadEndToEndTests {
    @Test func sighupAppliesAValidPipelineAndRefusesABrokenOne() async throws {
        let setup = try await PipelineEndToEndTests.Setup.make()
        defer { Task { await setup.tearDown() } }
        let config = try setup.writePipeline()
        var fixture = AetherraLogFixture(directory: setup.logs)
        try fixture.append(events: 500)
        let logship = try setup.start("run", config: config)
        defer { logship.signal(SIGKILL) }
        #expect(await waitUntil(timeout: .seconds(60)) { setup.receiver.documentCount == 500 }, "\(logship.log)")

        // A typo: refused, naming file, line and key; the running pipeline goes on.
        try setup.writePipeline([("    max_batch_age: 500ms\n", "    max_batch_age: 500ms\n    max_batch_agee: 1s\n")])
        logship.signal(SIGHUP)
        let typo =
            "reload refused; the running pipeline is kept: \(config):231:5: outputs[0].max_batch_agee: unknown key"
        #expect(await waitUntil(timeout: .seconds(30)) { logship.log.contains(typo) }, "\(logship.log)")
        try fixture.append(events: 200)
        #expect(await waitUntil(timeout: .seconds(60)) { setup.receiver.documentCount == 700 }, "\(logship.log)")

        // Another data_dir: refused (checkpoints live there).
        try setup.writePipeline([("data_dir: ${LOGSHIP_DATA_DIR:-/var/lib/logship}", "data_dir: /tmp/elsewhere")])
        logship.signal(SIGHUP)
        #expect(await waitUntil(timeout: .seconds(30)) { logship.log.contains("reload refused: data_dir changed") })

        // A valid change, under load: another index and another /metrics address.
        let newPort = try freePort()
        try setup.writePipeline([
            ("index: aetherra-logs-", "index: aetherra-reloaded-"),
            ("listen: ${METRICS_LISTEN:-127.0.0.1:9464}", "listen: 127.0.0.1:\(newPort)"),
        ])
        logship.signal(SIGHUP)
        for _ in 0..<6 {
            try fixture.append(events: 50)
            // The write load's pace, not a wait for logship.
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(await waitUntil(timeout: .seconds(30)) { logship.log.contains("reloaded \(config)") }, "\(logship.log)")
        try fixture.append(events: 100)
        let total = fixture.eventsWritten
        let caughtUp = await waitUntil(timeout: .seconds(60)) { setup.receiver.documentCount == total }
        #expect(caughtUp, "\(setup.receiver.documentCount) of \(total):\n\(logship.log)")
        let created = setup.receiver.requests.flatMap(\.itemStatuses).filter { $0 == 201 }.count
        #expect(created == total, "each event created once: \(created) of \(total)")
        let reloaded = setup.receiver.documents(in: "aetherra-reloaded-2025.11.01").count
        #expect(reloaded >= 100 && reloaded + setup.receiver.documents(in: AetherraLogFixture.index).count == total)

        // Metrics went on from their state (every event counted once) on the new address; the
        // old one is closed.
        let metrics = try #require(httpGet("http://127.0.0.1:\(newPort)/metrics"))
        let counted = metrics.split(separator: "\n").filter { $0.hasPrefix("aetherra_log_events_total{") }
            .compactMap { Double($0.split(separator: " ").last ?? "") }.reduce(0, +)
        #expect(Int(counted) == total, "\(metrics)")
        #expect(httpGet(setup.metricsURL) == nil)

        logship.signal(SIGTERM)
        #expect(await logship.waitForExit(timeout: .seconds(30)) == 0)
    }

    /// SIGTERM while a reload waits for the old pipeline's flush (Elasticsearch down, so the
    /// flush takes its `shutdown_timeout`): logship exits instead of starting the new pipeline.
    @Test func sigtermDuringAReloadEndsLogship() async throws {
        let setup = try await PipelineEndToEndTests.Setup.make()
        defer { Task { await setup.tearDown() } }
        let config = try setup.writePipeline([
            ("    max_batch_age: 500ms\n", "    max_batch_age: 500ms\n    shutdown_timeout: 5s\n")
        ])
        setup.receiver.enqueue(.rejectRequest(status: 503), count: 1_000_000)
        var fixture = AetherraLogFixture(directory: setup.logs)
        try fixture.append(events: 100)
        let logship = try setup.start("run", config: config)
        defer { logship.signal(SIGKILL) }
        #expect(await waitUntil(timeout: .seconds(30)) { setup.receiver.requests.count >= 1 }, "\(logship.log)")
        logship.signal(SIGHUP)
        #expect(await waitUntil(timeout: .seconds(30)) { logship.log.contains("shutting down; flushing") })
        logship.signal(SIGTERM)
        #expect(await logship.waitForExit(timeout: .seconds(30)) == 0, "\(logship.log)")
        #expect(logship.log.contains("terminated during a reload; the new pipeline is not started"), "\(logship.log)")
    }
}
