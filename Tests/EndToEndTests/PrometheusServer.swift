import Foundation

/// A real Prometheus (Debian's `prometheus`) scraping one target every second, with rule files,
/// queried through its HTTP API. Stopped by `stop()`.
final class PrometheusServer: @unchecked Sendable {  // Process is not Sendable; used from one test task.
    static let executable = "/usr/bin/prometheus"
    static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: executable) }

    let port: Int
    private let process = Process()

    /// Starts Prometheus with its data and configuration under `directory`, scraping `target`
    /// (`host:port`) as job `job`, with `ruleFiles` loaded; its output goes to `logFile`.
    init(directory: String, target: String, job: String, ruleFiles: [String] = [], logFile: String) throws {
        port = try freePort()
        let rules = ruleFiles.map { "'\($0)'" }.joined(separator: ", ")
        let configuration = directory + "/prometheus.yml"
        try """
        global: {scrape_interval: 1s, evaluation_interval: 1s}
        rule_files: [\(rules)]
        scrape_configs:
          - job_name: \(job)
            static_configs: [{targets: ['\(target)']}]
        """.write(toFile: configuration, atomically: true, encoding: .utf8)
        process.executableURL = URL(fileURLWithPath: Self.executable)
        process.arguments = [
            "--config.file=\(configuration)", "--storage.tsdb.path=\(directory)/tsdb",
            "--web.listen-address=127.0.0.1:\(port)",
        ]
        FileManager.default.createFile(atPath: logFile, contents: nil)
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: logFile))
        process.standardOutput = output
        process.standardError = output
        try process.run()
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
    }

    /// The result vector of an instant query: each series' labels and value.
    func query(_ promql: String) -> [(labels: [String: String], value: Double)]? {
        let encoded = promql.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? promql
        guard let body = httpGet("http://127.0.0.1:\(port)/api/v1/query?query=\(encoded)"),
            let json = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any],
            let data = json["data"] as? [String: Any], let result = data["result"] as? [[String: Any]]
        else { return nil }
        return result.compactMap { entry in
            guard let value = entry["value"] as? [Any], let text = value.last as? String, let number = Double(text)
            else { return nil }
            return (entry["metric"] as? [String: String] ?? [:], number)
        }
    }

    /// The value of a query that gives one series; `nil` without exactly one.
    func scalar(_ promql: String) -> Double? {
        guard let result = query(promql), result.count == 1 else { return nil }
        return result[0].value
    }

    /// Alert name to state (`pending` or `firing`) of the active alerts.
    func alerts() -> [String: String] {
        guard let body = httpGet("http://127.0.0.1:\(port)/api/v1/alerts"),
            let json = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any],
            let data = json["data"] as? [String: Any], let alerts = data["alerts"] as? [[String: Any]]
        else { return [:] }
        var states: [String: String] = [:]
        for alert in alerts {
            guard let labels = alert["labels"] as? [String: String], let name = labels["alertname"],
                let state = alert["state"] as? String
            else { continue }
            states[name] = state
        }
        return states
    }
}

extension LogshipProcess {
    /// `logship run` of `pipelines/aetherra.yml` over `directory`'s `logs`, its data in `data`,
    /// shipping to the bulk endpoint on `bulkPort` and serving `/metrics` on `metricsPort`.
    static func aetherra(in directory: TemporaryDirectory, bulkPort: Int, metricsPort: Int) throws -> LogshipProcess {
        try LogshipProcess(
            arguments: ["run", "--config", Repository.pipeline],
            environment: [
                "AETHERRA_LOG_DIR": directory.path("logs"), "LOGSHIP_DATA_DIR": directory.path("data"),
                "ES_HOSTS": "http://127.0.0.1:\(bulkPort)", "METRICS_LISTEN": "127.0.0.1:\(metricsPort)",
            ],
            logFile: directory.path("logship.log")
        )
    }
}
