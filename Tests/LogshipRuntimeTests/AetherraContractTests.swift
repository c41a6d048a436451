import Foundation
import LogshipCore
import LogshipRuntime
import LogshipTransforms
import Testing

/// `pipelines/aetherra.yml` derives the guide's series from the kinds of lines Aetherra writes:
/// every line below goes through the pipeline's steps, and each series is checked.
struct AetherraContractTests {
    static let prefix = "2025-11-01 12:00:00,123 - aetherra_hub - INFO - "

    static func metric(
        _ name: String,
        _ value: String,
        labels: String = "{}",
        service: String = "aetherra_hub"
    )
        -> String
    {
        #"{"timestamp": "2025-11-01T12:00:00.123456", "service": "\#(service)", "metric": "\#(name)", "value": \#(value), "labels": \#(labels), "type": "metric"}"#
    }

    static let lines: [String] = [
        prefix
            + metric(
                "api_request_duration",
                "0.234",
                labels: #"{"endpoint": "/chat", "method": "POST", "status": "200"}"#
            ),
        metric("api_request_duration", "0.07", labels: #"{"endpoint": "/chat", "method": "POST", "status": 503}"#),
        prefix
            + metric(
                "api_request_duration",
                "1.5",
                labels: #"{"endpoint": "/health", "method": "GET", "status": "error"}"#
            ),
        metric("api_request_duration", "\"slow\"", labels: #"{"endpoint": "/chat", "method": "GET", "status": "200"}"#),
        metric("memory_event", "1", labels: #"{"type": "user_interaction"}"#),
        metric("memory_event", "1", labels: #"{"type": "user_interaction"}"#),
        metric("memory_query_duration", "0.004"),
        metric("memory_storage_bytes", "134217728"),
        metric("memory_healthy", "1"),
        metric("memory_healthy", "0"),
        metric("homeostasis_status", "1", labels: #"{"status": "active"}"#),
        metric("homeostasis_status", "1", labels: #"{"status": "degraded"}"#),
        metric("plugin_execution", "1", labels: #"{"plugin": "weather", "status": "failed"}"#),
        metric("self_improvement_task", "42.5", labels: #"{"status": "success"}"#),
        metric("self_improvement_active_tasks", "3"),
        metric("self_improvement_learning_score", "0.87"),
        metric("active_connections", "12"),
        metric("max_connections", "100"),
        metric("service_health", "1", labels: #"{"service": "lyrixa", "status": "active"}"#),
        metric("service_health", "1", labels: #"{"service": "hub", "status": "active"}"#),
        metric("service_health", "1", labels: #"{"service": "hub", "status": "stopped"}"#),
        metric("response_time", "0.12"),
        metric("response_time", "0.45"),
        metric("response_time", "\"NaN\""),
        "2025-11-01 12:00:01,000 - aetherra.memory - ERROR - lookup failed\nTraceback (most recent call last):\n  File \"x.py\", line 1",
        "2025-11-01 12:00:02,000 - aetherra.memory - WARNING - slow",
        "plain text without a prefix",
        #"{"service": "lyrixa", "level": "DEBUG", "message": "json log line"}"#,
    ]

    /// Series of the pipeline's metrics after `lines`, by family name and then label values.
    static func derive() throws -> [String: [[String]: SeriesValue]] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let pipeline = try PipelineLoader.load(
            path: root.appendingPathComponent("pipelines/aetherra.yml").path,
            environment: [:]
        )
        let store = MetricStore()
        for family in pipeline.metricFamilies { store.register(family) }
        var offset: Int64 = 0
        var events = lines.map { line in
            defer { offset += Int64(line.utf8.count + 1) }
            let source = EventSource(
                fileKey: FileKey(device: 1, inode: 2),
                startOffset: offset,
                endOffset: offset + Int64(line.utf8.count + 1)
            )
            return Event(message: line, timestamp: Date(timeIntervalSince1970: 1_761_998_400), source: source)
        }
        var statistics = TransformStatistics()
        for step in pipeline.steps {
            switch step {
            case .transform(let transform):
                transform.apply(to: &events, statistics: &statistics)
            case .metrics(let metrics):
                store.apply(metrics.updates(for: events, statistics: &statistics))
            }
        }
        var result: [String: [[String]: SeriesValue]] = [:]
        for family in store.families() {
            result[family.family.name] = Dictionary(
                uniqueKeysWithValues: family.series.map { ($0.labelValues, $0.value) }
            )
        }
        return result
    }

    /// The metrics are dispatched on the `metric` field (only those whose text matches are
    /// tested): the updates are those of testing every condition, also for a `metric` written
    /// with an escape, as a number, as a boolean, or missing.
    @Test func dispatchingOnTheMetricFieldChangesNoUpdate() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let pipeline = try PipelineLoader.load(
            path: root.appendingPathComponent("pipelines/aetherra.yml").path,
            environment: [:]
        )
        let tricky = [
            #"{"type": "metric", "metric": "memory\u005fevent", "value": 1, "labels": {"type": "x"}}"#,
            #"{"type": "metric", "metric": 42, "value": 1}"#,
            #"{"type": "metric", "metric": true, "value": 1}"#,
            #"{"type": "metric", "value": 1}"#,
            #"{"type": "metric", "metric": "response_time ", "value": 1}"#,
        ]
        var events = (Self.lines + tricky).map { Event(message: $0, timestamp: Date(timeIntervalSince1970: 0)) }
        var statistics = TransformStatistics()
        var compared = 0
        for step in pipeline.steps {
            switch step {
            case .transform(let transform):
                transform.apply(to: &events, statistics: &statistics)
            case .metrics(let metrics):
                // The same metrics, each condition inside an `or`: no dispatch, every one tested.
                let undispatched = try LogToMetric(
                    id: metrics.id,
                    metrics: metrics.metrics.map { definition in
                        var definition = definition
                        definition.when = definition.when.map { .or([$0]) }
                        return definition
                    }
                )
                var first = TransformStatistics()
                var second = TransformStatistics()
                let dispatched = metrics.updates(for: events, statistics: &first).map(\.updates)
                let tested = undispatched.updates(for: events, statistics: &second).map(\.updates)
                #expect(dispatched == tested)
                #expect(dispatched.flatMap { $0 }.count > Self.lines.count)
                compared += 1
            }
        }
        #expect(compared == 1)
    }

    @Test func everySeriesOfTheGuideIsDerived() throws {
        let series = try Self.derive()
        // Three request lines with a number for a value; the one whose value is text is skipped.
        #expect(
            series["aetherra_api_requests_total"]?.mapValues(\.value) == [
                ["POST", "/chat", "200"]: 1, ["POST", "/chat", "503"]: 1, ["GET", "/health", "error"]: 1,
            ]
        )
        #expect(
            series["aetherra_api_errors_total"]?.mapValues(\.value) == [
                ["POST", "/chat", "503"]: 1, ["GET", "/health", "error"]: 1,
            ]
        )
        let chat = try #require(series["aetherra_request_duration_seconds"]?[["/chat"]])
        #expect(chat.count == 2)
        #expect(chat.bucketCounts == [0, 0, 1, 2, 2, 2, 2, 2])
        #expect(series["aetherra_memory_events_total"]?[["user_interaction"]]?.value == 2)
        #expect(series["aetherra_memory_query_duration"]?[[]]?.count == 1)
        #expect(series["aetherra_memory_storage_bytes"]?[[]]?.value == 134_217_728)
        #expect(series["aetherra_memory_healthy"]?[[]]?.value == 0)
        #expect(series["aetherra_homeostasis_status"]?.mapValues(\.value) == [["active"]: 0, ["degraded"]: 1])
        #expect(series["aetherra_plugin_executions_total"]?[["weather", "failed"]]?.value == 1)
        #expect(series["aetherra_self_improvement_tasks_total"]?[["success"]]?.value == 1)
        #expect(series["aetherra_self_improvement_task_duration"]?[[]]?.sum == 42.5)
        #expect(series["aetherra_self_improvement_active_tasks"]?[[]]?.value == 3)
        #expect(series["aetherra_self_improvement_learning_score"]?[[]]?.value == 0.87)
        #expect(series["aetherra_active_connections"]?[[]]?.value == 12)
        #expect(series["aetherra_max_connections"]?[[]]?.value == 100)
        #expect(
            series["aetherra_service_healthy"]?.mapValues(\.value) == [
                // Counted with count(...{status="active"}) by the guide: hub is not active now.
                ["lyrixa", "active"]: 1, ["hub", "stopped"]: 1,
            ]
        )
        // NaN is not a number to observe: two observations.
        let response = try #require(series["aetherra_response_time"]?[[]])
        #expect(response.count == 2)
        #expect(abs(response.sum - 0.57) < 1e-9)
        #expect(response.quantiles?.count == 3)
        #expect(abs((response.quantiles?[0] ?? 0) - 0.12) <= 0.12 * QuantileWindow.relativeAccuracy)
        #expect(abs((response.quantiles?[2] ?? 0) - 0.45) <= 0.45 * QuantileWindow.relativeAccuracy)
        // Every event once: the JSON service, else the logger; the prefix's level, else the
        // JSON one, else INFO.
        let events = try #require(series["aetherra_log_events_total"]).mapValues(\.value)
        #expect(events.values.reduce(0, +) == Double(Self.lines.count))
        #expect(events[["aetherra.memory", "ERROR"]] == 1)
        #expect(events[["aetherra.memory", "WARNING"]] == 1)
        #expect(events[["unknown", "INFO"]] == 1)
        #expect(events[["lyrixa", "DEBUG"]] == 1)
        #expect(events[["aetherra_hub", "INFO"]] == Double(Self.lines.count - 4))
    }
}
