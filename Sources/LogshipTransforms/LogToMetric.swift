package import LogshipCore

/// `log_to_metric`: turns events into updates of counters, gauges and histograms.
///
/// The transform leaves events unchanged. Per event and metric it yields at most one update;
/// an update that cannot be made is skipped and counted: `missing_label` when a label field
/// gives no value and has no default, `bad_value` when the value field is missing, not a finite
/// number (see `FieldValue.numberValue`), or negative for a counter. Made updates count as
/// `success`. Events that match no metric's `when` are not counted.
///
/// Use `families` to register the metrics in a `MetricStore`, and the batch `updates(for:statistics:)`
/// to feed `MetricStore.apply`, which keeps re-read events from being counted twice. When built
/// with a `store`, `apply(to:statistics:)` does both itself.
package struct LogToMetric: EventTransform {
    /// The YAML type name.
    package static let typeName = "log_to_metric"

    /// The component id, used in errors and as the `transform` label of statistics.
    package let id: String
    /// The validated definitions, in configuration order.
    package let metrics: [MetricDefinition]
    /// The families to register, one per definition.
    package let families: [MetricFamily]
    /// Where `apply(to:statistics:)` sends updates; nil: nowhere.
    package let store: MetricStore?

    /// Validates `metrics` (see `validate`) and, when `store` is given, registers the families
    /// there.
    package init(
        id: String = LogToMetric.typeName,
        metrics: [MetricDefinition],
        store: MetricStore? = nil
    )
        throws(TransformError)
    {
        try Self.validate(metrics, transform: id)
        self.id = id
        self.metrics = metrics
        self.families = metrics.map(\.family)
        self.store = store
        if let store {
            for family in families { store.register(family) }
        }
    }

    /// Computes the updates of a batch and, when built with a store, applies them there.
    /// Events are not changed.
    package func apply(to events: inout [Event], statistics: inout TransformStatistics) {
        let batch = updates(for: events, statistics: &statistics)
        if let store, !batch.isEmpty { store.apply(batch) }
    }

    /// The updates of one event, without counting skips.
    package func updates(for event: Event) -> [MetricUpdate] {
        var counts = Counts()
        var updates: [MetricUpdate] = []
        collect(for: event, into: &updates, counts: &counts)
        return updates
    }

    /// The updates of a batch, one entry per event that yields any, with its source, ready for
    /// `MetricStore.apply`. Outcomes are added to `statistics` once.
    package func updates(
        for events: [Event],
        statistics: inout TransformStatistics
    ) -> [(source: EventSource?, updates: [MetricUpdate])] {
        var counts = Counts()
        var batch: [(source: EventSource?, updates: [MetricUpdate])] = []
        var updates: [MetricUpdate] = []
        for event in events {
            collect(for: event, into: &updates, counts: &counts)
            if !updates.isEmpty {
                batch.append((event.source, updates))
                updates.removeAll(keepingCapacity: true)
            }
        }
        statistics.add(counts.success, transform: id, outcome: .success)
        statistics.add(counts.missingLabel, transform: id, outcome: .missingLabel)
        statistics.add(counts.badValue, transform: id, outcome: .badValue)
        return batch
    }

    private struct Counts {
        var success = 0
        var missingLabel = 0
        var badValue = 0
    }

    private func collect(for event: Event, into updates: inout [MetricUpdate], counts: inout Counts) {
        metrics: for metric in metrics {
            if let when = metric.when, !when.matches(event) { continue }
            var labelValues: [String] = []
            labelValues.reserveCapacity(metric.labels.count)
            for label in metric.labels {
                guard let text = event.fields[path: label.field]?.labelText ?? label.default else {
                    counts.missingLabel += 1
                    continue metrics
                }
                labelValues.append(text)
            }
            let operation: MetricUpdate.Operation
            if let valuePath = metric.value {
                guard let number = event.fields[path: valuePath]?.numberValue,
                    metric.kind != .counter || number >= 0
                else {
                    counts.badValue += 1
                    continue
                }
                switch metric.kind {
                case .counter: operation = .add(number)
                case .gauge: operation = .set(number)
                case .histogram: operation = .observe(number)
                }
            } else {
                operation = .add(1)
            }
            updates.append(MetricUpdate(family: metric.name, labelValues: labelValues, operation: operation))
            counts.success += 1
        }
    }
}
