import LogshipCore
import LogshipTransforms
import Testing

struct TransformStatisticsTests {
    @Test func countsAddUpAndZeroIsIgnored() {
        var statistics = TransformStatistics()
        statistics.add(0, transform: "a", outcome: .success)
        #expect(statistics.isEmpty)
        statistics.add(2, transform: "a", outcome: .success)
        var other = TransformStatistics()
        other.add(3, transform: "a", outcome: .success)
        other.add(1, transform: "b", outcome: .noMatch)
        statistics.merge(other)
        #expect(statistics.count(transform: "a", outcome: .success) == 5)
        #expect(statistics.count(transform: "b", outcome: .noMatch) == 1)
        #expect(statistics.count(transform: "b", outcome: .success) == 0)
        statistics.reset()
        #expect(statistics.isEmpty)
    }

    @Test func metricUpdatesFeedTheSelfMetricFamily() {
        var statistics = TransformStatistics()
        statistics.add(4, transform: "parse_json", outcome: .skipped)
        statistics.add(1, transform: "parse_json", outcome: .failure)
        statistics.add(2, transform: "add_fields", outcome: .success)
        #expect(
            statistics.metricUpdates() == [
                MetricUpdate(
                    family: "logship_transform_events_total",
                    labelValues: ["add_fields", "success"],
                    operation: .add(2)
                ),
                MetricUpdate(
                    family: "logship_transform_events_total",
                    labelValues: ["parse_json", "failure"],
                    operation: .add(1)
                ),
                MetricUpdate(
                    family: "logship_transform_events_total",
                    labelValues: ["parse_json", "skipped"],
                    operation: .add(4)
                ),
            ]
        )
        let store = MetricStore()
        store.register(TransformStatistics.metricFamily)
        store.apply(statistics.metricUpdates())
        #expect(store.droppedUpdates == 0)
        #expect(store.seriesCount == 3)
    }
}
