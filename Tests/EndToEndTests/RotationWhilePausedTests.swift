import Foundation
import Glibc
import LogshipReceiver
import LogshipRuntime
import Testing

/// Elasticsearch refuses everything (503, cluster blocked) long enough that reading pauses; a
/// rename rotation and then a copytruncate happen meanwhile; Elasticsearch comes back: every
/// event once, counters exact.
@Suite(.serialized)
struct RotationWhilePausedTests {
    /// Whether the process has `path` open (its descriptors in /proc).
    static func holdsOpen(_ process: LogshipProcess, _ path: String) -> Bool {
        let directory = "/proc/\(process.process.processIdentifier)/fd"
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return descriptors.contains {
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "\(directory)/\($0)")) == path
        }
    }

    @Test func renameAndCopytruncateWhileThePipelineIsPaused() async throws {
        let setup = try await PipelineEndToEndTests.Setup.make()
        defer { Task { await setup.tearDown() } }
        // Short backoff, so the outage's end is seen soon; a small buffer, so reading pauses soon.
        let config = try setup.writePipeline([
            (
                "    max_batch_age: 500ms\n",
                "    max_batch_age: 500ms\n    max_backoff: 500ms\n    max_buffered_events: 2000\n"
            )
        ])
        var first = AetherraLogFixture(directory: setup.logs)
        try first.append(events: 300)
        let logship = try setup.start("run", config: config)
        let started = await waitUntil(timeout: .seconds(60)) { setup.receiver.documentCount == 300 }
        #expect(started, "log:\n\(logship.log)")

        // The outage: every bulk request is answered 503 until the faults are cleared.
        setup.receiver.enqueue(.rejectRequest(status: 503), count: 1_000_000)
        try first.append(events: 20_000)
        let refusing = await waitUntil(timeout: .seconds(60)) {
            setup.receiver.requests.filter { $0.status == 503 }.count >= 5
        }
        #expect(refusing, "log:\n\(logship.log)")
        // Rename rotation: app.log becomes app.log.1, a new app.log gets 5,000 events.
        let logs = setup.logs
        try FileManager.default.moveItem(atPath: first.path, toPath: "\(logs)/aetherra_hub.log.1")
        // The new file appears with its content (written under another name, then renamed): a
        // file first seen empty and rewritten before logship looks again has no first bytes to
        // be told apart by.
        var middle = AetherraLogFixture(directory: logs, name: "aetherra_hub.tmp", seed: 13)
        try middle.append(events: 5_000)
        try FileManager.default.moveItem(atPath: middle.path, toPath: first.path)
        // logrotate comes later: logship, still held, has found the new file by then (it looks at
        // its patterns every second while held): it holds it open.
        let seen = await waitUntil(timeout: .seconds(30)) { Self.holdsOpen(logship, first.path) }
        #expect(seen, "log:\n\(logship.log)")
        // copytruncate of that one: .1 shifted to .2, a copy as .1, the live file truncated and
        // written again.
        try FileManager.default.moveItem(atPath: "\(logs)/aetherra_hub.log.1", toPath: "\(logs)/aetherra_hub.log.2")
        try FileManager.default.copyItem(atPath: first.path, toPath: "\(logs)/aetherra_hub.log.1")
        #expect(truncate(first.path, 0) == 0)
        var second = AetherraLogFixture(directory: logs, seed: 12, create: false)
        try second.append(events: 3_000)

        setup.receiver.clearFaults()
        let total = first.eventsWritten + middle.eventsWritten + second.eventsWritten
        let complete = await waitUntil(timeout: .seconds(180)) { setup.receiver.documentCount >= total }
        let events = logship.log.split(separator: "\n").filter {
            $0.contains("LogshipTail") && !$0.contains("closed finished")
        }
        #expect(complete, "\(setup.receiver.documentCount) of \(total); log:\n\(events.joined(separator: "\n"))")
        let exposition = try #require(httpGet(setup.metricsURL))
        let counted = parseExposition(exposition).filter { $0.key.hasPrefix("aetherra_api_requests_total{") }.values
            .reduce(0, +)
        let requests = [first, middle, second].map { $0.totals.requests.values.reduce(0, +) }.reduce(0, +)
        #expect(counted == Double(requests))
        logship.signal(SIGTERM)
        #expect(await logship.waitForExit(timeout: .seconds(30)) == 0)
        let documents = setup.receiver.documents(in: AetherraLogFixture.index)
        #expect(documents.count == total)
        #expect(Set(documents.map(\.id)).count == documents.count)
    }
}
