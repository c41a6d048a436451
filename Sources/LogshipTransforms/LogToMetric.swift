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
    /// The definitions prepared for `collect`.
    private let plan: Plan

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
        self.plan = Plan(metrics)
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
        // A run's entry stands for an update per event; each event's in the order of `metrics`
        // (family indices follow it: `collect` registered them in that order).
        var byEvent: [Int: [(family: Int, update: MetricUpdate)]] = [:]
        for entry in updates.entries {
            let update = MetricUpdate(
                family: updates.families[entry.family],
                labelValues: updates.labelValues(of: entry),
                operation: entry.operation
            )
            for event in entry.events { byEvent[event, default: []].append((entry.family, update)) }
        }
        return byEvent.keys.sorted().map { event in
            let made = byEvent[event]!.enumerated().sorted {
                ($0.element.family, $0.offset) < ($1.element.family, $1.offset)
            }
            return (events[event].source, made.map(\.element.update))
        }
    }

    /// Appends the updates of every event of `batch` to `updates`, grouped by event in read
    /// order, each event's in the order of `metrics`. The work goes an event at a time: a
    /// `FieldReader` reads the fields the metrics test and read (conditions, labels, values) in
    /// one walk of the event while it is in the cache, and the paths, conditions and label
    /// defaults were prepared once (`plan`); label values are copied as bytes (see
    /// `MetricUpdateBatch`). Outcomes are added to `statistics` once. `batch` only gains keys.
    package func collect(
        _ batch: inout EventBatch,
        into updates: inout MetricUpdateBatch,
        statistics: inout TransformStatistics
    ) {
        var counts = Counts()
        let families = metrics.map { updates.familyIndex($0.name) }
        let fallbacks = plan.labelDefaults.map { $0.map { batch.key($0) } }
        var reader = FieldReader(plan.table, in: &batch)
        let matchers = plan.conditions.patterns.map { $0.makeMatcher() }
        let labelPaths = plan.labelPaths
        let labelPathRanges = plan.labelPathRanges
        // The loop's bookkeeping, in buffers of its own: arrays written in the loop were checked
        // for uniqueness on every write. By condition: the event it was last tested on, and the
        // answer.
        let testedOn = Scratch<Int>(repeating: -1, count: plan.conditions.roots.count)
        let answers = Scratch<Bool>(repeating: false, count: plan.conditions.roots.count)
        let dispatch = plan.dispatch
        // The numbers read this event, by path (the value of a metric line is read by the
        // counters that require it and by the histogram that observes it).
        let numberReadOn = Scratch<Int>(repeating: -1, count: plan.table.paths.count)
        let numbers = Scratch<Double?>(repeating: nil, count: plan.table.paths.count)
        // By metric, its last update's label key in `updates.labelBytes` and its hash: an
        // event whose label values are the same (the next line of the same service and level)
        // uses it again, without copying or hashing.
        let lastKeys = Scratch<Range<Int>?>(repeating: nil, count: metrics.count)
        let lastHashes = Scratch<UInt64>(repeating: 0, count: metrics.count)
        // By metric, the index of its last entry in `updates.entries` (-1: none yet): a run of
        // events that add the same amount to the same series extends it.
        let lastEntries = Scratch<Int>(repeating: -1, count: metrics.count)
        defer {
            lastEntries.free()
            testedOn.free()
            answers.free()
            numberReadOn.free()
            numbers.free()
            lastKeys.free()
            lastHashes.free()
        }
        for event in 0..<batch.count where !batch.isDropped(event) {
            // Which of the dispatch constants the event's dispatch field holds (-1: none): the
            // metrics guarded by another are skipped without testing their conditions.
            var held = -1
            if let dispatch, let slot = reader.value(dispatch.path, event: event, in: batch) {
                held = dispatch.constants.withUnsafeBufferPointer { bytes in
                    dispatch.ranges.firstIndex { batch.textEquals(slot, UnsafeBufferPointer(rebasing: bytes[$0])) }
                        ?? -1
                }
            }
            // Only the metrics the dispatch constant leaves (all of them without a dispatch).
            metrics: for position in plan.candidateRanges[held + 1] {
                let index = plan.candidateMetrics[position]
                let metric = plan.metrics[index]
                if metric.condition >= 0 {
                    if testedOn[metric.condition] != event {
                        testedOn[metric.condition] = event
                        answers[metric.condition] = plan.conditions.matches(
                            plan.conditions.roots[metric.condition],
                            event: event,
                            reader: &reader,
                            matchers: matchers,
                            in: batch
                        )
                    }
                    guard answers[metric.condition] else { continue }
                }
                if metric.requiredNumber >= 0 {
                    if numberReadOn[metric.requiredNumber] != event {
                        numberReadOn[metric.requiredNumber] = event
                        numbers[metric.requiredNumber] = reader.value(metric.requiredNumber, event: event, in: batch)
                            .flatMap { batch.number($0) }
                    }
                    guard let number = numbers[metric.requiredNumber], number.isFinite else {
                        counts.badValue += 1
                        continue
                    }
                }
                let start = updates.labelStart
                var reused: Range<Int>?
                if let last = lastKeys[index],
                    Self.labelsRepeat(
                        last,
                        metric: metric,
                        plan: plan,
                        fallbacks: fallbacks,
                        event: event,
                        reader: &reader,
                        batch: batch,
                        labelBytes: updates.labelBytes
                    )
                {
                    reused = last
                }
                for label in metric.labels where reused == nil {
                    var found = false
                    for path in labelPathRanges[label] {
                        if let slot = reader.value(labelPaths[path], event: event, in: batch),
                            batch.appendLabelText(slot, to: &updates.labelBytes)
                        {
                            found = true
                            break
                        }
                    }
                    if !found {
                        guard let fallback = fallbacks[label] else {
                            updates.discardLabels(from: start)
                            counts.missingLabel += 1
                            continue metrics
                        }
                        batch.copyBytes(fallback, to: &updates.labelBytes)
                    }
                    updates.endLabel()
                }
                let operation: MetricUpdate.Operation
                if metric.value >= 0 {
                    if numberReadOn[metric.value] != event {
                        numberReadOn[metric.value] = event
                        numbers[metric.value] = reader.value(metric.value, event: event, in: batch)
                            .flatMap { batch.number($0) }
                    }
                    // `metric.kind != .counter` would compare the raw value strings through a
                    // witness table (the enum is another module's): `isCounter` is a pattern match.
                    guard let number = numbers[metric.value], number.isFinite, !metric.isCounter || number >= 0
                    else {
                        updates.discardLabels(from: start)
                        counts.badValue += 1
                        continue
                    }
                    switch metric.kind {
                    case .counter: operation = .add(number)
                    case .gauge:
                        operation =
                            metric.stateLabel >= 0
                            ? .setState(number, label: metric.stateLabel, dropsOthers: metric.dropsOtherStates)
                            : .set(number)
                    case .histogram, .summary: operation = .observe(number)
                    }
                } else {
                    operation = .add(1)
                }
                if let reused {
                    // The same key as the metric's last entry, whose labels these are.
                    if lastEntries[index] < 0 || !updates.extendRun(lastEntries[index], to: event, operation: operation)
                    {
                        updates.append(
                            family: families[index],
                            labels: reused,
                            hash: lastHashes[index],
                            operation: operation,
                            event: event
                        )
                        lastEntries[index] = updates.entries.count - 1
                    }
                } else {
                    updates.append(family: families[index], labelsFrom: start, operation: operation, event: event)
                    lastKeys[index] = start..<updates.labelBytes.count
                    lastHashes[index] = updates.entries[updates.entries.count - 1].hash
                    lastEntries[index] = updates.entries.count - 1
                }
                counts.success += 1
            }
        }
        statistics.add(counts.success, transform: id, outcome: .success)
        statistics.add(counts.missingLabel, transform: id, outcome: .missingLabel)
        statistics.add(counts.badValue, transform: id, outcome: .badValue)
    }

    /// The definitions as `collect` uses them: every path they read numbered in one table, and
    /// labels in flat arrays (a hot loop over nested arrays retains and releases them).
    private struct Plan: Sendable {
        struct Metric: Sendable {
            /// Its condition's index in `conditions.roots` (metrics whose `when` is written the
            /// same share it, and it is tested once per event); -1 without one.
            var condition: Int
            /// Indices into `labelPathRanges` and `labelDefaults`.
            var labels: Range<Int>
            /// The number of the value's path; -1 without one.
            var value: Int
            var kind: MetricKind
            var isCounter: Bool { if case .counter = kind { true } else { false } }
            /// A state set's state label (its position among the labels); -1 for others.
            var stateLabel: Int
            /// The number of the path that must hold a number; -1 without one.
            var requiredNumber: Int
            /// A state set's other states are removed, not set to 0.
            var dropsOtherStates: Bool
            /// The dispatch constant its condition requires (`Dispatch`); -1 without one.
            var guardConstant: Int = -1
        }

        /// A field that many metrics' conditions require to equal one text each (`metric:
        /// api_request_duration`, `metric: memory_event`, ...): read once an event, it tells
        /// which of those metrics can match, and the others are skipped untested. With 18
        /// metrics testing `type` and `metric`, testing every condition was most of the step's
        /// time.
        struct Dispatch: Sendable {
            /// The field's number in the table.
            var path: Int
            /// The texts, back to back.
            var constants: [UInt8]
            /// Each text's bytes in `constants`.
            var ranges: [Range<Int>]
        }

        let table: FieldPathTable
        let metrics: [Metric]
        /// The numbers of the label fields' paths, every label's in order.
        let labelPaths: [Int]
        /// For each label, its fields' positions in `labelPaths`.
        let labelPathRanges: [Range<Int>]
        let labelDefaults: [String?]
        let conditions: EventConditions
        let dispatch: Dispatch?
        /// For each dispatch constant (at position constant + 1; position 0 for an event that
        /// holds none), the metrics it leaves to test, in order, as positions in
        /// `candidateMetrics`: the loop over an event visits those, not all 18 metrics.
        let candidateRanges: [Range<Int>]
        let candidateMetrics: [Int]

        init(_ definitions: [MetricDefinition]) {
            var paths: [FieldPath] = []
            for definition in definitions {
                paths += definition.when?.paths ?? []
                paths += definition.labels.flatMap(\.fields)
                if let value = definition.value { paths.append(value) }
                if let required = definition.requiredNumber { paths.append(required) }
            }
            let table = FieldPathTable(paths)
            var conditions = EventConditions()
            var labelPaths: [Int] = []
            var labelPathRanges: [Range<Int>] = []
            var labelDefaults: [String?] = []
            // The dispatch field: the one that tells the most metrics apart, guarded with a text
            // that is not a number (`equals` compares a number-like text numerically) by the
            // most metrics, with the most distinct texts; worth it from 4 metrics on.
            let guards = definitions.map { $0.when.map(Self.textGuards) ?? [] }
            var guardConstants = [Int](repeating: -1, count: definitions.count)
            var guardTexts = [String?](repeating: nil, count: definitions.count)
            var dispatchPath: FieldPath?
            var counts: [FieldPath: (metrics: Int, texts: Set<String>)] = [:]
            for metricGuards in guards {
                for path in Set(metricGuards.map(\.path)) {
                    counts[path, default: (0, [])].metrics += 1
                    for pair in metricGuards where pair.path == path { counts[path]!.texts.insert(pair.text) }
                }
            }
            let ranked = counts.map { (path: $0.key, metrics: $0.value.metrics, texts: $0.value.texts.count) }
            if let best = ranked.max(by: {
                ($0.texts, $0.metrics, $1.path.description) < ($1.texts, $1.metrics, $0.path.description)
            }),
                best.metrics >= 4, best.texts >= 2
            {
                var constants: [UInt8] = []
                var ranges: [Range<Int>] = []
                var numbers: [String: Int] = [:]
                for (index, metricGuards) in guards.enumerated() {
                    guard let text = metricGuards.first(where: { $0.path == best.path })?.text else { continue }
                    if numbers[text] == nil {
                        numbers[text] = ranges.count
                        ranges.append(constants.count..<constants.count + text.utf8.count)
                        constants += Array(text.utf8)
                    }
                    guardConstants[index] = numbers[text]!
                    guardTexts[index] = text
                }
                dispatch = Dispatch(path: table.number(of: best.path), constants: constants, ranges: ranges)
                dispatchPath = best.path
            } else {
                dispatch = nil
            }
            let metrics = definitions.enumerated().map { index, definition in
                let first = labelPathRanges.count
                // The dispatch already tells that the guard holds: the rest of the condition is
                // what is left to test (none for most metrics, `type: metric` for the others).
                var condition = definition.when
                if let path = dispatchPath, let text = guardTexts[index] {
                    condition = condition?.removingEquality(of: path, to: text)
                }
                for label in definition.labels {
                    let start = labelPaths.count
                    labelPaths += label.fields.map { table.number(of: $0) }
                    labelPathRanges.append(start..<labelPaths.count)
                    labelDefaults.append(label.default)
                }
                return Metric(
                    condition: condition.map { condition in
                        let root = conditions.add(condition, table: table)
                        return conditions.roots.firstIndex(of: root) ?? -1
                    } ?? -1,
                    labels: first..<labelPathRanges.count,
                    value: definition.value.map { table.number(of: $0) } ?? -1,
                    kind: definition.kind,
                    stateLabel: definition.stateLabel.flatMap { state in
                        definition.labels.firstIndex { $0.name == state }
                    } ?? -1,
                    requiredNumber: definition.requiredNumber.map { table.number(of: $0) } ?? -1,
                    dropsOtherStates: definition.dropsOtherStates,
                    guardConstant: guardConstants[index]
                )
            }
            self.table = table
            var candidateRanges: [Range<Int>] = []
            var candidateMetrics: [Int] = []
            for held in -1..<(dispatch?.ranges.count ?? 0) {
                let start = candidateMetrics.count
                candidateMetrics += metrics.indices.filter {
                    metrics[$0].guardConstant < 0 || metrics[$0].guardConstant == held
                }
                candidateRanges.append(start..<candidateMetrics.count)
            }
            self.candidateRanges = candidateRanges
            self.candidateMetrics = candidateMetrics
            self.metrics = metrics
            self.labelPaths = labelPaths
            self.labelPathRanges = labelPathRanges
            self.labelDefaults = labelDefaults
            self.conditions = conditions
        }

        /// The `path == text` tests a condition requires to hold: its `equals` pairs with a text
        /// that is not a number, its own or those of an `and` it is made of.
        static func textGuards(_ condition: Condition) -> [(path: FieldPath, text: String)] {
            switch condition {
            case .equals(let pairs):
                return pairs.compactMap { pair in
                    guard case .string(let text) = pair.value, Double(text) == nil else { return nil }
                    return (pair.path, text)
                }
            case .and(let conditions):
                return conditions.flatMap(textGuards)
            default:
                return []
            }
        }
    }

    /// Whether the label values of `metric` for `event` are the bytes of `key` (a key as
    /// `MetricUpdateBatch` lays it out: each value followed by 0xFF). Only texts are compared;
    /// a number, a boolean or an escaped string is taken as different (the caller then builds
    /// the key as usual).
    private static func labelsRepeat(
        _ key: Range<Int>,
        metric: Plan.Metric,
        plan: Plan,
        fallbacks: [Range<Int>?],
        event: Int,
        reader: inout FieldReader,
        batch: EventBatch,
        labelBytes: [UInt8]
    ) -> Bool {
        var offset = key.lowerBound
        for label in metric.labels {
            var text: Range<Int>?
            for path in plan.labelPathRanges[label] {
                guard let slot = reader.value(plan.labelPaths[path], event: event, in: batch) else { continue }
                switch slot {
                case .text(let range), .jsonString(let range, escaped: false): text = range
                default: return false
                }
                break
            }
            guard let range = text ?? fallbacks[label] else { return false }
            let end = offset + range.count
            guard end < key.upperBound, labelBytes[end] == 0xFF else { return false }
            let same = batch.bytes.withUnsafeBufferPointer { bytes in
                labelBytes.withUnsafeBufferPointer { labels in
                    range.isEmpty
                        || EventBatch.sameBytes(
                            bytes.baseAddress! + range.lowerBound,
                            labels.baseAddress! + offset,
                            count: range.count
                        )
                }
            }
            guard same else { return false }
            offset = end + 1
        }
        return offset == key.upperBound
    }

    private struct Counts {
        var success = 0
        var missingLabel = 0
        var badValue = 0
    }
}

/// A fixed-size buffer for `collect`'s bookkeeping, freed by the caller (`free()`).
private struct Scratch<Element> {
    private let base: UnsafeMutablePointer<Element>
    private let count: Int

    init(repeating value: Element, count: Int) {
        self.count = count
        base = .allocate(capacity: max(count, 1))
        base.initialize(repeating: value, count: count)
    }

    subscript(index: Int) -> Element {
        get {
            precondition(index >= 0 && index < count)
            return base[index]
        }
        nonmutating set {
            precondition(index >= 0 && index < count)
            base[index] = newValue
        }
    }

    func free() {
        base.deinitialize(count: count)
        base.deallocate()
    }
}
