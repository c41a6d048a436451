import Foundation
import LogshipCore
import LogshipRuntime
import LogshipTail
import Testing

/// The derived metrics across restarts, as an operator meets them: every series continues from
/// its saved value, and a metric whose definition changed starts afresh with a warning naming
/// it and why.
@Suite struct MetricStateEndToEndTests {
    @Test func aRedefinedMetricStartsAfreshWithAWarningAndTheOthersContinue() async throws {
        let directory = try TemporaryDirectory("logship-metric-state")
        defer { directory.remove() }
        let logs = directory.path("logs")
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        var fixture = AetherraLogFixture(directory: logs)
        try fixture.append(events: 300)
        let first = try await runOnce(logs: logs, data: directory.path("data"))
        #expect(first.status == 0, "stderr:\n\(first.error)")
        #expect(!first.error.contains("dropped the saved state"), "stderr:\n\(first.error)")
        let durationsBefore = fixture.totals.durations.values.reduce(0) { $0 + $1.count }

        // The request duration histogram gets other buckets.
        let pipeline = try String(contentsOfFile: Repository.pipeline, encoding: .utf8)
        let redefined = pipeline.replacingOccurrences(
            of: "buckets: [0.01, 0.05, 0.1, 0.5, 1, 2, 5]",
            with: "buckets: [0.01, 0.1, 1, 10]"
        )
        #expect(redefined != pipeline)
        let config = directory.path("pipeline.yml")
        try redefined.write(toFile: config, atomically: true, encoding: .utf8)
        try fixture.append(events: 200)
        let second = try await runOnce(logs: logs, data: directory.path("data"), config: config)
        #expect(second.status == 0, "stderr:\n\(second.error)")
        #expect(second.events == 200)
        let warnings = second.error.split(separator: "\n").filter { $0.contains("dropped the saved state") }
        #expect(warnings.count == 1, "stderr:\n\(second.error)")
        #expect(
            warnings.first?.contains(
                "metric 'aetherra_request_duration_seconds': dropped the saved state of its 5 series: its buckets "
                    + "changed from [0.01, 0.05, 0.1, 0.5, 1.0, 2.0, 5.0] to [0.01, 0.1, 1.0, 10.0]"
            ) == true,
            "stderr:\n\(second.error)"
        )

        let state = try CheckpointStore(directory: directory.path("data")).load()
        #expect(state.version == 3)
        let families = Dictionary(
            uniqueKeysWithValues: try #require(state.metrics).families.map { ($0.family.name, $0.series) }
        )
        // Continued: every request of both runs, counted once.
        let requests = try #require(families["aetherra_api_requests_total"]).reduce(0) { $0 + $1.value.value }
        #expect(Int(requests) == fixture.totals.requests.values.reduce(0, +))
        // Afresh: only the second run's observations.
        let durations = try #require(families["aetherra_request_duration_seconds"]).reduce(0) { $0 + $1.value.count }
        #expect(Int(durations) == fixture.totals.durations.values.reduce(0) { $0 + $1.count } - durationsBefore)
        #expect(durations > 0)
    }
}
