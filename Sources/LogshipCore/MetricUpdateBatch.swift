/// The metric updates of one batch of events, with label values as bytes: what `log_to_metric`
/// produces and `MetricStore.apply(_:sources:)` consumes without allocating per update.
///
/// Label values of an update are stored back to back in `labelBytes`, each followed by 0xFF (a
/// byte that UTF-8 text never contains), and hashed once (`hash`); the store finds the series by
/// that hash and compares bytes, and makes `String`s only for a new series.
package struct MetricUpdateBatch: Sendable {
    /// One update.
    package struct Entry: Sendable, Equatable {
        /// Index into `families`.
        package var family: Int
        /// The label values in `labelBytes`.
        package var labels: Range<Int>
        /// FNV-1a (64 bits) of those bytes.
        package var hash: UInt64
        /// What to do.
        package var operation: MetricUpdate.Operation
        /// The event (index in its batch) the update comes from; updates of one event are
        /// together and events in read order.
        package var event: Int
    }

    /// The family names updates refer to.
    package var families: [String] = []
    /// Label values of every update.
    package var labelBytes: [UInt8] = []
    /// The updates, grouped by event, events in read order.
    package var entries: [Entry] = []

    package init() {}

    /// `true` without updates.
    package var isEmpty: Bool { entries.isEmpty }

    /// The index of `family` in `families`, added when new.
    package mutating func familyIndex(_ family: String) -> Int {
        if let index = families.firstIndex(of: family) { return index }
        families.append(family)
        return families.count - 1
    }

    /// Marks where the label values of the next update start.
    package var labelStart: Int { labelBytes.count }

    /// Ends one label value that the caller appended to `labelBytes`.
    package mutating func endLabel() { labelBytes.append(0xFF) }

    /// Appends an update whose label values were appended since `start`.
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
    package mutating func append(
        family: Int,
        labels: Range<Int>,
        hash: UInt64,
        operation: MetricUpdate.Operation,
        event: Int
    ) {
        entries.append(Entry(family: family, labels: labels, hash: hash, operation: operation, event: event))
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
    static func hash(_ bytes: [UInt8], _ range: Range<Int>) -> UInt64 {
        bytes.withUnsafeBufferPointer { hash(UnsafeBufferPointer(rebasing: $0[range])) }
    }

    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
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
