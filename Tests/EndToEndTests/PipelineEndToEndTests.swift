import Foundation
import Logging
import LogshipCore
import LogshipOutputs
import LogshipReceiver
import LogshipRuntime
import Testing

/// Runs the built `logship` binary with `pipelines/aetherra.yml` on real files, against the
/// Elasticsearch-compatible bulk receiver on loopback, and checks what arrives.
@Suite(.serialized)
struct PipelineEndToEndTests {
    struct Setup {
        let directory: TemporaryDirectory
        let receiver: BulkReceiver
        let metricsPort: Int
        let environment: [String: String]

        var logs: String { directory.path("logs") }
        var data: String { directory.path("data") }
        var metricsURL: String { "http://127.0.0.1:\(metricsPort)/metrics" }

        /// A receiver answering over HTTPS with `tls` (then `ES_HOSTS` is `https://localhost:…`)
        /// and requiring one of the `accepted` `Authorization` values, when given.
        static func make(
            directory: TemporaryDirectory? = nil,
            tls: ServerTLS? = nil,
            accepted: Set<String> = []
        ) async throws -> Setup {
            let directory = try directory ?? TemporaryDirectory()
            try FileManager.default.createDirectory(atPath: directory.path("logs"), withIntermediateDirectories: true)
            // Strict: every document is validated (unique keys included) and kept for the checks.
            let receiver = BulkReceiver(
                strict: true,
                accepted: accepted,
                tls: tls,
                logger: Logger(label: "test-receiver")
            )
            let port = try await receiver.start()
            let metricsPort = try freePort()
            return Setup(
                directory: directory,
                receiver: receiver,
                metricsPort: metricsPort,
                environment: [
                    "AETHERRA_LOG_DIR": directory.path("logs"),
                    "LOGSHIP_DATA_DIR": directory.path("data"),
                    "ES_HOSTS": tls == nil ? "http://127.0.0.1:\(port)" : "https://localhost:\(port)",
                    "METRICS_LISTEN": "127.0.0.1:\(metricsPort)",
                ]
            )
        }

        /// Writes `pipelines/aetherra.yml` with each `(text, replacement)` applied to `name` in the
        /// directory (each text must be there) and returns its path.
        @discardableResult
        func writePipeline(_ changes: [(String, String)] = [], name: String = "pipeline.yml") throws -> String {
            var pipeline = try String(contentsOfFile: Repository.pipeline, encoding: .utf8)
            for (text, replacement) in changes {
                precondition(pipeline.contains(text), "pipelines/aetherra.yml has no '\(text)'")
                pipeline = pipeline.replacingOccurrences(of: text, with: replacement)
            }
            let path = directory.path(name)
            try pipeline.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }

        /// `logship run` with `config` (the shipped pipeline by default) and `environment` (the
        /// setup's by default), its log in `<name>.log`.
        func start(
            _ name: String,
            config: String = Repository.pipeline,
            environment: [String: String]? = nil
        ) throws -> LogshipProcess {
            try LogshipProcess(
                arguments: ["run", "--config", config],
                environment: environment ?? self.environment,
                logFile: directory.path("\(name).log")
            )
        }

        func tearDown() async {
            await receiver.shutdown()
            directory.remove()
        }
    }

    @Test func shipsParsesJoinsAndCounts() async throws {
        let setup = try await Setup.make()
        defer { Task { await setup.tearDown() } }
        var fixture = AetherraLogFixture(directory: setup.logs)
        try fixture.append(events: 500)
        let logship = try setup.start("run")

        let caughtUp = await waitUntil(timeout: .seconds(20)) { setup.receiver.documentCount == fixture.eventsWritten }
        #expect(
            caughtUp,
            "only \(setup.receiver.documentCount) of \(fixture.eventsWritten) documents arrived; log:\n\(logship.log)"
        )

        // Lines appended while running arrive within 2 s.
        let clock = ContinuousClock()
        let appended = clock.now
        try fixture.append(events: 300)
        let arrived = await waitUntil(timeout: .seconds(2)) { setup.receiver.documentCount == fixture.eventsWritten }
        let latency = clock.now - appended
        #expect(
            arrived,
            "appended lines took longer than 2 s (\(setup.receiver.documentCount)/\(fixture.eventsWritten)); log:\n\(logship.log)"
        )

        // Every document is in the day's index, every request was gzip-compressed.
        #expect(setup.receiver.indices() == [AetherraLogFixture.index])
        #expect(!setup.receiver.requests.isEmpty)
        #expect(setup.receiver.requests.allSatisfy { $0.gzip })

        // A traceback arrives as one document holding all its lines.
        let documents = setup.receiver.documents(in: AetherraLogFixture.index)
        let tracebacks = documents.filter { $0.source.contains("Traceback (most recent call last)") }
        #expect(tracebacks.count == fixture.totals.tracebacks)
        #expect(fixture.totals.tracebacks > 0)
        let traceback = try #require(tracebacks.first)
        #expect(
            traceback.source.contains(
                #"ERROR - Unhandled exception in plugin runner\nTraceback (most recent call last):\n  File"#
            )
        )
        #expect(traceback.source.contains(#"ValueError: plugin returned no result""#))
        #expect(traceback.source.contains(#""flags":["multiline"]"#))
        #expect(fixture.totals.events == documents.count)

        // /metrics counts match what was written.
        let exposition = try #require(httpGet(setup.metricsURL))
        let samples = parseExposition(exposition)
        for (key, count) in fixture.totals.requests {
            let parts = key.split(separator: " ")
            let series =
                "aetherra_api_requests_total{method=\"\(parts[0])\",endpoint=\"\(parts[1])\",status=\"\(parts[2])\"}"
            #expect(samples[series] == Double(count), "\(series)")
        }
        for (endpoint, durations) in fixture.totals.durations {
            #expect(
                samples["aetherra_request_duration_seconds_count{endpoint=\"\(endpoint)\"}"] == Double(durations.count)
            )
            let fast = durations.filter { $0 <= 0.5 }.count
            #expect(
                samples["aetherra_request_duration_seconds_bucket{endpoint=\"\(endpoint)\",le=\"0.5\"}"] == Double(fast)
            )
        }
        #expect(samples["logship_input_lines_total{input=\"aetherra_logs\"}"] == Double(fixture.totals.lines))

        // promtool has nothing to say about the exposition.
        let promtool = try await runCommand("/usr/bin/promtool", ["check", "metrics"], input: exposition)
        #expect(promtool.status == 0)
        #expect(promtool.output.isEmpty && promtool.error.isEmpty, "promtool: \(promtool.output)\(promtool.error)")

        // SIGTERM: exit 0 with the checkpoint at the end of the file.
        logship.signal(SIGTERM)
        #expect(await logship.waitForExit(timeout: .seconds(15)) == 0, "log:\n\(logship.log)")
        let checkpoints = try String(contentsOfFile: "\(setup.data)/checkpoints.json", encoding: .utf8)
        let size = try FileManager.default.attributesOfItem(atPath: fixture.path)[.size] as? Int
        #expect(
            checkpoints.contains("\"offset\":\(try #require(size))") || checkpoints.contains("\"offset\" : \(size!)")
        )
        print("end-to-end: \(fixture.eventsWritten) events; appended lines arrived in \(latency)")
    }

    /// 1,000,000 lines written while logship ships them; logship is killed with SIGKILL part-way
    /// and started again while the writer goes on. Every event arrives once; every counter and
    /// histogram count of the contract is exact and its gauges hold the last values written,
    /// also after a further restart with nothing new to read.
    @Test func killNineLosesNothingAndDuplicatesNothing() async throws {
        let setup = try await Setup.make()
        defer { Task { await setup.tearDown() } }
        var fixture = AetherraLogFixture(directory: setup.logs)
        let lines = 1_000_000
        try fixture.append(events: 50_000)
        let started = ContinuousClock.now
        let first = try setup.start("first")
        var second: LogshipProcess?
        var atKill = 0
        while fixture.linesWritten < lines {
            try fixture.append(events: 10_000)
            try fixture.appendContractLines()
            if second == nil && setup.receiver.documentCount > 100_000 {
                first.signal(SIGKILL)
                _ = await first.waitForExit(timeout: .seconds(5))
                atKill = setup.receiver.documentCount
                second = try setup.start("second")
            }
        }
        if second == nil {
            let shipping = await waitUntil(timeout: .seconds(120)) { setup.receiver.documentCount > 100_000 }
            #expect(shipping, "log:\n\(first.log)")
            first.signal(SIGKILL)
            _ = await first.waitForExit(timeout: .seconds(5))
            atKill = setup.receiver.documentCount
            second = try setup.start("second")
        }
        let restarted = try #require(second)
        #expect(atKill < fixture.eventsWritten, "the kill came too late to test anything")
        let complete = await waitUntil(timeout: .seconds(600)) {
            setup.receiver.documentCount >= fixture.eventsWritten
        }
        #expect(complete, "\(setup.receiver.documentCount) of \(fixture.eventsWritten); log:\n\(restarted.log)")
        let elapsed = ContinuousClock.now - started
        // Derived metrics were saved with the checkpoints: lines re-read are not counted twice.
        // The last events may still be on their way to the store: wait for the counter of all.
        let counted = await waitUntil(timeout: .seconds(60)) {
            httpGet(setup.metricsURL).map { fixture.mismatches(in: parseExposition($0)).isEmpty } ?? false
        }
        let exposition = try #require(httpGet(setup.metricsURL))
        #expect(counted, "\(fixture.mismatches(in: parseExposition(exposition)))")
        restarted.signal(SIGTERM)
        #expect(await restarted.waitForExit(timeout: .seconds(30)) == 0, "log:\n\(restarted.log)")
        // Started again with nothing new: every series is back from the saved state, gauges too.
        let third = try setup.start("third")
        let restored = await waitUntil(timeout: .seconds(30)) {
            httpGet(setup.metricsURL).map { fixture.mismatches(in: parseExposition($0)).isEmpty } ?? false
        }
        #expect(restored, "\(httpGet(setup.metricsURL).map { fixture.mismatches(in: parseExposition($0)) } ?? [])")
        third.signal(SIGTERM)
        #expect(await third.waitForExit(timeout: .seconds(30)) == 0, "log:\n\(third.log)")

        let documents = setup.receiver.documents(in: AetherraLogFixture.index)
        #expect(documents.count == fixture.eventsWritten)
        #expect(Set(documents.map(\.id)).count == documents.count)
        // Every event's bytes are in exactly one document: the offsets are all different.
        let offsets = documents.compactMap { document -> Substring? in
            guard let range = document.source.range(of: #""offset":"#) else { return nil }
            return document.source[range.upperBound...].prefix { $0.isNumber }
        }
        #expect(Set(offsets).count == fixture.eventsWritten)
        // Re-sent documents were answered 409 by id rather than stored again.
        let resent = setup.receiver.createCounts.values.filter { $0 > 1 }.count
        print(
            "kill -9: \(fixture.linesWritten) lines, \(fixture.eventsWritten) events in \(elapsed);",
            "\(atKill) documents stored at the kill, \(resent) re-sent after restart and answered 409"
        )
    }
}
