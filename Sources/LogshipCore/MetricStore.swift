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
    /// A family's series: who they are and their values, in two arrays at the same positions.
    ///
    /// Kept apart so that a snapshot (`snapshot()`, `families()`) takes both by reference under
    /// the lock, without copying a series: the identities change only when a series is added or
    /// removed, and the first update after a snapshot copies only the values of the family it
    /// updates (plain numbers, and references to a histogram's counts and a summary's window),
    /// not the label values. The snapshot lets go of them once written.
    fileprivate struct FamilySeries: Sendable {
        var identities: [SeriesIdentity] = []
        var values: [SeriesValue] = []
        /// Positions of the series in order of their label values, as of when `identities` last
        /// had `sorted.count` members: sorted again only after new series (a scrape of 10,000
        /// series spent most of its time sorting them).
        var sorted: [Int32] = []

        mutating func sortIfNeeded() {
            guard sorted.count != identities.count else { return }
            let identities = self.identities
            sorted = (0..<Int32(identities.count)).sorted {
                identities[Int($0)].labelValues.lexicographicallyPrecedes(identities[Int($1)].labelValues)
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
                if identities[index].hash == hash,
                    identities[index].key.withUnsafeBufferPointer({ stored in
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
            let index = identities.count
            identities.append(SeriesIdentity(key: key, labelValues: labelValues, hash: hash))
            values.append(value)
            if identities.count * 2 > slots.count {
                slots = [Int32](repeating: 0, count: max(16, slots.count * 2))
                for (position, entry) in identities.enumerated() { place(position, hash: entry.hash) }
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

    /// Applies `updates`, whose `event`s index `sources` (the events' sources, in read order,
    /// `nil` for events not read from a file). As `apply(_:)` for batches: an event starting
    /// before the offset already counted for its file is skipped whole, and the counted offset
    /// moves to the end of each event that is not. Which events are skipped is decided for the
    /// whole batch first, so the entries need not be grouped by event (a run's entry covers
    /// several). Allocates only for a new series.
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
            let skipped = Self.skippedEvents(sources, counted: &state.countedOffsets)
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
                    for var entry in updates.entries {
                        // How many of the entry's events were not counted before (all of them
                        // but after a restart).
                        var events = entry.run
                        if let skipped {
                            events = entry.events.reduce(0) { count, event in
                                event < skipped.count && skipped[event] ? count : count + 1
                            }
                            guard events > 0 else { continue }
                        }
                        guard seriesIndices[entry.family] >= 0 else {
                            state.droppedUpdates += UInt64(events)
                            continue
                        }
                        if events > 1, case .add(let amount) = entry.operation {
                            entry.operation = .add(amount * Double(events))
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
                                    pending[entry.family]!.count += UInt64(events)
                                    continue
                                }
                                flush(entry.family, &pending, &state)
                            }
                            pending[entry.family] = PendingAdd(entry: entry, amount: amount, count: UInt64(events))
                            continue
                        }
                        apply(entry, updates: UInt64(events), to: &state)
                    }
                    for family in pending.indices { flush(family, &pending, &state) }
                }
            }
        }
    }

    /// Which events of a batch were counted before (by their index in `sources`; `nil` when
    /// none was, the usual case), moving each file's counted offset to the end of every event
    /// that was not. An event starting inside the counted region was counted, whole or in part
    /// (a multiline event regrouped with more lines after a restart): counting it again would
    /// count its first lines twice.
    private static func skippedEvents(_ sources: [EventSource?], counted: inout [FileKey: Int64]) -> [Bool]? {
        var skipped: [Bool]?
        // The counted offset of the file whose events these are, written back when the file
        // changes: events of one file come in runs, so the dictionary is touched once per run.
        var runFile: FileKey?
        var runCounted: Int64?
        for (event, source) in sources.enumerated() {
            guard let source else { continue }
            if source.fileKey != runFile {
                if let runFile, let runCounted { counted[runFile] = runCounted }
                runFile = source.fileKey
                runCounted = counted[source.fileKey]
            }
            if let offset = runCounted, source.startOffset < offset {
                if skipped == nil { skipped = Array(repeating: false, count: sources.count) }
                skipped![event] = true
            } else {
                runCounted = source.endOffset
            }
        }
        if let runFile, let runCounted { counted[runFile] = runCounted }
        return skipped
    }

    /// Forgets the counted offset of `key`: for a file that was truncated and is read again from
    /// the start, or one that is finished and gone.
    package func resetCountedOffset(of key: FileKey) {
        state.withLock { _ = $0.countedOffsets.removeValue(forKey: key) }
    }

    /// Every family in declaration order with its series sorted by label values, a summary's
    /// series with their quantiles.
    ///
    /// The lock is held only to sort new series in and to take each family's arrays by reference;
    /// the series are copied out and quantiles computed after it is released.
    package func families() -> [FamilySnapshot] {
        let now = now()
        let captured = state.withLock { state in
            state.order.compactMap { name -> (MetricFamily, FamilySeries)? in
                guard let family = state.families[name], let index = state.seriesIndex[name] else { return nil }
                // Series idle for longer than the family's `expireAfter` go first.
                if let expiry = family.expireAfter { state.series[index].expire(idleFor: expiry, at: now) }
                state.series[index].sortIfNeeded()
                return (family, state.series[index])
            }
        }
        return captured.map { family, familySeries in
            let series = familySeries.sorted.map { position in
                var value = familySeries.values[Int(position)]
                if let quantiles = family.quantiles, let maxAge = family.maxAge {
                    value.quantiles = (value.window ?? QuantileWindow()).quantiles(quantiles, at: now, maxAge: maxAge)
                }
                return SeriesSnapshot(labelValues: familySeries.identities[Int(position)].labelValues, value: value)
            }
            return FamilySnapshot(family: family, series: series)
        }
    }

    /// The number of series over all families.
    package var seriesCount: Int { state.withLock { $0.series.reduce(0) { $0 + $1.identities.count } } }

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
    /// lock, so that they always agree. Families without series are left out.
    ///
    /// Cheap under the lock: each family's series are taken by reference (see `FamilySeries`),
    /// nothing is copied, sorted or computed there (20 families of 10,000 series: about 6 µs; the copy
    /// of every series, with summaries' quantiles, that it replaced took 69 ms). Summaries'
    /// quantiles are not computed: their windows are saved. The first update of a family while
    /// the snapshot still holds its series copies that family's values (about 0.13 ms for 10,000
    /// series); `MetricStoreSnapshot.writeJSON` lets go of each family once written, so that only
    /// families updated before their turn are copied.
    package func snapshot() -> MetricStoreSnapshot {
        let (captured, offsets) = state.withLock { state in
            let captured = state.order.compactMap { name -> MetricStoreSnapshot.CapturedFamily? in
                guard let family = state.families[name], let index = state.seriesIndex[name],
                    !state.series[index].identities.isEmpty
                else { return nil }
                let series = state.series[index]
                return .init(family: family, identities: series.identities, values: series.values)
            }
            return (captured, state.countedOffsets)
        }
        return MetricStoreSnapshot(
            captured: captured,
            countedOffsets: offsets.map { .init(fileKey: $0.key, offset: $0.value) }.sorted { $0.fileKey < $1.fileKey }
        )
    }

    /// Restores series and counted offsets saved by `snapshot()`. Only families that are declared
    /// now with the same kind, label names and buckets are restored: a changed definition starts
    /// afresh rather than mixing old and new meaning. Returns the families whose saved state was
    /// dropped, and why, in the order they were saved.
    ///
    /// A summary's quantiles, window (`max_age`) and age buckets may change: its saved window is
    /// kept (quantiles are computed when read; observations older than the new window are left
    /// out of them, and its sketches keep their old length until they age out). A lower
    /// `max_series` moves the series beyond it into the overflow series (their counts kept).
    @discardableResult
    package func restore(_ snapshot: MetricStoreSnapshot) -> [DroppedMetricState] {
        let families = snapshot.families
        return state.withLock { state in
            var dropped: [DroppedMetricState] = []
            for saved in families {
                guard let current = state.families[saved.family.name], let index = state.seriesIndex[saved.family.name]
                else {
                    dropped.append(
                        .init(family: saved.family.name, seriesCount: saved.series.count, reason: .notDeclared)
                    )
                    continue
                }
                if let reason = DroppedMetricState.Reason(saved: saved.family, declared: current) {
                    dropped.append(.init(family: saved.family.name, seriesCount: saved.series.count, reason: reason))
                    continue
                }
                var series = FamilySeries()
                func insert(_ labelValues: [String], _ value: SeriesValue) {
                    let key = SeriesIdentity.key(of: labelValues)
                    _ = series.insert(key.bytes, labelValues: labelValues, value: value, hash: key.hash)
                }
                // Series beyond the limit (it was lowered) join the overflow series: counts are
                // kept, not dropped.
                let overflowLabels = Array(repeating: Self.overflowLabelValue, count: current.labelNames.count)
                var overflow = saved.series.first { $0.labelValues == overflowLabels }?.value
                for entry in saved.series where entry.labelValues != overflowLabels {
                    if series.identities.count < current.maximumSeries ?? maximumSeriesPerFamily {
                        insert(entry.labelValues, entry.value)
                    } else {
                        overflow = Self.merge(entry.value, into: overflow, kind: current.kind)
                    }
                }
                if let overflow { insert(overflowLabels, overflow) }
                state.series[index] = series
            }
            for entry in snapshot.countedOffsets { state.countedOffsets[entry.fileKey] = entry.offset }
            return dropped
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
        var newLabels = labelValues()
        guard newLabels.count == shape.labelCount else { return .dropped }
        var ownKey = Array(key)
        var hash = entry.hash
        let overflows = identities.count >= limit
        if overflows {
            newLabels = Array(repeating: MetricStore.overflowLabelValue, count: shape.labelCount)
            (ownKey, hash) = SeriesIdentity.key(of: newLabels)
        }
        if let index = ownKey.withUnsafeBufferPointer({ find($0, hash: hash) }) {
            guard apply(entry.operation, at: index, shape: shape, buckets: buckets) else { return .dropped }
            return .overflowed
        }
        // A series is made only for an update it takes.
        var value = SeriesValue(
            bucketCounts: shape.kind == .histogram ? Array(repeating: 0, count: buckets.count + 1) : []
        )
        // To the millisecond: the checkpoint saves it as a whole number of milliseconds, a step
        // of a few digits from the series before (see `FamilySnapshot+Codable.swift`).
        value.created = (shape.now * 1000).rounded() / 1000
        guard MetricStore.apply(entry.operation, shape: shape, buckets: buckets, to: &value) else {
            return .dropped
        }
        let index = insert(ownKey, labelValues: newLabels, value: value, hash: hash)
        endOtherStates(of: index, entry.operation)
        return overflows ? .overflowed : .applied
    }

    /// Applies `operation` to the series at `index`; a state set's other states are set to 0.
    private mutating func apply(
        _ operation: MetricUpdate.Operation,
        at index: Int,
        shape: FamilyShape,
        buckets: UnsafeBufferPointer<Double>
    ) -> Bool {
        guard MetricStore.apply(operation, shape: shape, buckets: buckets, to: &values[index]) else {
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
        let labels = identities[index].labelValues
        var ended: Set<Int> = []
        for other in identities.indices where other != index {
            let otherLabels = identities[other].labelValues
            guard otherLabels.count == labels.count else { continue }
            if labels.indices.allSatisfy({ $0 == label || labels[$0] == otherLabels[$0] }) {
                if drops { ended.insert(other) } else { values[other].value = 0 }
            }
        }
        if !ended.isEmpty { remove(ended) }
    }

    /// Removes the series not updated for `expiry` seconds at `now` (one that has no update
    /// time, restored from state saved before its family expired series, starts its idle time
    /// now).
    mutating func expire(idleFor expiry: Double, at now: Double) {
        var idle: Set<Int> = []
        for index in values.indices {
            guard let updated = values[index].updated else {
                values[index].updated = now
                continue
            }
            if updated < now - expiry { idle.insert(index) }
        }
        if !idle.isEmpty { remove(idle) }
    }

    /// Removes the series at `positions`, and indexes the others again.
    private mutating func remove(_ positions: Set<Int>) {
        let kept = zip(identities, values).enumerated().filter { !positions.contains($0.offset) }.map(\.element)
        identities = []
        values = []
        slots = []
        sorted = []
        for (identity, value) in kept {
            _ = insert(identity.key, labelValues: identity.labelValues, value: value, hash: identity.hash)
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
