import Glibc
import Synchronization

import struct Foundation.Date

/// The derived metrics: counters, gauges and histograms keyed by label values, updated a batch at
/// a time and read by the Prometheus endpoint.
///
/// It also remembers, per file, the offset up to which events have been counted. Events read
/// again after a restart (the checkpoint lags behind what was counted) are then not counted
/// twice, provided the store's state was saved together with those offsets (`snapshot()` and
/// `restore(_:)`).
///
/// Bounded: a family holds at most its `maximumSeries`, or `maximumSeriesPerFamily`, series.
/// Updates that would create
/// more go to one overflow series per family, whose label values are all `__overflow__`, and are
/// counted in `overflowCounts()`: totals over a family stay exact while its label values explode.
package final class MetricStore: Sendable {
    /// One series: its label values as bytes (for lookups) and as strings (for exposition).
    fileprivate struct Series: Sendable {
        var key: [UInt8]
        var labelValues: [String]
        var value: SeriesValue
        /// `MetricUpdateBatch.hash` of `key`.
        var hash: UInt64
    }

    fileprivate struct FamilySeries: Sendable {
        var series: [Series] = []
        /// Positions of the series in order of their label values, as of when `series` last had
        /// `sorted.count` members: sorted again only after new series (a scrape of 10,000 series
        /// spent most of its time sorting them).
        var sorted: [Int32] = []

        mutating func sortIfNeeded() {
            guard sorted.count != series.count else { return }
            let series = self.series
            sorted = (0..<Int32(series.count)).sorted {
                series[Int($0)].labelValues.lexicographicallyPrecedes(series[Int($1)].labelValues)
            }
        }

        /// An open-addressing index over the series by the hash their updates already carry
        /// (linear probing, at most half full): each slot holds a series' position plus one, or
        /// 0. Not a `Dictionary`, which would hash the hash again with SipHash on every update.
        var slots: [Int32] = []

        func find(_ key: UnsafeBufferPointer<UInt8>, hash: UInt64) -> Int? {
            guard !slots.isEmpty else { return nil }
            let mask = slots.count - 1
            var position = Int(truncatingIfNeeded: hash) & mask
            while slots[position] != 0 {
                let index = Int(slots[position]) - 1
                // memcmp rather than `elementsEqual`, whose generic loop was 2% of the CPU.
                if series[index].hash == hash,
                    series[index].key.withUnsafeBufferPointer({ stored in
                        stored.count == key.count
                            && (key.isEmpty || memcmp(stored.baseAddress!, key.baseAddress!, key.count) == 0)
                    })
                {
                    return index
                }
                position = (position + 1) & mask
            }
            return nil
        }

        mutating func insert(_ key: [UInt8], labelValues: [String], value: SeriesValue, hash: UInt64) -> Int {
            let index = series.count
            series.append(Series(key: key, labelValues: labelValues, value: value, hash: hash))
            if series.count * 2 > slots.count {
                slots = [Int32](repeating: 0, count: max(16, slots.count * 2))
                for (position, entry) in series.enumerated() { place(position, hash: entry.hash) }
            } else {
                place(index, hash: hash)
            }
            return index
        }

        private mutating func place(_ index: Int, hash: UInt64) {
            let mask = slots.count - 1
            var position = Int(truncatingIfNeeded: hash) & mask
            while slots[position] != 0 { position = (position + 1) & mask }
            slots[position] = Int32(index + 1)
        }
    }

    private struct State: Sendable {
        var families: [String: MetricFamily] = [:]
        var order: [String] = []
        /// Each family's series, at the family's position in `seriesIndex`: an update finds
        /// them by position, without hashing the family's name.
        var series: [FamilySeries] = []
        var seriesIndex: [String: Int] = [:]
        var countedOffsets: [FileKey: Int64] = [:]
        var droppedUpdates: UInt64 = 0
        /// Updates sent to each family's overflow series, by family name.
        var overflows: [String: UInt64] = [:]
    }

    private let state = Mutex(State())

    /// The most series one family may hold.
    package let maximumSeriesPerFamily: Int

    /// The wall clock, in seconds since 1970: summaries' windows (`QuantileWindow`) slide with it.
    private let now: @Sendable () -> Double

    package init(maximumSeriesPerFamily: Int = 10_000, now: @escaping @Sendable () -> Double = MetricStore.wallClock) {
        self.maximumSeriesPerFamily = maximumSeriesPerFamily
        self.now = now
    }

    /// Seconds since 1970.
    package static func wallClock() -> Double {
        Date().timeIntervalSince1970
    }

    /// Declares a family. Declaring a name again replaces its description but keeps its series
    /// when the kind and label names are unchanged.
    package func register(_ family: MetricFamily) {
        state.withLock { state in
            if let old = state.families[family.name], let index = state.seriesIndex[family.name] {
                if old.kind != family.kind || old.labelNames != family.labelNames || old.buckets != family.buckets {
                    state.series[index] = FamilySeries()
                }
            } else {
                state.order.append(family.name)
                state.seriesIndex[family.name] = state.series.count
                state.series.append(FamilySeries())
            }
            state.families[family.name] = family
        }
    }

    /// Applies the updates of a batch of events. Updates of an event that starts before the offset
    /// already counted for its file are skipped; the counted offset then moves
    /// to the event's end. Updates for undeclared families or with the wrong number of label
    /// values are dropped and counted.
    package func apply(_ batch: [(source: EventSource?, updates: [MetricUpdate])]) {
        var updates = MetricUpdateBatch()
        var sources: [EventSource?] = []
        for (event, entry) in batch.enumerated() {
            sources.append(entry.source)
            for update in entry.updates { updates.append(update, event: event) }
        }
        apply(updates, sources: sources)
    }

    /// Applies updates that are not tied to a file (logship's own metrics).
    package func apply(_ updates: [MetricUpdate]) {
        var batch = MetricUpdateBatch()
        for update in updates { batch.append(update, event: 0) }
        apply(batch, sources: [nil])
    }

    /// Applies `updates`, whose `event`s index `sources` (the events' sources, `nil` for events
    /// not read from a file). As `apply(_:)` for batches: an event starting before the offset
    /// already counted for its file is skipped whole, and the counted offset moves to its end.
    /// Allocates only for a new series.
    package func apply(_ updates: MetricUpdateBatch, sources: [EventSource?]) {
        guard !updates.isEmpty else { return }
        let now = now()
        state.withLock { state in
            // By position, as plain values: the compiler copied a `MetricFamily` (two strings and
            // two arrays retained and released) out of any array it was kept in, once per update.
            // A family that is not declared has index -1 and is never used.
            let shapes = updates.families.map { name in
                state.families[name].map {
                    FamilyShape(
                        kind: $0.kind,
                        labelCount: $0.labelNames.count,
                        maxAge: $0.maxAge ?? 0,
                        ageBuckets: $0.ageBuckets ?? 1,
                        now: now,
                        expires: $0.expireAfter != nil
                    )
                } ?? FamilyShape(kind: .counter, labelCount: 0, maxAge: 0, ageBuckets: 1, now: now, expires: false)
            }
            let limits = updates.families.map { state.families[$0]?.maximumSeries ?? maximumSeriesPerFamily }
            let bucketRanges = updates.families.reduce(into: [Range<Int>]()) { ranges, name in
                let start = ranges.last?.upperBound ?? 0
                ranges.append(start..<start + (state.families[name]?.buckets.count ?? 0))
            }
            let allBuckets = updates.families.flatMap { state.families[$0]?.buckets ?? [] }
            let seriesIndices = updates.families.map { name in
                state.families[name] == nil ? -1 : state.seriesIndex[name] ?? -1
            }
            var lastEvent = -1
            var skipEvent = false
            // The counted offset of the file whose events are being applied, written back when
            // the file changes: events of one file come in runs, so the dictionary is touched
            // once per run rather than twice per event.
            var runFile: FileKey?
            var runCounted: Int64?
            // The run passed, not captured (a captured `var` is checked for exclusive access at
            // run time on every use).
            func endRun(_ runFile: FileKey?, _ runCounted: Int64?, _ state: inout State) {
                if let runFile, let runCounted { state.countedOffsets[runFile] = runCounted }
            }
            // Per family, a counter update held back while the next ones add to the same series
            // (`aetherra_log_events_total{service,level}` of one service, event after event):
            // one lookup for the run. Counters only, whose adds commute; a family's updates stay
            // in order, so which label sets reach `max_series` first does not change.
            var pending = [PendingAdd?](repeating: nil, count: updates.families.count)
            allBuckets.withUnsafeBufferPointer { allBuckets in
                updates.labelBytes.withUnsafeBufferPointer { labelBytes in
                    func apply(_ entry: MetricUpdateBatch.Entry, updates count: UInt64, to state: inout State) {
                        let key = UnsafeBufferPointer(rebasing: labelBytes[entry.labels])
                        // Mutated in place: copying the family's series out and back would copy
                        // them all on every update.
                        let outcome = state.series[seriesIndices[entry.family]].update(
                            entry,
                            key: key,
                            shape: shapes[entry.family],
                            buckets: UnsafeBufferPointer(rebasing: allBuckets[bucketRanges[entry.family]]),
                            labelValues: { updates.labelValues(of: entry) },
                            limit: limits[entry.family]
                        )
                        switch outcome {
                        case .applied: break
                        case .dropped: state.droppedUpdates += count
                        case .overflowed: state.overflows[updates.families[entry.family], default: 0] += count
                        }
                    }
                    // `pending` passed, not captured: a captured `var` is checked for exclusive
                    // access at run time on every use.
                    func flush(_ family: Int, _ pending: inout [PendingAdd?], _ state: inout State) {
                        guard var held = pending[family] else { return }
                        pending[family] = nil
                        held.entry.operation = .add(held.amount)
                        apply(held.entry, updates: held.count, to: &state)
                    }
                    for entry in updates.entries {
                        if entry.event != lastEvent {
                            lastEvent = entry.event
                            skipEvent = false
                            if entry.event < sources.count, let source = sources[entry.event] {
                                if source.fileKey != runFile {
                                    endRun(runFile, runCounted, &state)
                                    runFile = source.fileKey
                                    runCounted = state.countedOffsets[source.fileKey]
                                }
                                // An event starting inside the counted region was counted, whole or in
                                // part (a multiline event regrouped with more lines after a restart):
                                // counting it again would count its first lines twice.
                                if let counted = runCounted, source.startOffset < counted {
                                    skipEvent = true
                                } else {
                                    runCounted = source.endOffset
                                }
                            }
                        }
                        if skipEvent { continue }
                        guard seriesIndices[entry.family] >= 0 else {
                            state.droppedUpdates += 1
                            continue
                        }
                        // Whole amounts only: their sums are exact, so merging does not change the
                        // total's last bits (fractional adds are applied one by one, as before).
                        if shapes[entry.family].kind == .counter, case .add(let amount) = entry.operation, amount >= 0,
                            amount == amount.rounded(), amount < 1e15
                        {
                            if let held = pending[entry.family] {
                                if held.entry.hash == entry.hash
                                    && held.entry.labels.count == entry.labels.count
                                    && (entry.labels.isEmpty
                                        || memcmp(
                                            labelBytes.baseAddress! + held.entry.labels.lowerBound,
                                            labelBytes.baseAddress! + entry.labels.lowerBound,
                                            entry.labels.count
                                        ) == 0)
                                {
                                    pending[entry.family]!.amount += amount
                                    pending[entry.family]!.count += 1
                                    continue
                                }
                                flush(entry.family, &pending, &state)
                            }
                            pending[entry.family] = PendingAdd(entry: entry, amount: amount, count: 1)
                            continue
                        }
                        apply(entry, updates: 1, to: &state)
                    }
                    for family in pending.indices { flush(family, &pending, &state) }
                }
            }
            endRun(runFile, runCounted, &state)
        }
    }

    /// Forgets the counted offset of `key`: for a file that was truncated and is read again from
    /// the start, or one that is finished and gone.
    package func resetCountedOffset(of key: FileKey) {
        state.withLock { _ = $0.countedOffsets.removeValue(forKey: key) }
    }

    /// Every family in declaration order with its series sorted by label values.
    package func families() -> [FamilySnapshot] {
        let now = now()
        return state.withLock { Self.families(of: &$0, at: now) }
    }

    /// Every family, a summary's series with their quantiles at `now`; series idle for longer
    /// than their family's `expireAfter` are removed first.
    private static func families(of state: inout State, at now: Double) -> [FamilySnapshot] {
        state.order.compactMap { name in
            guard let family = state.families[name], let index = state.seriesIndex[name] else { return nil }
            if let expiry = family.expireAfter { state.series[index].expire(idleFor: expiry, at: now) }
            state.series[index].sortIfNeeded()
            let familySeries = state.series[index]
            let series = familySeries.sorted.map { position in
                let entry = familySeries.series[Int(position)]
                var value = entry.value
                if let quantiles = family.quantiles, let maxAge = family.maxAge {
                    value.quantiles = (value.window ?? QuantileWindow()).quantiles(quantiles, at: now, maxAge: maxAge)
                }
                return SeriesSnapshot(labelValues: entry.labelValues, value: value)
            }
            return FamilySnapshot(family: family, series: series)
        }
    }

    /// The number of series over all families.
    package var seriesCount: Int { state.withLock { $0.series.reduce(0) { $0 + $1.series.count } } }

    /// Updates dropped so far: unknown family, wrong label count, or wrong operation.
    package var droppedUpdates: UInt64 { state.withLock { $0.droppedUpdates } }

    /// Updates sent to each family's overflow series so far (see the type's comment), families
    /// that had none left out, by name.
    package func overflowCounts() -> [(family: String, count: UInt64)] {
        state.withLock { $0.overflows.map { ($0.key, $0.value) }.sorted { $0.family < $1.family } }
    }

    /// The label value of every label of an overflow series.
    package static let overflowLabelValue = "__overflow__"

    /// The state to persist beside the checkpoints: series and counted offsets read under one
    /// lock, so that they always agree.
    package func snapshot() -> MetricStoreSnapshot {
        let now = now()
        return state.withLock { state in
            MetricStoreSnapshot(
                families: Self.families(of: &state, at: now),
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
                guard let current = state.families[saved.family.name], let index = state.seriesIndex[saved.family.name],
                    current.kind == saved.family.kind,
                    current.labelNames == saved.family.labelNames, current.buckets == saved.family.buckets
                else { continue }
                var series = FamilySeries()
                func insert(_ labelValues: [String], _ value: SeriesValue) {
                    let key = FamilySeries.key(of: labelValues)
                    _ = series.insert(key.bytes, labelValues: labelValues, value: value, hash: key.hash)
                }
                // Series beyond the limit (it was lowered) join the overflow series: counts are
                // kept, not dropped.
                let overflowLabels = Array(repeating: Self.overflowLabelValue, count: current.labelNames.count)
                var overflow = saved.series.first { $0.labelValues == overflowLabels }?.value
                for entry in saved.series where entry.labelValues != overflowLabels {
                    if series.series.count < current.maximumSeries ?? maximumSeriesPerFamily {
                        insert(entry.labelValues, entry.value)
                    } else {
                        overflow = Self.merge(entry.value, into: overflow, kind: current.kind)
                    }
                }
                if let overflow { insert(overflowLabels, overflow) }
                state.series[index] = series
            }
            for entry in snapshot.countedOffsets { state.countedOffsets[entry.fileKey] = entry.offset }
        }
    }
}

extension MetricStore {
    /// `value` added to `total` (a gauge keeps `total`'s value, or takes `value`'s without one).
    fileprivate static func merge(_ value: SeriesValue, into total: SeriesValue?, kind: MetricKind) -> SeriesValue {
        guard var total else { return value }
        switch kind {
        case .counter:
            total.value += value.value
        case .gauge:
            break
        case .summary:
            total.sum += value.sum
            total.count += value.count
        case .histogram:
            if total.bucketCounts.count == value.bucketCounts.count {
                for index in total.bucketCounts.indices { total.bucketCounts[index] += value.bucketCounts[index] }
            }
            total.sum += value.sum
            total.count += value.count
        }
        return total
    }
}

/// The kind of a family and its number of labels (and a summary's window, with the time of the
/// updates).
private struct FamilyShape {
    var kind: MetricKind
    var labelCount: Int
    var maxAge: Double
    var ageBuckets: Int
    var now: Double
    /// The family expires idle series: updates note their time.
    var expires: Bool
}

/// Adds to one counter series held back by `MetricStore.apply`: the first update, the sum of
/// its amount and those of the same series that followed, and how many they were.
private struct PendingAdd {
    var entry: MetricUpdateBatch.Entry
    var amount: Double
    var count: UInt64
}

/// What became of one update.
private enum UpdateOutcome {
    case applied
    /// Wrong label count, or an operation the kind does not take.
    case dropped
    /// Applied to the family's overflow series: the family is full.
    case overflowed
}

extension MetricStore.FamilySeries {
    /// Applies one update (to the overflow series when the family has `limit` series and this
    /// is a new one). `buckets` are the family's.
    fileprivate mutating func update(
        _ entry: MetricUpdateBatch.Entry,
        key: UnsafeBufferPointer<UInt8>,
        shape: FamilyShape,
        buckets: UnsafeBufferPointer<Double>,
        labelValues: () -> [String],
        limit: Int
    ) -> UpdateOutcome {
        if let index = find(key, hash: entry.hash) {
            return apply(entry.operation, at: index, shape: shape, buckets: buckets) ? .applied : .dropped
        }
        var values = labelValues()
        guard values.count == shape.labelCount else { return .dropped }
        var ownKey = Array(key)
        var hash = entry.hash
        let overflows = series.count >= limit
        if overflows {
            values = Array(repeating: MetricStore.overflowLabelValue, count: shape.labelCount)
            (ownKey, hash) = Self.key(of: values)
        }
        if let index = ownKey.withUnsafeBufferPointer({ find($0, hash: hash) }) {
            guard apply(entry.operation, at: index, shape: shape, buckets: buckets) else { return .dropped }
            return .overflowed
        }
        // A series is made only for an update it takes.
        var value = SeriesValue(
            bucketCounts: shape.kind == .histogram ? Array(repeating: 0, count: buckets.count + 1) : []
        )
        value.created = shape.now
        guard MetricStore.apply(entry.operation, shape: shape, buckets: buckets, to: &value) else {
            return .dropped
        }
        let index = insert(ownKey, labelValues: values, value: value, hash: hash)
        endOtherStates(of: index, entry.operation)
        return overflows ? .overflowed : .applied
    }

    /// The lookup key of a series with `labelValues` (as `MetricUpdateBatch` lays label values
    /// out: each followed by 0xFF) and its hash.
    static func key(of labelValues: [String]) -> (bytes: [UInt8], hash: UInt64) {
        var bytes: [UInt8] = []
        for value in labelValues {
            bytes.append(contentsOf: value.utf8)
            bytes.append(0xFF)
        }
        return (bytes, bytes.withUnsafeBufferPointer { MetricUpdateBatch.hash($0) })
    }

    /// Applies `operation` to the series at `index`; a state set's other states are set to 0.
    private mutating func apply(
        _ operation: MetricUpdate.Operation,
        at index: Int,
        shape: FamilyShape,
        buckets: UnsafeBufferPointer<Double>
    ) -> Bool {
        guard MetricStore.apply(operation, shape: shape, buckets: buckets, to: &series[index].value) else {
            return false
        }
        endOtherStates(of: index, operation)
        return true
    }

    /// For a state that holds (`setState` not 0): sets the family's other states with the same
    /// other labels to 0.
    private mutating func endOtherStates(of index: Int, _ operation: MetricUpdate.Operation) {
        guard case .setState(let value, let label, let drops) = operation else { return }
        if value == 0 {
            if drops { remove([index]) }
            return
        }
        // Rare (a status changes) and families are small: a scan of the family.
        let labels = series[index].labelValues
        var ended: Set<Int> = []
        for other in series.indices where other != index {
            let otherLabels = series[other].labelValues
            guard otherLabels.count == labels.count else { continue }
            if labels.indices.allSatisfy({ $0 == label || labels[$0] == otherLabels[$0] }) {
                if drops { ended.insert(other) } else { series[other].value.value = 0 }
            }
        }
        if !ended.isEmpty { remove(ended) }
    }

    /// Removes the series not updated for `expiry` seconds at `now` (one that has no update
    /// time, restored from state saved before its family expired series, starts its idle time
    /// now).
    mutating func expire(idleFor expiry: Double, at now: Double) {
        var idle: Set<Int> = []
        for index in series.indices {
            guard let updated = series[index].value.updated else {
                series[index].value.updated = now
                continue
            }
            if updated < now - expiry { idle.insert(index) }
        }
        if !idle.isEmpty { remove(idle) }
    }

    /// Removes the series at `positions`, and indexes the others again.
    private mutating func remove(_ positions: Set<Int>) {
        let kept = series.enumerated().filter { !positions.contains($0.offset) }.map(\.element)
        series = []
        slots = []
        sorted = []
        for entry in kept {
            _ = insert(entry.key, labelValues: entry.labelValues, value: entry.value, hash: entry.hash)
        }
    }
}

extension MetricStore {
    fileprivate static func apply(
        _ operation: MetricUpdate.Operation,
        shape: FamilyShape,
        buckets: UnsafeBufferPointer<Double>,
        to value: inout SeriesValue
    ) -> Bool {
        if shape.expires { value.updated = shape.now }
        if shape.kind == .summary, case .observe(let observed) = operation {
            value.sum += observed
            value.count += 1
            var window = value.window ?? QuantileWindow()
            value.window = nil  // observed in place, not copied
            window.observe(observed, at: shape.now, maxAge: shape.maxAge, ageBuckets: shape.ageBuckets)
            value.window = window
            return true
        }
        let kind = shape.kind
        switch (kind, operation) {
        case (.counter, .add(let amount)) where amount >= 0, (.gauge, .add(let amount)):
            value.value += amount
        case (.gauge, .set(let amount)), (.gauge, .setState(let amount, _, _)):
            value.value = amount
        case (.histogram, .observe(let observed)):
            value.bucketCounts.withUnsafeMutableBufferPointer { counts in
                for index in 0..<buckets.count where observed <= buckets[index] { counts[index] += 1 }
                counts[buckets.count] += 1
            }
            value.sum += observed
            value.count += 1
        default:
            return false
        }
        return true
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
