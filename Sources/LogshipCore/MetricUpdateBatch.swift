/// The metric updates of one batch of events, with label values as bytes: what `log_to_metric`
/// produces and `MetricStore.apply(_:sources:)` consumes without allocating per update.
///
/// Label values of an update are stored back to back in `labelBytes`, each followed by 0xFF (a
/// byte that UTF-8 text never contains), and hashed once (`hash`); the store finds the series by
/// that hash and compares bytes, and makes `String`s only for a new series.
///
/// `public` with `package` members, as `EventBatch` and for the same reason: its `append`s are
/// inlined into `log_to_metric`'s loop.
public struct MetricUpdateBatch: Sendable {
    /// One update.
    public struct Entry: Sendable, Equatable {
        /// Index into `families`.
        @usableFromInline package var family: Int
        /// The label values in `labelBytes`.
        @usableFromInline package var labels: Range<Int>
        /// FNV-1a (64 bits) of those bytes.
        @usableFromInline package var hash: UInt64
        /// What to do.
        @usableFromInline package var operation: MetricUpdate.Operation
        /// The event (index in its batch) the update comes from: the first of `run`
        /// consecutive events that each make it (an `add`; 1 for other operations).
        @usableFromInline package var event: Int
        /// How many consecutive events, from `event`, make this same update. `log_to_metric`
        /// extends the previous update of a metric instead of appending one when the next event
        /// adds the same amount to the same series (`aetherra_log_events_total` of one service,
        /// line after line): an entry per run, not per event.
        @usableFromInline package var run: Int

        @usableFromInline
        init(
            family: Int,
            labels: Range<Int>,
            hash: UInt64,
            operation: MetricUpdate.Operation,
            event: Int,
            run: Int = 1
        ) {
            self.family = family
            self.labels = labels
            self.hash = hash
            self.operation = operation
            self.event = event
            self.run = run
        }

        /// The events it covers.
        package var events: Range<Int> { event..<(event + run) }
    }

    /// The family names updates refer to.
    package var families: [String] = []
    /// Label values of every update.
    @usableFromInline package var labelBytes: [UInt8] = []
    /// The updates, each event's in the order of its metrics, events in read order (a run's
    /// entry stands where its first event's update would).
    @usableFromInline package var entries: [Entry] = []

    package init() {}

    /// An empty batch with room for the updates of about `events` events (two each, and their
    /// label values): growing the entries by doubling copied them about twelve times a batch of
    /// 1,024 events, 1% of a `--output null` run.
    package init(reservingFor events: Int) {
        entries.reserveCapacity(2 * events)
        labelBytes.reserveCapacity(16 * events)
    }

    /// `true` without updates.
    package var isEmpty: Bool { entries.isEmpty }

    /// The index of `family` in `families`, added when new.
    package mutating func familyIndex(_ family: String) -> Int {
        if let index = families.firstIndex(of: family) { return index }
        families.append(family)
        return families.count - 1
    }

    /// Marks where the label values of the next update start.
    @inlinable @inline(__always)
    package var labelStart: Int { labelBytes.count }

    /// Ends one label value that the caller appended to `labelBytes`.
    @inlinable @inline(__always)
    package mutating func endLabel() { labelBytes.append(0xFF) }

    /// Appends an update whose label values were appended since `start`.
    @inlinable @inline(__always)
    package mutating func append(family: Int, labelsFrom start: Int, operation: MetricUpdate.Operation, event: Int) {
        let range = start..<labelBytes.count
        entries.append(
            Entry(
                family: family,
                labels: range,
                hash: Self.hash(labelBytes, range),
                operation: operation,
                event: event
            )
        )
    }

    /// Appends an update whose label values are those of an earlier update (`labels` and its
    /// `hash`): the same key, not copied again.
    @inlinable @inline(__always)
    package mutating func append(
        family: Int,
        labels: Range<Int>,
        hash: UInt64,
        operation: MetricUpdate.Operation,
        event: Int
    ) {
        entries.append(Entry(family: family, labels: labels, hash: hash, operation: operation, event: event))
    }

    /// Extends the run of entry `index` to `event` when `event` comes right after it and makes
    /// the same `add` (the caller knows the label values are the same); returns whether it did.
    @inlinable @inline(__always)
    package mutating func extendRun(_ index: Int, to event: Int, operation: MetricUpdate.Operation) -> Bool {
        guard case .add(let amount) = operation, case .add(let held) = entries[index].operation, held == amount,
            entries[index].event + entries[index].run == event
        else { return false }
        entries[index].run += 1
        return true
    }

    /// Drops label bytes appended since `start` (an update that could not be made).
    package mutating func discardLabels(from start: Int) {
        labelBytes.removeSubrange(start...)
    }

    /// Appends an update given as `MetricUpdate` (label values as strings).
    package mutating func append(_ update: MetricUpdate, event: Int) {
        let start = labelStart
        for value in update.labelValues {
            labelBytes.append(contentsOf: value.utf8)
            endLabel()
        }
        append(family: familyIndex(update.family), labelsFrom: start, operation: update.operation, event: event)
    }

    /// Sorts the entries from `first` on by event (events below `events`), keeping the order of
    /// each event's own updates: a stable counting sort, linear in the entries. For joining the
    /// updates of several metrics or steps.
    package mutating func groupByEvent(from first: Int = 0, events: Int) {
        guard entries.count - first > 1 else { return }
        var starts = [Int](repeating: 0, count: events + 1)
        for index in first..<entries.count { starts[entries[index].event + 1] += 1 }
        for event in 0..<events { starts[event + 1] += starts[event] }
        var sorted = entries[first...]
        for index in first..<entries.count {
            let entry = entries[index]
            sorted[first + starts[entry.event]] = entry
            starts[entry.event] += 1
        }
        entries.replaceSubrange(first..., with: sorted)
    }

    /// FNV-1a, 64 bits.
    @inlinable @inline(__always)
    package static func hash(_ bytes: [UInt8], _ range: Range<Int>) -> UInt64 {
        bytes.withUnsafeBufferPointer { hash(UnsafeBufferPointer(rebasing: $0[range])) }
    }

    @inlinable @inline(__always)
    package static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        // Eight bytes a step: byte-at-a-time FNV, a chain of dependent multiplications, was 1-2%
        // of the CPU with two updates per metric line. Not kept anywhere: the store hashes keys
        // again when it restores its state.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(bytes.count)
        let raw = UnsafeRawBufferPointer(bytes)
        var index = 0
        while index + 8 <= bytes.count {
            hash = (hash ^ raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)) &* 0x9E37_79B9_7F4A_7C15
            hash ^= hash >> 32
            index += 8
        }
        hash = (hash ^ ByteWords.tail(bytes, from: index)) &* 0x9E37_79B9_7F4A_7C15
        return hash ^ (hash >> 29)
    }

    /// The label values of an entry as strings.
    package func labelValues(of entry: Entry) -> [String] {
        labelBytes[entry.labels].split(separator: 0xFF, omittingEmptySubsequences: false).dropLast().map {
            String(decoding: $0, as: UTF8.self)
        }
    }
}
