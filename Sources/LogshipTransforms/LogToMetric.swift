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
    package func apply(to batch: inout EventBatch, statistics: inout TransformStatistics) {
        var updates = MetricUpdateBatch()
        collect(&batch, into: &updates, statistics: &statistics)
        if let store, !updates.isEmpty { store.apply(updates, sources: batch.records.map(\.source)) }
    }

    /// The updates of one event, without counting skips.
    package func updates(for event: Event) -> [MetricUpdate] {
        var statistics = TransformStatistics()
        return updates(for: [event], statistics: &statistics).first?.updates ?? []
    }

    /// The updates of a batch of `Event`s, one entry per event that yields any, with its source
    /// (for tests; the pipeline uses `collect(_:into:statistics:)`). Outcomes are added to
    /// `statistics` once.
    package func updates(
        for events: [Event],
        statistics: inout TransformStatistics
    ) -> [(source: EventSource?, updates: [MetricUpdate])] {
        var batch = EventBatch(events)
        var updates = MetricUpdateBatch()
        collect(&batch, into: &updates, statistics: &statistics)
        var result: [(source: EventSource?, updates: [MetricUpdate])] = []
        var lastEvent = -1
        for entry in updates.entries {
            let update = MetricUpdate(
                family: updates.families[entry.family],
                labelValues: updates.labelValues(of: entry),
                operation: entry.operation
            )
            if entry.event != lastEvent {
                result.append((events[entry.event].source, [update]))
                lastEvent = entry.event
            } else {
                result[result.count - 1].updates.append(update)
            }
        }
        return result
    }

    /// Appends the updates of every event of `batch` to `updates`, grouped by event in read
    /// order. The work goes a metric at a time over the whole batch, so that conditions, paths
    /// and label definitions are prepared once per batch; label values are copied as bytes (see
    /// `MetricUpdateBatch`). Outcomes are added to `statistics` once. `batch` only gains keys.
    package func collect(
        _ batch: inout EventBatch,
        into updates: inout MetricUpdateBatch,
        statistics: inout TransformStatistics
    ) {
        var counts = Counts()
        let firstEntry = updates.entries.count
        // Shared by every metric: the fields they test and read are looked up once per event.
        var lookups = FieldLookups(for: batch)
        for metric in metrics {
            let family = updates.familyIndex(metric.name)
            let selected = metric.when?.matches(in: &batch, lookups: &lookups)
            let labelColumns = metric.labels.map { lookups.column($0.field, in: &batch) }
            let fallbacks = metric.labels.map { label in label.default.map { batch.key($0) } }
            let value = metric.value.map { lookups.column($0, in: &batch) }
            let kind = metric.kind
            events: for event in 0..<batch.count {
                if let selected, !selected[event] { continue }
                let start = updates.labelStart
                for label in 0..<labelColumns.count {
                    let slot = lookups.value(labelColumns[label], event: event, in: batch)
                    let found = slot.map {
                        batch.appendLabelText($0, to: &updates.labelBytes)
                    }
                    if found != true {
                        guard let fallback = fallbacks[label] else {
                            updates.discardLabels(from: start)
                            counts.missingLabel += 1
                            continue events
                        }
                        batch.copyBytes(fallback, to: &updates.labelBytes)
                    }
                    updates.endLabel()
                }
                let operation: MetricUpdate.Operation
                if let value {
                    guard let number = lookups.value(value, event: event, in: batch).flatMap({ batch.number($0) }),
                        kind != .counter || number >= 0
                    else {
                        updates.discardLabels(from: start)
                        counts.badValue += 1
                        continue
                    }
                    switch kind {
                    case .counter: operation = .add(number)
                    case .gauge: operation = .set(number)
                    case .histogram: operation = .observe(number)
                    }
                } else {
                    operation = .add(1)
                }
                updates.append(family: family, labelsFrom: start, operation: operation, event: event)
                counts.success += 1
            }
        }
        if metrics.count > 1 { updates.groupByEvent(from: firstEntry, events: batch.count) }
        statistics.add(counts.success, transform: id, outcome: .success)
        statistics.add(counts.missingLabel, transform: id, outcome: .missingLabel)
        statistics.add(counts.badValue, transform: id, outcome: .badValue)
    }

    private struct Counts {
        var success = 0
        var missingLabel = 0
        var badValue = 0
    }
}
