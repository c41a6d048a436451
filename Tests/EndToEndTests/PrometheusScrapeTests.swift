import Foundation
import Logging
import LogshipReceiver
import LogshipRuntime
import Testing

/// A real Prometheus scrapes logship's `/metrics` and answers PromQL from the guide over it.
struct PrometheusScrapeTests {
    @Test(.enabled(if: PrometheusServer.isInstalled, "prometheus is not installed (apt-get install prometheus)"))
    func prometheusScrapesTheDerivedMetrics() async throws {
        let directory = try TemporaryDirectory("logship-prometheus")
        defer { directory.remove() }
        try FileManager.default.createDirectory(atPath: directory.path("logs"), withIntermediateDirectories: true)
        let receiver = BulkReceiver(logger: Logger(label: "test-receiver"))
        let bulkPort = try await receiver.start()
        defer { Task { await receiver.shutdown() } }
        var fixture = AetherraLogFixture(directory: directory.path("logs"))
        try fixture.append(events: 400)
        let metricsPort = try freePort()
        let logship = try LogshipProcess.aetherra(in: directory, bulkPort: bulkPort, metricsPort: metricsPort)

        let prometheus = try PrometheusServer(
            directory: directory.path(""),
            target: "127.0.0.1:\(metricsPort)",
            job: "logship",
            logFile: directory.path("prometheus.log")
        )
        defer { prometheus.stop() }

        // The guide's traffic query, summed over every series Prometheus scraped.
        let expected = fixture.totals.requests.values.reduce(0, +)
        func query(_ promql: String) -> Double? { prometheus.scalar(promql) }
        let scraped = await waitUntil(timeout: .seconds(30)) {
            query("sum(aetherra_api_requests_total)") == Double(expected)
        }
        #expect(scraped, "Prometheus never saw \(expected) requests; log:\n\(logship.log)")
        #expect(query("up{job=\"logship\"}") == 1)
        let histogramCount = query("sum(aetherra_request_duration_seconds_count)")
        #expect(histogramCount == Double(expected))

        logship.signal(SIGTERM)
        #expect(await logship.waitForExit(timeout: .seconds(15)) == 0)
    }
}
