import Foundation
import Logging
import LogshipReceiver
import Testing

/// The monitoring guide end to end: a real Prometheus scrapes logship running
/// `pipelines/aetherra.yml` with the guide's alert rules loaded (unchanged but for their
/// evaluation interval), the services' logs hold every line kind of the metric contract, and the
/// guide's queries and alerts say what the logs say.
@Suite(.enabled(if: PrometheusServer.isInstalled, "prometheus is not installed (apt-get install prometheus)"))
struct GuideAlertsEndToEndTests {
    /// Lines as Aetherra's services write them through Python's logging.
    struct ServiceLog {
        var text = ""
        var events = 0

        /// Now, as logging's `asctime` (`2025-11-01 12:00:00,123`) and as `utcnow().isoformat()`.
        private static func stamp() -> (logging: String, iso: String) {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = "yyyy-MM-dd HH:mm:ss,SSS"
            let now = Date()
            let logging = formatter.string(from: now)
            formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss.SSSSSS"
            return (logging, formatter.string(from: now))
        }

        /// A MetricsLogger line, after the logging prefix of `logger`.
        mutating func metric(
            _ name: String,
            _ value: String,
            labels: [String: String] = [:],
            logger: String = "aetherra_hub",
            times: Int = 1
        ) {
            let labelText = labels.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \"\($0.value)\"" }
                .joined(separator: ", ")
            for _ in 0..<times {
                let (logging, iso) = Self.stamp()
                text += "\(logging) - \(logger) - INFO - {\"timestamp\": \"\(iso)\", \"service\": \"\(logger)\", "
                text +=
                    "\"metric\": \"\(name)\", \"value\": \(value), \"labels\": {\(labelText)}, \"type\": \"metric\"}\n"
                events += 1
            }
        }

        /// A plain logging line, with `continuation` lines (a traceback) after it.
        mutating func line(_ logger: String, _ level: String, _ message: String, continuation: [String] = []) {
            text += "\(Self.stamp().logging) - \(logger) - \(level) - \(message)\n"
            for line in continuation { text += line + "\n" }
            events += 1
        }

        /// The requests of one round: per endpoint, method, status and duration, how many. Enough
        /// errors and plugin failures for the guide's thresholds, which are per second over 5
        /// minutes (0.05 errors and 0.1 failures a second: more than 15 and 30 in 5 minutes).
        mutating func requests() {
            metric(
                "api_request_duration",
                "0.2",
                labels: ["endpoint": "/chat", "method": "POST", "status": "200"],
                times: 40
            )
            metric(
                "api_request_duration",
                "0.3",
                labels: ["endpoint": "/chat", "method": "POST", "status": "500"],
                times: 20
            )
            metric(
                "api_request_duration",
                "0.05",
                labels: ["endpoint": "/memory", "method": "GET", "status": "error"],
                times: 10
            )
            metric(
                "api_request_duration",
                "3.0",
                labels: ["endpoint": "/slow", "method": "GET", "status": "200"],
                times: 10
            )
            metric(
                "plugin_execution",
                "1",
                labels: ["plugin": "weather", "status": "failed"],
                logger: "plugins",
                times: 40
            )
        }
    }

    static func append(_ text: String, to path: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
    }

    @Test func theGuidesQueriesAndAlertsHoldOverTheLogs() async throws {
        let directory = try TemporaryDirectory("logship-guide")
        defer { directory.remove() }
        try FileManager.default.createDirectory(atPath: directory.path("logs"), withIntermediateDirectories: true)
        let logPath = directory.path("logs/aetherra.log")
        FileManager.default.createFile(atPath: logPath, contents: nil)

        // The guide's alert rules, evaluated every second instead of every 30 s or minute.
        let rules = try String(
            contentsOfFile: Repository.root.appendingPathComponent("examples/prometheus/rules/aetherra_alerts.yml")
                .path,
            encoding: .utf8
        )
        .replacingOccurrences(of: "interval: 30s", with: "interval: 1s")
        .replacingOccurrences(of: "interval: 1m", with: "interval: 1s")
        try rules.write(toFile: directory.path("alerts.yml"), atomically: true, encoding: .utf8)

        let receiver = BulkReceiver(logger: Logger(label: "test-receiver"))
        let bulkPort = try await receiver.start()
        defer { Task { await receiver.shutdown() } }
        let metricsPort = try freePort()
        let logship = try LogshipProcess.aetherra(in: directory, bulkPort: bulkPort, metricsPort: metricsPort)
        let prometheus = try PrometheusServer(
            directory: directory.path(""),
            target: "127.0.0.1:\(metricsPort)",
            job: "aetherra_os",
            ruleFiles: [directory.path("alerts.yml")],
            logFile: directory.path("prometheus.log")
        )
        defer { prometheus.stop() }

        // Round one: every line kind of the contract.
        var log = ServiceLog()
        log.requests()
        log.metric(
            "api_request_duration",
            "\"fast\"",
            labels: ["endpoint": "/chat", "method": "POST", "status": "200"]
        )
        log.metric("memory_event", "1", labels: ["type": "store"], logger: "aetherra_memory", times: 4)
        log.metric("memory_event", "1", labels: ["type": "retrieve"], logger: "aetherra_memory", times: 2)
        log.metric("memory_query_duration", "0.02", logger: "aetherra_memory", times: 3)
        log.metric("memory_query_duration", "0.7", logger: "aetherra_memory")
        log.metric("memory_storage_bytes", "1000", logger: "aetherra_memory")
        log.metric("memory_storage_bytes", "2048", logger: "aetherra_memory")
        log.metric("memory_healthy", "1", logger: "aetherra_memory")
        log.metric("memory_healthy", "0", logger: "aetherra_memory")
        log.metric("homeostasis_status", "1", labels: ["status": "active"], logger: "homeostasis")
        log.metric("homeostasis_status", "1", labels: ["status": "degraded"], logger: "homeostasis")
        log.metric(
            "plugin_execution",
            "1",
            labels: ["plugin": "weather", "status": "success"],
            logger: "plugins",
            times: 3
        )
        log.metric("self_improvement_task", "12.5", labels: ["status": "success"], times: 2)
        log.metric("self_improvement_task", "40", labels: ["status": "failed"])
        log.metric("self_improvement_active_tasks", "3")
        log.metric("self_improvement_learning_score", "0.87")
        log.metric("active_connections", "42")
        log.metric("max_connections", "100")
        log.metric("service_health", "1", labels: ["service": "hub", "status": "active"])
        log.metric("service_health", "1", labels: ["service": "memory", "status": "active"])
        log.metric("service_health", "1", labels: ["service": "memory", "status": "degraded"])
        log.metric("response_time", "0.1", times: 6)
        log.metric("response_time", "0.9")
        log.line("aetherra_hub", "WARNING", "disk almost full")
        log.line(
            "aetherra_hub",
            "ERROR",
            "request failed",
            continuation: [
                "Traceback (most recent call last):", "  File \"hub.py\", line 3, in handle", "ValueError: bad input",
            ]
        )
        try Self.append(log.text, to: logPath)
        let firstEvents = log.events
        let seen = await waitUntil(timeout: .seconds(60)) {
            prometheus.scalar("sum(aetherra_log_events_total)") == Double(firstEvents)
        }
        #expect(seen, "Prometheus never saw the first \(firstEvents) events; logship:\n\(logship.log)")

        // Round two, once Prometheus has the first: the counters rise between scrapes, so that
        // rate() and the rate alerts have something to see.
        var second = ServiceLog()
        second.requests()
        try Self.append(second.text, to: logPath)
        let total = Double(firstEvents + second.events)
        let caughtUp = await waitUntil(timeout: .seconds(60)) {
            prometheus.scalar("sum(aetherra_log_events_total)") == total
        }
        #expect(caughtUp, "Prometheus never saw \(total) events")

        // Instant values, exactly.
        func value(_ promql: String) -> Double? { prometheus.scalar(promql) }
        #expect(value(#"sum(aetherra_api_requests_total{endpoint="/chat",method="POST"})"#) == 120)
        #expect(value(#"sum(aetherra_api_requests_total{endpoint="/memory",method="GET"})"#) == 20)
        #expect(value(#"sum(aetherra_api_requests_total{endpoint="/slow",method="GET"})"#) == 20)
        #expect(value(#"aetherra_api_errors_total{endpoint="/chat",method="POST",status="500"}"#) == 40)
        #expect(value(#"aetherra_api_errors_total{endpoint="/memory",method="GET",status="error"}"#) == 20)
        #expect(value("sum(aetherra_api_errors_total)") == 60)
        #expect(value(#"aetherra_request_duration_seconds_bucket{endpoint="/chat",le="0.5"}"#) == 120)
        #expect(value(#"aetherra_request_duration_seconds_bucket{endpoint="/slow",le="0.5"}"#) == 0)
        #expect(value(#"aetherra_request_duration_seconds_bucket{endpoint="/slow",le="+Inf"}"#) == 20)
        #expect(value(#"aetherra_request_duration_seconds_count{endpoint="/memory"}"#) == 20)
        #expect(value(#"aetherra_memory_events_total{type="store"}"#) == 4)
        #expect(value(#"aetherra_memory_events_total{type="retrieve"}"#) == 2)
        #expect(value(#"aetherra_memory_query_duration_bucket{le="0.05"}"#) == 3)
        #expect(value("aetherra_memory_query_duration_count") == 4)
        #expect(value(#"aetherra_plugin_executions_total{plugin="weather",status="failed"}"#) == 80)
        #expect(value(#"aetherra_plugin_executions_total{plugin="weather",status="success"}"#) == 3)
        #expect(value(#"aetherra_self_improvement_tasks_total{status="success"}"#) == 2)
        #expect(value(#"aetherra_self_improvement_tasks_total{status="failed"}"#) == 1)
        #expect(value("aetherra_self_improvement_task_duration_count") == 3)
        #expect(value(#"count(aetherra_service_healthy{status="active"} == 1)"#) == 1)
        #expect(value("aetherra_memory_healthy") == 0)
        #expect(value("aetherra_memory_storage_bytes") == 2048)
        #expect(value(#"aetherra_homeostasis_status{status="active"}"#) == 0)
        #expect(value(#"aetherra_homeostasis_status{status="degraded"}"#) == 1)
        #expect(value("aetherra_self_improvement_active_tasks") == 3)
        #expect(value("aetherra_self_improvement_learning_score") == 0.87)
        #expect(value("aetherra_active_connections") == 42)
        #expect(value("aetherra_max_connections") == 100)
        #expect(value("aetherra_response_time_count") == 7)
        #expect(value(#"aetherra_response_time{quantile="0.5"}"#).map { abs($0 - 0.1) < 0.002 } == true)
        #expect(value(#"sum(aetherra_log_events_total{level="ERROR"})"#) == 1)
        // The metric line whose value is not a number counted nothing but its log event.
        #expect(value("sum(aetherra_api_requests_total)") == 160)

        // rate() over the second round: the error ratio is that round's, 30 of 80 requests; p95 is
        // in the bucket of the slow requests.
        let ratio = value("sum(rate(aetherra_api_errors_total[1m])) / sum(rate(aetherra_api_requests_total[1m]))")
        #expect(ratio.map { abs($0 - 30.0 / 80) < 0.03 } == true, "error ratio \(String(describing: ratio))")
        let p95 = value("histogram_quantile(0.95, sum by (le) (rate(aetherra_request_duration_seconds_bucket[1m])))")
        #expect(p95.map { $0 > 2 && $0 <= 5 } == true, "p95 \(String(describing: p95))")
        #expect(value("sum(rate(aetherra_api_requests_total[1m]))").map { $0 > 0 } == true)

        // The guide's alerts, as the logs say.
        let expected: Set = [
            "HighAPIErrorRate", "MemorySystemDown", "HomeostasisInactive", "SlowAPIResponses",
            "PluginExecutionFailures",
        ]
        let alerting = await waitUntil(timeout: .seconds(30)) {
            expected.isSubset(of: Set(prometheus.alerts().keys))
        }
        #expect(alerting, "active alerts: \(prometheus.alerts())")

        // promtool's linter finds nothing in the text format; OpenMetrics ends with # EOF.
        let text = try #require(httpGet("http://127.0.0.1:\(metricsPort)/metrics"))
        let lint = try await runCommand("/usr/bin/promtool", ["check", "metrics"], input: text)
        #expect(lint.status == 0 && lint.output.isEmpty && lint.error.isEmpty, "\(lint.output)\(lint.error)")
        let openMetrics = try await runCommand(
            "/usr/bin/curl",
            ["-sf", "-H", "Accept: application/openmetrics-text", "http://127.0.0.1:\(metricsPort)/metrics"]
        )
        #expect(openMetrics.output.hasSuffix("# EOF\n"))
        #expect(openMetrics.output.contains("# TYPE aetherra_api_requests counter\n"))

        logship.signal(SIGTERM)
        #expect(await logship.waitForExit(timeout: .seconds(15)) == 0)
    }
}
