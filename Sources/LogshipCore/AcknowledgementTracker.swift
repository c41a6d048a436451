/// Tracks which events of each file have been acknowledged by the output and how far the
/// checkpoint may advance: only over the contiguous acknowledged prefix, so that a crash never
/// skips an event that was sent but not yet taken.
///
/// Events of one file must be registered in read order (increasing end offsets). Acknowledgements
/// may come in any order. Pure value type; the runtime keeps it behind a lock.
package struct AcknowledgementTracker: Sendable {
    private struct FileState: Sendable {
        /// Offset up to which everything is acknowledged.
        var committed: Int64
        /// The file's generation (`EventSource.generation`): events of another one are not its.
        var generation: UInt32 = 0
        /// End offsets of events registered but not all acknowledged yet, in read order, from
        /// `head` on; `true` where acknowledged.
        var pending: [(endOffset: Int64, acknowledged: Bool)] = []
        var head = 0
    }

    private var files: [FileKey: FileState] = [:]
    /// Per file, an older generation whose events are still in flight (the file was truncated
    /// and is read again from 0 meanwhile): its acknowledgements still count, and until they are
    /// all in, it is the file's checkpoint (`checkpoint(of:)`), so that a crash never skips
    /// them.
    private var retired: [FileKey: FileState] = [:]

    package init() {}

    /// `key` starts a newer generation: the current one is kept as retired while events of it
    /// are in flight (the oldest retired one is kept when there is one already).
    package mutating func retire(_ key: FileKey) {
        guard let state = files.removeValue(forKey: key) else { return }
        if retired[key] == nil && state.pending.count > state.head { retired[key] = state }
    }

    /// Where `key`'s checkpoint is: its retired generation's committed offset while one is in
    /// flight, otherwise its own.
    package func checkpoint(of key: FileKey) -> (offset: Int64, generation: UInt32)? {
        guard let state = retired[key] ?? files[key] else { return nil }
        return (state.committed, state.generation)
    }

    /// Whether `key` has a retired generation in flight.
    package func isRetired(_ key: FileKey) -> Bool { retired[key] != nil }

    /// Starts tracking `key` at `offset` (where reading starts), unless it is tracked already.
    package mutating func begin(_ key: FileKey, at offset: Int64, generation: UInt32 = 0) {
        if files[key] == nil { files[key] = FileState(committed: offset, generation: generation) }
    }

    /// Registers sent events, in read order. Events of the same file that follow each other are
    /// registered under one dictionary access (a batch is mostly one file's events).
    package mutating func register(_ sources: some Sequence<EventSource>) {
        let sources = Array(sources)
        var index = 0
        while index < sources.count {
            let key = sources[index].fileKey
            let generation = sources[index].generation
            if let known = files[key]?.generation, known < generation {
                // A newer generation than the ledger was told of: its own progress from here.
                retire(key)
            }
            if files[key] == nil {
                files[key] = FileState(committed: sources[index].startOffset, generation: generation)
            }
            index =
                withState(of: key) { state -> Int in
                    var next = index
                    while next < sources.count && sources[next].fileKey == key
                        && sources[next].generation == generation
                    {
                        // An older generation's events (read before a truncation) are not
                        // tracked: their acknowledgements must not move this one's checkpoint.
                        if generation == state.generation { state.pending.append((sources[next].endOffset, false)) }
                        next += 1
                    }
                    return next
                } ?? sources.count
        }
    }

    /// Marks events acknowledged and returns the files whose committed offset moved, with the new
    /// offset. Unknown events are ignored. Costs O(log n) per event plus the prefix it commits;
    /// events of the same file that follow each other share one dictionary access.
    package mutating func acknowledge(_ sources: some Sequence<EventSource>) -> [FileKey: Int64] {
        let sources = Array(sources)
        var touched: [FileKey: Int64] = [:]
        // Acknowledgements of another generation than the current one: a retired one's?
        var late: [EventSource] = []
        var index = 0
        while index < sources.count {
            let key = sources[index].fileKey
            let before = committedOffset(of: key)
            let result = withState(of: key) { state -> (next: Int, marked: Bool) in
                var next = index
                var marked = false
                // Acknowledgements come in read order: the entry after the last one found is
                // tried first, and only a miss pays for the binary search.
                var hint = state.head
                while next < sources.count && sources[next].fileKey == key {
                    let endOffset = sources[next].endOffset
                    next += 1
                    // Late news of events read before a truncation: not this generation's.
                    guard sources[next - 1].generation == state.generation else {
                        late.append(sources[next - 1])
                        continue
                    }
                    var low: Int
                    if hint < state.pending.count && state.pending[hint].endOffset == endOffset {
                        low = hint
                    } else {
                        // Offsets are increasing, so binary search finds the entry.
                        low = state.head
                        var high = state.pending.count
                        while low < high {
                            let mid = (low + high) / 2
                            if state.pending[mid].endOffset < endOffset { low = mid + 1 } else { high = mid }
                        }
                        guard low < state.pending.count && state.pending[low].endOffset == endOffset else { continue }
                    }
                    state.pending[low].acknowledged = true
                    hint = low + 1
                    marked = true
                }
                return (next, marked)
            }
            guard let (next, marked) = result else {
                // Not tracked: skip this file's run (a retired generation's, if any, later).
                while index < sources.count && sources[index].fileKey == key {
                    late.append(sources[index])
                    index += 1
                }
                continue
            }
            if marked, touched[key] == nil, let before { touched[key] = before }
            index = next
        }
        if !retired.isEmpty {
            for source in late { acknowledgeRetired(source) }
        }
        var moved: [FileKey: Int64] = [:]
        for (key, before) in touched {
            let committed = withState(of: key) { state -> Int64 in
                while state.head < state.pending.count && state.pending[state.head].acknowledged {
                    state.committed = state.pending[state.head].endOffset
                    state.head += 1
                }
                if state.head > 1024 && state.head * 2 > state.pending.count {
                    state.pending.removeFirst(state.head)
                    state.head = 0
                }
                return state.committed
            }
            if let committed, committed != before { moved[key] = committed }
        }
        return moved
    }

    /// Marks an event of a retired generation acknowledged, moves that generation's committed
    /// offset, and drops it once nothing of it is in flight.
    private mutating func acknowledgeRetired(_ source: EventSource) {
        guard var state = retired[source.fileKey], state.generation == source.generation else { return }
        retired[source.fileKey] = nil  // edited alone, not copied on write
        var low = state.head
        var high = state.pending.count
        while low < high {
            let mid = (low + high) / 2
            if state.pending[mid].endOffset < source.endOffset { low = mid + 1 } else { high = mid }
        }
        if low < state.pending.count && state.pending[low].endOffset == source.endOffset {
            state.pending[low].acknowledged = true
        }
        while state.head < state.pending.count && state.pending[state.head].acknowledged {
            state.committed = state.pending[state.head].endOffset
            state.head += 1
        }
        if state.head < state.pending.count { retired[source.fileKey] = state }
    }

    /// Runs `body` on the stored state of `key` in place. Copying the state out and back, as
    /// `var state = files[key]` would, copies its pending array on every call (copy-on-write while
    /// the dictionary still holds it): quadratic over a file's life.
    private mutating func withState<Result>(of key: FileKey, _ body: (inout FileState) -> Result) -> Result? {
        guard files.keys.contains(key) else { return nil }
        return body(&files[key]!)
    }

    /// The committed offset of `key`, if tracked.
    package func committedOffset(of key: FileKey) -> Int64? { files[key]?.committed }

    /// The generation `key` is tracked at, if tracked.
    package func generation(of key: FileKey) -> UInt32? { files[key]?.generation }

    /// Number of events sent but not yet acknowledged, over all files and generations.
    package var pendingCount: Int {
        files.values.reduce(0) { $0 + $1.pending.count - $1.head }
            + retired.values.reduce(0) { $0 + $1.pending.count - $1.head }
    }

    /// Events of `key` sent but not yet acknowledged, retired generation included; 0 for an
    /// unknown key.
    package func pendingCount(of key: FileKey) -> Int {
        (files[key].map { $0.pending.count - $0.head } ?? 0) + (retired[key].map { $0.pending.count - $0.head } ?? 0)
    }

    /// Stops tracking `key`, retired generation included (the file is gone and fully
    /// acknowledged, or another file took its inode).
    package mutating func forget(_ key: FileKey) {
        files[key] = nil
        retired[key] = nil
    }
}
