import LogshipCore
import LogshipTransforms
import Testing

struct LogToMetricTests {
    /// The definitions the Aetherra pipeline uses, exactly.
    static func aetherraMetrics() -> [MetricDefinition] {
        let isRequestMetric = Condition.equals([
            (FieldPath("type"), .string("metric")), (FieldPath("metric"), .string("api_request_duration")),
        ])
        return [
            MetricDefinition(
                name: "aetherra_api_requests_total",
                help: "API requests by method, endpoint and status.",
                kind: .counter,
                labels: [
                    LabelDefinition(name: "method", field: FieldPath("labels.method")),
                    LabelDefinition(name: "endpoint", field: FieldPath("labels.endpoint")),
                    LabelDefinition(name: "status", field: FieldPath("labels.status"), default: "unknown"),
                ],
                when: isRequestMetric
            ),
            MetricDefinition(
                name: "aetherra_request_duration_seconds",
                help: "API request duration in seconds.",
                kind: .histogram,
                labels: [LabelDefinition(name: "endpoint", field: FieldPath("labels.endpoint"))],
                value: FieldPath("value"),
                buckets: [0.01, 0.05, 0.1, 0.5, 1, 2, 5],
                when: isRequestMetric
            ),
        ]
    }

    static func source(_ start: Int64, _ end: Int64) -> EventSource {
        EventSource(
            fileKey: FileKey(device: 1, inode: 2),
            startOffset: start,
            endOffset: end
        )
    }

    /// Unit suffixes are checked, and warned about rather than refused: the guide names its
    /// histograms without one.
    @Test func unitSuffixesAreWarnedAbout() {
        func warnings(_ name: String, _ kind: MetricKind) -> Int {
            LogToMetric.unitWarnings(MetricDefinition(name: name, kind: kind, value: FieldPath("value"))).count
        }
        #expect(warnings("aetherra_response_time", .summary) == 1)
        #expect(warnings("aetherra_memory_query_duration", .histogram) == 1)
        #expect(warnings("aetherra_request_duration_seconds", .histogram) == 0)
        #expect(warnings("payload_bytes", .summary) == 0)
        #expect(warnings("queue_latency_milliseconds", .gauge) == 1)
        #expect(warnings("aetherra_active_connections", .gauge) == 0)
        #expect(warnings("aetherra_api_requests_total", .counter) == 0)
        #expect(warnings("uptime_hours_total", .counter) == 1)
    }

    @Test func aetherraSampleLinesAfterParseJSON() throws {
        var offset: Int64 = 0
        var events: [Event] = []
        for line in Fixtures.aetherraLines {
            let end = offset + Int64(line.utf8.count) + 1
            events.append(Fixtures.event(line, source: Self.source(offset, end)))
            offset = end
        }
        var statistics = TransformStatistics()
        try ParseJSON().apply(to: &events, statistics: &statistics)
        let store = MetricStore()
        let transform = try LogToMetric(metrics: Self.aetherraMetrics(), store: store)
        transform.apply(to: &events, statistics: &statistics)

        #expect(statistics.count(transform: "log_to_metric", outcome: .success) == 4)
        #expect(statistics.count(transform: "log_to_metric", outcome: .missingLabel) == 0)
        let families = store.families()
        #expect(families.map(\.family.name) == ["aetherra_api_requests_total", "aetherra_request_duration_seconds"])

        let requests = families[0]
        #expect(requests.family.kind == .counter)
        #expect(requests.family.labelNames == ["method", "endpoint", "status"])
        #expect(requests.series.map(\.labelValues) == [["GET", "/health", "500"], ["POST", "/chat", "unknown"]])
        #expect(requests.series.map(\.value.value) == [1, 1])

        let durations = families[1]
        #expect(durations.family.buckets == [0.01, 0.05, 0.1, 0.5, 1, 2, 5])
        #expect(durations.series.map(\.labelValues) == [["/chat"], ["/health"]])
        // Cumulative counts for le = 0.01, 0.05, 0.1, 0.5, 1, 2, 5, +Inf.
        #expect(durations.series[0].value.bucketCounts == [0, 0, 0, 1, 1, 1, 1, 1])
        #expect(durations.series[0].value.sum == 0.234)
        #expect(durations.series[0].value.count == 1)
        #expect(durations.series[1].value.bucketCounts == [0, 0, 0, 0, 0, 1, 1, 1])
        #expect(durations.series[1].value.sum == 1.7)

        // The same events again (re-read after a restart) are not counted twice.
        transform.apply(to: &events, statistics: &statistics)
        #expect(store.families() == families)
    }

    @Test func batchUpdatesCarryTheirSourcesAndOnlyEventsWithUpdates() throws {
        let transform = try LogToMetric(metrics: [MetricDefinition(name: "lines_total", kind: .counter)])
        let events = [
            Event(message: "a", timestamp: Fixtures.readTime, source: Self.source(0, 2)),
            Event(message: "b", timestamp: Fixtures.readTime),
        ]
        var statistics = TransformStatistics()
        let batch = transform.updates(for: events, statistics: &statistics)
        #expect(batch.count == 2)
        #expect(batch[0].source == Self.source(0, 2))
        #expect(batch[1].source == nil)
        #expect(batch[0].updates == [MetricUpdate(family: "lines_total", labelValues: [], operation: .add(1))])

        let filtered = try LogToMetric(
            metrics: [MetricDefinition(name: "a_total", kind: .counter, when: .hasFields([FieldPath("x")]))]
        )
        #expect(filtered.updates(for: events, statistics: &statistics).isEmpty)
    }

    @Test func missingLabelsUseDefaultsOrSkipTheUpdate() throws {
        let transform = try LogToMetric(
            id: "m",
            metrics: [
                MetricDefinition(
                    name: "hits_total",
                    kind: .counter,
                    labels: [
                        LabelDefinition(name: "path", field: FieldPath("path")),
                        LabelDefinition(name: "code", field: FieldPath("code"), default: "none"),
                    ]
                ),
                MetricDefinition(name: "all_total", kind: .counter),
            ]
        )
        #expect(
            transform.updates(for: Fixtures.event(["path": "/a", "code": 404])) == [
                MetricUpdate(family: "hits_total", labelValues: ["/a", "404"], operation: .add(1)),
                MetricUpdate(family: "all_total", labelValues: [], operation: .add(1)),
            ]
        )
        #expect(
            transform.updates(for: Fixtures.event(["path": "/a", "code": .null]))[0].labelValues == ["/a", "none"]
        )
        let events = [Fixtures.event(["code": 200]), Fixtures.event(["path": .array(["x"])])]
        var statistics = TransformStatistics()
        let batch = transform.updates(for: events, statistics: &statistics)
        #expect(batch.flatMap(\.updates).map(\.family) == ["all_total", "all_total"])
        #expect(statistics.count(transform: "m", outcome: .missingLabel) == 2)
        #expect(statistics.count(transform: "m", outcome: .success) == 2)
    }

    @Test func valuesMustBeNumbers() throws {
        let transform = try LogToMetric(
            id: "m",
            metrics: [
                MetricDefinition(name: "bytes_total", kind: .counter, value: FieldPath("bytes")),
                MetricDefinition(name: "temperature", kind: .gauge, value: FieldPath("celsius")),
            ]
        )
        #expect(
            transform.updates(for: Fixtures.event(["bytes": 10, "celsius": "21.5"])) == [
                MetricUpdate(family: "bytes_total", labelValues: [], operation: .add(10)),
                MetricUpdate(family: "temperature", labelValues: [], operation: .set(21.5)),
            ]
        )
        let events = [
            Fixtures.event(["bytes": "ten", "celsius": .bool(true)]),
            Fixtures.event(["bytes": -5, "celsius": .double(.nan)]),
            Fixtures.event(["other": 1]),
        ]
        var statistics = TransformStatistics()
        #expect(transform.updates(for: events, statistics: &statistics).isEmpty)
        #expect(statistics.count(transform: "m", outcome: .badValue) == 6)
    }

    @Test(
        arguments: [
            ([MetricDefinition](), "metrics", "define at least one metric"),
            ([MetricDefinition(name: "requests", kind: .counter)], "metrics[0].name", "must end in _total"),
            ([MetricDefinition(name: "1bad_total", kind: .counter)], "metrics[0].name", "not a Prometheus metric name"),
            ([MetricDefinition(name: "a-b_total", kind: .counter)], "metrics[0].name", "not a Prometheus metric name"),
            (
                [MetricDefinition(name: "a_total", kind: .counter), MetricDefinition(name: "a_total", kind: .counter)],
                "metrics", "more than once"
            ),
            ([MetricDefinition(name: "g", kind: .gauge)], "metrics[0].value", "needs the field"),
            ([MetricDefinition(name: "h", kind: .histogram)], "metrics[0].value", "needs the field"),
            (
                [
                    MetricDefinition(
                        name: "a_total",
                        kind: .counter,
                        labels: [LabelDefinition(name: "a:b", field: FieldPath("x"))]
                    )
                ],
                "metrics[0].labels[0].name", "not a Prometheus label name"
            ),
            (
                [
                    MetricDefinition(
                        name: "a_total",
                        kind: .counter,
                        labels: [LabelDefinition(name: "__x", field: FieldPath("x"))]
                    )
                ],
                "metrics[0].labels[0].name", "reserved"
            ),
            (
                [
                    MetricDefinition(
                        name: "h",
                        kind: .histogram,
                        labels: [LabelDefinition(name: "le", field: FieldPath("x"))],
                        value: FieldPath("v")
                    )
                ],
                "metrics[0].labels[0].name", "bucket bounds"
            ),
            (
                [
                    MetricDefinition(
                        name: "a_total",
                        kind: .counter,
                        labels: [
                            LabelDefinition(name: "x", field: FieldPath("x")),
                            LabelDefinition(name: "x", field: FieldPath("y")),
                        ]
                    )
                ],
                "metrics[0].labels", "more than once"
            ),
            (
                [MetricDefinition(name: "h", kind: .histogram, value: FieldPath("v"), buckets: [1, 1])],
                "metrics[0].buckets[1]", "strictly increasing"
            ),
            (
                [MetricDefinition(name: "h", kind: .histogram, value: FieldPath("v"), buckets: [2, 1])],
                "metrics[0].buckets[1]", "strictly increasing"
            ),
            (
                [MetricDefinition(name: "h", kind: .histogram, value: FieldPath("v"), buckets: [1, .infinity])],
                "metrics[0].buckets[1]", "finite"
            ),
        ] as [([MetricDefinition], String, String)]
    )
    func invalidDefinitionsAreRejected(metrics: [MetricDefinition], setting: String, reason: String) {
        do {
            _ = try LogToMetric(id: "derive", metrics: metrics)
            Issue.record("accepted \(metrics.map(\.name))")
        } catch {
            #expect(error.transform == "derive")
            #expect(error.setting == setting)
            #expect(error.description.contains(reason), "\(error)")
        }
    }

    @Test func singleDefinitionValidationNamesTheGivenPath() {
        #expect(
            throws: TransformError.missingSetting(
                transform: "derive",
                setting: "metrics[3].value",
                reason: "a gauge needs the field holding the value to record"
            )
        ) {
            try LogToMetric.validate(MetricDefinition(name: "g", kind: .gauge), at: "metrics[3]", transform: "derive")
        }
    }

    @Test func histogramWithDefaultBucketsAndValidNames() throws {
        let transform = try LogToMetric(metrics: [
            MetricDefinition(name: "ns:latency_seconds", kind: .histogram, value: FieldPath("v")),
            MetricDefinition(
                name: "up",
                kind: .gauge,
                labels: [LabelDefinition(name: "_x1", field: FieldPath("x"))],
                value: FieldPath("v")
            ),
        ])
        #expect(transform.families[0].buckets == MetricFamily.defaultBuckets)
        #expect(transform.families[1].buckets.isEmpty)
    }
}
