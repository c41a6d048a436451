import Foundation
import LogshipCore
import LogshipOutputs
import Testing

@Suite struct PrometheusExpositionTests {
    /// A store with a counter (labels needing escapes), a gauge without labels, a histogram and
    /// a family without series.
    static func sampleStore(now: @escaping @Sendable () -> Double = MetricStore.wallClock) -> MetricStore {
        let store = MetricStore(now: now)
        store.register(
            MetricFamily(
                name: "logship_events_total",
                help: "Events read.\nPer file \\ path.",
                kind: .counter,
                labelNames: ["file", "level"]
            )
        )
        store.register(MetricFamily(name: "logship_queue_depth", help: "Events waiting.", kind: .gauge))
        store.register(
            MetricFamily(
                name: "http_request_duration_seconds",
                help: "Request durations.",
                kind: .histogram,
                labelNames: ["method"],
                buckets: [1, 0.01, 2.5]
            )
        )
        store.register(MetricFamily(name: "logship_dropped_total", help: "Dropped events.", kind: .counter))
        store.apply([
            MetricUpdate(family: "logship_events_total", labelValues: ["/var/log/a.log", "info"], operation: .add(3)),
            MetricUpdate(
                family: "logship_events_total",
                labelValues: ["C:\\logs\\\"b\"\nx", "error"],
                operation: .add(1)
            ),
            MetricUpdate(family: "logship_queue_depth", labelValues: [], operation: .set(1_234_567)),
            MetricUpdate(family: "http_request_duration_seconds", labelValues: ["GET"], operation: .observe(0.005)),
            MetricUpdate(family: "http_request_duration_seconds", labelValues: ["GET"], operation: .observe(0.5)),
            MetricUpdate(family: "http_request_duration_seconds", labelValues: ["GET"], operation: .observe(7)),
        ])
        return store
    }

    /// A summary: one sample per quantile (the series' labels first), then `_sum` and `_count`;
    /// quantiles of an empty window are NaN.
    @Test func summariesHaveQuantileSumAndCountSamples() {
        let store = MetricStore(now: { 1_000 })
        store.register(
            MetricFamily(
                name: "response_time",
                help: "Response time.",
                kind: .summary,
                labelNames: ["service"],
                quantiles: [0.5, 0.99]
            )
        )
        for value in [0.25, 0.25, 4.0] {
            store.apply([MetricUpdate(family: "response_time", labelValues: ["hub"], operation: .observe(value))])
        }
        let text = PrometheusExposition.render(store.families())
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines[1] == "# TYPE response_time summary")
        #expect(lines[2].hasPrefix(#"response_time{service="hub",quantile="0.5"} 0.2"#))
        #expect(
            lines[3].hasPrefix(#"response_time{service="hub",quantile="0.99"} 3.9"#)
                || lines[3].hasPrefix(#"response_time{service="hub",quantile="0.99"} 4"#)
        )
        #expect(lines[4] == #"response_time_sum{service="hub"} 4.5"#)
        #expect(lines[5] == #"response_time_count{service="hub"} 3"#)
        let empty = MetricStore(now: { 1_000 })
        empty.register(MetricFamily(name: "idle", help: "", kind: .summary))
        empty.apply([MetricUpdate(family: "idle", labelValues: [], operation: .observe(1))])
        let later = MetricStore(now: { 5_000 })
        later.register(MetricFamily(name: "idle", help: "", kind: .summary))
        later.restore(empty.snapshot())
        #expect(PrometheusExposition.render(later.families()).contains(#"idle{quantile="0.5"} NaN"#))
    }

    @Test func rendersGoldenText() {
        let expected = """
            # HELP logship_events_total Events read.\\nPer file \\\\ path.
            # TYPE logship_events_total counter
            logship_events_total{file="/var/log/a.log",level="info"} 3
            logship_events_total{file="C:\\\\logs\\\\\\"b\\"\\nx",level="error"} 1
            # HELP logship_queue_depth Events waiting.
            # TYPE logship_queue_depth gauge
            logship_queue_depth 1.234567e+06
            # HELP http_request_duration_seconds Request durations.
            # TYPE http_request_duration_seconds histogram
            http_request_duration_seconds_bucket{method="GET",le="0.01"} 1
            http_request_duration_seconds_bucket{method="GET",le="1"} 2
            http_request_duration_seconds_bucket{method="GET",le="2.5"} 2
            http_request_duration_seconds_bucket{method="GET",le="+Inf"} 3
            http_request_duration_seconds_sum{method="GET"} 7.505
            http_request_duration_seconds_count{method="GET"} 3
            # HELP logship_dropped_total Dropped events.
            # TYPE logship_dropped_total counter

            """
        #expect(PrometheusExposition.render(Self.sampleStore().families()) == expected)
    }

    /// OpenMetrics: counter families without `_total`, `_created` samples, `le` with `.0`,
    /// quotes escaped in HELP, `# EOF` at the end.
    @Test func rendersGoldenOpenMetrics() {
        let store = Self.sampleStore(now: { 1_700_000_000.25 })
        store.register(MetricFamily(name: "legacy_count", help: "A \"counter\" without _total.", kind: .counter))
        store.apply([MetricUpdate(family: "legacy_count", labelValues: [], operation: .add(2))])
        let expected = """
            # HELP logship_events Events read.\\nPer file \\\\ path.
            # TYPE logship_events counter
            logship_events_total{file="/var/log/a.log",level="info"} 3
            logship_events_created{file="/var/log/a.log",level="info"} 1.70000000025e+09
            logship_events_total{file="C:\\\\logs\\\\\\"b\\"\\nx",level="error"} 1
            logship_events_created{file="C:\\\\logs\\\\\\"b\\"\\nx",level="error"} 1.70000000025e+09
            # HELP logship_queue_depth Events waiting.
            # TYPE logship_queue_depth gauge
            logship_queue_depth 1.234567e+06
            # HELP http_request_duration_seconds Request durations.
            # TYPE http_request_duration_seconds histogram
            http_request_duration_seconds_bucket{method="GET",le="0.01"} 1
            http_request_duration_seconds_bucket{method="GET",le="1.0"} 2
            http_request_duration_seconds_bucket{method="GET",le="2.5"} 2
            http_request_duration_seconds_bucket{method="GET",le="+Inf"} 3
            http_request_duration_seconds_sum{method="GET"} 7.505
            http_request_duration_seconds_count{method="GET"} 3
            http_request_duration_seconds_created{method="GET"} 1.70000000025e+09
            # HELP logship_dropped Dropped events.
            # TYPE logship_dropped counter
            # HELP legacy_count A \\"counter\\" without _total.
            # TYPE legacy_count unknown
            legacy_count 2
            # EOF

            """
        let rendered = PrometheusExposition.render(store.families(), format: .openMetrics)
        #expect(rendered == expected)
    }

    @Test(arguments: [
        (nil, PrometheusExposition.Format.text), ("*/*", .text), ("text/plain", .text),
        ("application/openmetrics-text", .openMetrics),
        ("application/openmetrics-text; version=1.0.0; q=0.2, text/plain; q=0.5", .text),
        ("text/plain;version=0.0.4;q=0.5, application/openmetrics-text;version=1.0.0", .openMetrics),
        ("application/openmetrics-text;q=0", .text),
    ])
    func negotiatesTheFormat(accept: String?, expected: PrometheusExposition.Format) {
        #expect(PrometheusExposition.Format.negotiate(accept: accept) == expected)
    }

    @Test func rendersNothingForNoFamilies() {
        #expect(PrometheusExposition.render([]) == "")
    }

    @Test(arguments: [
        (0.0, "0"), (1, "1"), (-1, "-1"), (100, "100"), (0.5, "0.5"), (2.5, "2.5"), (-0.25, "-0.25"),
        (0.005, "0.005"), (0.0001, "0.0001"), (0.00001, "1e-05"), (0.000123, "0.000123"),
        (123_456, "123456"), (999_999, "999999"), (1_000_000, "1e+06"), (1_234_567, "1.234567e+06"),
        (1e21, "1e+21"), (1.5e300, "1.5e+300"), (0.1 + 0.2, "0.30000000000000004"), (1.0 / 3, "0.3333333333333333"),
        (12_345_678_901, "1.2345678901e+10"), (Double.leastNonzeroMagnitude, "5e-324"), (.infinity, "+Inf"),
        (-.infinity, "-Inf"),
        (.nan, "NaN"),
    ])
    func formatsValuesLikeTheGoClient(value: Double, expected: String) {
        #expect(PrometheusExposition.formatValue(value) == expected)
    }

    /// Samples go through a digits-only fast path for whole numbers: it must write what
    /// `formatValue` writes, on both sides of its bounds.
    @Test(arguments: [0.0, -0.0, 1, 7, 10, 999_999, 1_000_000, 1_234_567, 0.5, -3, 1e21, .infinity, .nan])
    func writesSampleValuesAsFormatValueDoes(value: Double) {
        let store = MetricStore()
        store.register(MetricFamily(name: "g", help: "G.", kind: .gauge, labelNames: []))
        store.apply([MetricUpdate(family: "g", labelValues: [], operation: .set(value))])
        let sample = PrometheusExposition.render(store.families()).split(separator: "\n").last.map(String.init)
        #expect(sample == "g " + PrometheusExposition.formatValue(value))
    }

    @Test func escapesHelpAndLabelValues() {
        #expect(PrometheusExposition.escapeHelp("a\\b\nc\"d") == "a\\\\b\\nc\"d")
        #expect(PrometheusExposition.escapeLabelValue("a\\b\nc\"d") == "a\\\\b\\nc\\\"d")
        #expect(PrometheusExposition.escapeLabelValue("plain") == "plain")
    }

    @Test(
        .enabled(
            if: FileManager.default.isExecutableFile(atPath: "/usr/bin/promtool"),
            "skipped: promtool is not installed at /usr/bin/promtool"
        )
    )
    func passesPromtoolCheckMetrics() async throws {
        let promtool = "/usr/bin/promtool"
        let text = PrometheusExposition.render(Self.sampleStore().families())
        let (status, output, errors) = try await CurlClient.run(promtool, ["check", "metrics"], input: Data(text.utf8))
        #expect(status == 0, "promtool failed: \(output)\(errors)")
        #expect(output.isEmpty && errors.isEmpty, "promtool complained: \(output)\(errors)")
    }
}
