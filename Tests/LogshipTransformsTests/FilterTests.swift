import Foundation
import LogshipCore
import LogshipTransforms
import Testing

/// `filter` flags the events it drops (they stay in the batch, to be acknowledged), counts them,
/// and `log_to_metric` after it counts nothing for them.
struct FilterTests {
    static let debug = Condition.equals([(FieldPath("level"), .string("DEBUG"))])

    static func events() -> [Event] {
        ["INFO", "DEBUG", "ERROR", "DEBUG"].map { Fixtures.event(["level": .string($0)]) }
    }

    /// Which events of a batch are dropped (the flag is the batch's; the tree form has none).
    static func dropped(_ batch: EventBatch) -> [Bool] { batch.records.map { $0.flags.contains(.dropped) } }

    static func run(_ filter: Filter, _ events: [Event]) -> (EventBatch, TransformStatistics) {
        var batch = EventBatch(events)
        var statistics = TransformStatistics()
        filter.apply(to: &batch, statistics: &statistics)
        return (batch, statistics)
    }

    @Test func dropRemovesTheMatchingEvents() {
        let (events, statistics) = Self.run(Filter(id: "no_debug", rule: .drop(Self.debug)), Self.events())
        #expect(events.count == 4, "dropped events stay in the batch, to be acknowledged")
        #expect(Self.dropped(events) == [false, true, false, true])
        #expect(statistics.counts[.init(transform: "no_debug", outcome: .dropped)] == 2)
        #expect(statistics.counts[.init(transform: "no_debug", outcome: .success)] == 2)
    }

    @Test func keepRemovesTheOthers() {
        let (events, _) = Self.run(Filter(rule: .keep(.not(Self.debug))), Self.events())
        #expect(Self.dropped(events) == [false, true, false, true])
        let (missing, _) = Self.run(Filter(rule: .keep(.hasFields([FieldPath("service")]))), Self.events())
        #expect(Self.dropped(missing) == [true, true, true, true])
    }

    @Test func anEventDroppedEarlierIsNotCountedAgain() {
        var events = EventBatch(Self.events())
        var statistics = TransformStatistics()
        Filter(id: "first", rule: .drop(Self.debug)).apply(to: &events, statistics: &statistics)
        let errors = Condition.equals([(FieldPath("level"), .string("ERROR"))])
        Filter(id: "second", rule: .keep(errors)).apply(to: &events, statistics: &statistics)
        #expect(Self.dropped(events) == [true, true, false, true])
        #expect(statistics.counts[.init(transform: "second", outcome: .dropped)] == 1)
        #expect(statistics.counts[.init(transform: "second", outcome: .success)] == 1)
    }

    /// A parser after the filter neither parses nor counts the dropped events.
    @Test func laterStepsPassDroppedEventsBy() throws {
        var batch = EventBatch(["not json", "{\"a\": 1}", "also not json"].map { Fixtures.event($0) })
        var statistics = TransformStatistics()
        let json = try RegexPattern("^\\{", transform: "filter")
        Filter(rule: .keep(.regexp([(FieldPath("message"), json)]))).apply(to: &batch, statistics: &statistics)
        try ParseJSON(id: "json").apply(to: &batch, statistics: &statistics)
        #expect(statistics.counts[.init(transform: "json", outcome: .success)] == 1)
        #expect(statistics.counts[.init(transform: "json", outcome: .failure)] == nil)
        #expect(statistics.counts[.init(transform: "json", outcome: .skipped)] == nil)
    }

    @Test func logToMetricCountsNothingForDroppedEvents() throws {
        let store = MetricStore()
        let logToMetric = try LogToMetric(
            metrics: [MetricDefinition(name: "lines_total", kind: .counter)],
            store: store
        )
        var batch = EventBatch(Self.events())
        var statistics = TransformStatistics()
        Filter(rule: .drop(Self.debug)).apply(to: &batch, statistics: &statistics)
        var updates = MetricUpdateBatch()
        logToMetric.collect(&batch, into: &updates, statistics: &statistics)
        store.apply(updates, sources: Array(repeating: nil, count: batch.count))
        #expect(store.families().first?.series.first?.value.value == 2)
    }
}
