import Synchronization

/// The derived metrics: counters, gauges and histograms keyed by label values, updated a batch at
/// a time and read by the Prometheus endpoint.
///
/// It also remembers, per file, the offset up to which events have been counted. Events read
/// again after a restart (the checkpoint lags behind what was counted) are then not counted
/// twice, provided the store's state was saved together with those offsets (`snapshot()` and
/// `restore(_:)`).
///
/// Bounded: a family holds at most `maximumSeriesPerFamily` series; updates that would create
/// more are dropped and counted in `droppedUpdates`.
package final class MetricStore: Sendable {
    private struct State: Sendable {
        var families: [String: MetricFamily] = [:]
        var order: [String] = []
        var series: [String: [[String]: SeriesValue]] = [:]
        var countedOffsets: [FileKey: Int64] = [:]
        var droppedUpdates: UInt64 = 0
    }

    private let state = Mutex(State())

    /// The most series one family may hold.
    package let maximumSeriesPerFamily: Int

    package init(maximumSeriesPerFamily: Int = 10_000) {
        self.maximumSeriesPerFamily = maximumSeriesPerFamily
    }

    /// Declares a family. Declaring a name again replaces its description but keeps its series
    /// when the kind and label names are unchanged.
    package func register(_ family: MetricFamily) {
        state.withLock { state in
            if let old = state.families[family.name] {
                if old.kind != family.kind || old.labelNames != family.labelNames || old.buckets != family.buckets {
                    state.series[family.name] = [:]
                }
            } else {
                state.order.append(family.name)
                state.series[family.name] = [:]
            }
            state.families[family.name] = family
        }
    }

    /// Applies the updates of a batch of events. Updates of an event that starts before the offset
    /// already counted for its file are skipped; the counted offset then moves
    /// to the event's end. Updates for undeclared families or with the wrong number of label
    /// values are dropped and counted.
    package func apply(_ batch: [(source: EventSource?, updates: [MetricUpdate])]) {
        state.withLock { state in
            for (source, updates) in batch {
                if let source {
                    // An event starting inside the counted region was counted, whole or in part
                    // (a multiline event regrouped with more lines after a restart): counting it
                    // again would count its first lines twice.
                    if let counted = state.countedOffsets[source.fileKey], source.startOffset < counted { continue }
                    state.countedOffsets[source.fileKey] = source.endOffset
                }
                for update in updates { Self.apply(update, to: &state, limit: maximumSeriesPerFamily) }
            }
        }
    }

    /// Applies updates that are not tied to a file (logship's own metrics).
    package func apply(_ updates: [MetricUpdate]) {
        state.withLock { state in
            for update in updates { Self.apply(update, to: &state, limit: maximumSeriesPerFamily) }
        }
    }

    private static func apply(_ update: MetricUpdate, to state: inout State, limit: Int) {
        guard let family = state.families[update.family], family.labelNames.count == update.labelValues.count else {
            state.droppedUpdates += 1
            return
        }
        let isNew = state.series[update.family]?[update.labelValues] == nil
        if isNew && state.series[update.family, default: [:]].count >= limit {
            state.droppedUpdates += 1
            return
        }
        let initial = SeriesValue(
            bucketCounts: family.kind == .histogram ? Array(repeating: 0, count: family.buckets.count + 1) : []
        )
        // Mutated in place through the subscripts: copying the family's series out and back would
        // copy the whole dictionary on every update.
        let applied = Self.apply(
            update.operation,
            of: family,
            to: &state.series[update.family, default: [:]][update.labelValues, default: initial]
        )
        if !applied {
            state.droppedUpdates += 1
            if isNew { state.series[update.family]?[update.labelValues] = nil }
        }
    }

    private static func apply(
        _ operation: MetricUpdate.Operation,
        of family: MetricFamily,
        to value: inout SeriesValue
    ) -> Bool {
        switch (family.kind, operation) {
        case (.counter, .add(let amount)) where amount >= 0, (.gauge, .add(let amount)):
            value.value += amount
        case (.gauge, .set(let amount)):
            value.value = amount
        case (.histogram, .observe(let observed)):
            for (index, bound) in family.buckets.enumerated() where observed <= bound { value.bucketCounts[index] += 1 }
            value.bucketCounts[family.buckets.count] += 1
            value.sum += observed
            value.count += 1
        default:
            return false
        }
        return true
    }

    /// Forgets the counted offset of `key`: for a file that was truncated and is read again from
    /// the start, or one that is finished and gone.
    package func resetCountedOffset(of key: FileKey) {
        state.withLock { _ = $0.countedOffsets.removeValue(forKey: key) }
    }

    /// Every family in declaration order with its series sorted by label values.
    package func families() -> [FamilySnapshot] {
        state.withLock { Self.families(of: $0) }
    }

    private static func families(of state: State) -> [FamilySnapshot] {
        state.order.compactMap { name in
            guard let family = state.families[name] else { return nil }
            let series = (state.series[name] ?? [:]).map { SeriesSnapshot(labelValues: $0.key, value: $0.value) }
                .sorted { $0.labelValues.lexicographicallyPrecedes($1.labelValues) }
            return FamilySnapshot(family: family, series: series)
        }
    }

    /// The number of series over all families.
    package var seriesCount: Int { state.withLock { $0.series.values.reduce(0) { $0 + $1.count } } }

    /// Updates dropped so far: unknown family, wrong label count, wrong operation, or over the
    /// series limit.
    package var droppedUpdates: UInt64 { state.withLock { $0.droppedUpdates } }

    /// The state to persist beside the checkpoints: series and counted offsets read under one
    /// lock, so that they always agree.
    package func snapshot() -> MetricStoreSnapshot {
        state.withLock { state in
            MetricStoreSnapshot(
                families: Self.families(of: state),
                countedOffsets: state.countedOffsets.map { .init(fileKey: $0.key, offset: $0.value) }
                    .sorted { $0.fileKey < $1.fileKey }
            )
        }
    }

    /// Restores series and counted offsets saved by `snapshot()`. Only families that are declared
    /// now with the same kind, label names and buckets are restored: a changed definition starts
    /// afresh rather than mixing old and new meaning.
    package func restore(_ snapshot: MetricStoreSnapshot) {
        state.withLock { state in
            for saved in snapshot.families {
                guard let current = state.families[saved.family.name], current.kind == saved.family.kind,
                    current.labelNames == saved.family.labelNames, current.buckets == saved.family.buckets
                else { continue }
                var series: [[String]: SeriesValue] = [:]
                for entry in saved.series.prefix(maximumSeriesPerFamily) { series[entry.labelValues] = entry.value }
                state.series[saved.family.name] = series
            }
            for entry in snapshot.countedOffsets { state.countedOffsets[entry.fileKey] = entry.offset }
        }
    }
}

/// The persisted form of a metric store.
package struct MetricStoreSnapshot: Sendable, Codable, Equatable {
    package struct CountedOffset: Sendable, Codable, Equatable {
        package var fileKey: FileKey
        package var offset: Int64

        package init(fileKey: FileKey, offset: Int64) {
            self.fileKey = fileKey
            self.offset = offset
        }
    }

    package var families: [FamilySnapshot]
    package var countedOffsets: [CountedOffset]

    package init(families: [FamilySnapshot] = [], countedOffsets: [CountedOffset] = []) {
        self.families = families
        self.countedOffsets = countedOffsets
    }
}
