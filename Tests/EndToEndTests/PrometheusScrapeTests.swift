import Foundation
import Logging
import LogshipReceiver
import LogshipRuntime
import Testing

/// A real Prometheus scrapes logship's `/metrics` and answers PromQL from the guide over it.
struct PrometheusScrapeTests {
    static let prometheus = "/usr/bin/prometheus"

    @Test(
        .enabled(
            if: FileManager.default.isExecutableFile(atPath: prometheus),
            "prometheus is not installed (apt-get install prometheus)"
        )
    )
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
        let logship = try LogshipProcess(
            arguments: ["run", "--config", Repository.pipeline],
            environment: [
                "AETHERRA_LOG_DIR": directory.path("logs"), "LOGSHIP_DATA_DIR": directory.path("data"),
                "ES_HOSTS": "http://127.0.0.1:\(bulkPort)", "METRICS_LISTEN": "127.0.0.1:\(metricsPort)",
            ],
            logFile: directory.path("logship.log")
        )

        let prometheusPort = try freePort()
        try """
        global: {scrape_interval: 1s, evaluation_interval: 1s}
        scrape_configs:
          - job_name: logship
            static_configs: [{targets: ['127.0.0.1:\(metricsPort)']}]
        """.write(toFile: directory.path("prometheus.yml"), atomically: true, encoding: .utf8)
        let prometheus = Process()
        prometheus.executableURL = URL(fileURLWithPath: Self.prometheus)
        prometheus.arguments = [
            "--config.file=\(directory.path("prometheus.yml"))", "--storage.tsdb.path=\(directory.path("tsdb"))",
            "--web.listen-address=127.0.0.1:\(prometheusPort)",
        ]
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: logship.logFile))
        prometheus.standardOutput = output
        prometheus.standardError = output
        try prometheus.run()
        defer {
            prometheus.terminate()
            prometheus.waitUntilExit()
        }

        // The guide's traffic query, summed over every series Prometheus scraped.
        let expected = fixture.totals.requests.values.reduce(0, +)
        func query(_ promql: String) -> Double? {
            let encoded = promql.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? promql
            guard let body = httpGet("http://127.0.0.1:\(prometheusPort)/api/v1/query?query=\(encoded)"),
                let json = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any],
                let data = json["data"] as? [String: Any], let result = data["result"] as? [[String: Any]],
                let value = result.first?["value"] as? [Any], let text = value.last as? String
            else { return nil }
            return Double(text)
        }
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
