import LogshipCore
import LogshipTransforms
import Testing

/// Consecutive events that add the same amount to the same series become one entry with a run
/// (`MetricUpdateBatch.Entry.run`), and the store counts a run exactly, also when a restart
/// re-reads part of it.
struct LogToMetricRunTests {
    static let key = FileKey(device: 4, inode: 5)

    /// Events of ten bytes each, from offset 0.
    static func event(_ index: Int, _ fields: FieldObject) -> Event {
        var event = Fixtures.event(fields)
        event.source = EventSource(fileKey: key, startOffset: Int64(index * 10), endOffset: Int64(index * 10 + 10))
        return event
    }

    static func transform(store: MetricStore? = nil) throws -> LogToMetric {
        try LogToMetric(
            metrics: [
                MetricDefinition(
                    name: "lines_total",
                    kind: .counter,
                    labels: [LabelDefinition(name: "service", field: FieldPath("service"))]
                ),
                MetricDefinition(
                    name: "bytes_total",
                    kind: .counter,
                    labels: [LabelDefinition(name: "service", field: FieldPath("service"))],
                    value: FieldPath("bytes")
                ),
            ],
            store: store
        )
    }

    static let events = [
        event(0, ["service": "hub"]),
        event(1, ["service": "hub", "bytes": 5]),
        event(2, ["service": "hub"]),
        event(3, ["service": "memory"]),
        event(4, ["service": "hub", "bytes": 5]),
        event(5, ["service": "hub", "bytes": 5]),
    ]

    @Test func consecutiveEqualAddsBecomeOneEntry() throws {
        var batch = EventBatch(Self.events)
        var updates = MetricUpdateBatch()
        var statistics = TransformStatistics()
        try Self.transform().collect(&batch, into: &updates, statistics: &statistics)
        let entries = updates.entries.map { entry in
            (updates.families[entry.family], updates.labelValues(of: entry), entry.event, entry.run)
        }
        // hub's lines run over events 0-2 although event 1 also counts bytes; memory breaks it.
        // Adds of 5 bytes in events 4 and 5 merge; those of event 1 are not next to them.
        let expected: [(String, [String], Int, Int)] = [
            ("lines_total", ["hub"], 0, 3),
            ("bytes_total", ["hub"], 1, 1),
            ("lines_total", ["memory"], 3, 1),
            ("lines_total", ["hub"], 4, 2),
            ("bytes_total", ["hub"], 4, 2),
        ]
        #expect(entries.count == expected.count)
        for (entry, want) in zip(entries, expected) {
            #expect(entry.0 == want.0 && entry.1 == want.1 && entry.2 == want.2 && entry.3 == want.3)
        }
        #expect(statistics.count(transform: "log_to_metric", outcome: .success) == 9)
        // The per-event view still has an update per event and metric, in the metrics' order.
        let perEvent = try Self.transform().updates(for: Self.events, statistics: &statistics)
        #expect(perEvent.map { $0.updates.map(\.family) }[1] == ["lines_total", "bytes_total"])
        #expect(perEvent.flatMap(\.updates).count == 9)
    }

    /// A restart re-reads from offset 20 (events 2-5) after events 0-3 were counted: only
    /// events 4 and 5 count again, although runs cover events counted and not.
    @Test func aRunPartlyCountedBeforeCountsOnlyTheRest() throws {
        let store = MetricStore()
        var statistics = TransformStatistics()
        let transform = try Self.transform(store: store)
        var first = EventBatch(Array(Self.events[0...3]))
        transform.apply(to: &first, statistics: &statistics)
        var again = EventBatch(Array(Self.events[2...5]))
        var updates = MetricUpdateBatch()
        transform.collect(&again, into: &updates, statistics: &statistics)
        // hub's lines: event 2 (counted), then a run of events 4 and 5 after memory's.
        #expect(updates.entries.map(\.run) == [1, 1, 2, 2])
        store.apply(updates, sources: again.records.map(\.source))
        let values = store.families().map { family in
            family.series.map { ($0.labelValues.joined(), $0.value.value) }
        }
        #expect(values[0].map(\.0) == ["hub", "memory"])
        #expect(values[0].map(\.1) == [5, 1])
        #expect(values[1].map(\.1) == [15])
    }

    /// The same with the run itself straddling the counted offset: events 0-2 counted, then a
    /// batch of events 1-2 and a new one of the same service.
    @Test func aRunStraddlingTheCountedOffset() throws {
        let store = MetricStore()
        var statistics = TransformStatistics()
        let transform = try Self.transform(store: store)
        let hub = [
            Self.event(0, ["service": "hub"]), Self.event(1, ["service": "hub"]), Self.event(2, ["service": "hub"]),
        ]
        var first = EventBatch(hub)
        transform.apply(to: &first, statistics: &statistics)
        var again = EventBatch([hub[1], hub[2], Self.event(3, ["service": "hub"])])
        var updates = MetricUpdateBatch()
        transform.collect(&again, into: &updates, statistics: &statistics)
        #expect(updates.entries.map(\.run) == [3])
        store.apply(updates, sources: again.records.map(\.source))
        #expect(store.families()[0].series.map(\.value.value) == [4])
    }
}
