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
        /// End offsets of events registered but not all acknowledged yet, in read order, from
        /// `head` on; `true` where acknowledged.
        var pending: [(endOffset: Int64, acknowledged: Bool)] = []
        var head = 0
    }

    private var files: [FileKey: FileState] = [:]

    package init() {}

    /// Starts tracking `key` at `offset` (where reading starts), unless it is tracked already.
    package mutating func begin(_ key: FileKey, at offset: Int64) {
        if files[key] == nil { files[key] = FileState(committed: offset) }
    }

    /// Registers sent events, in read order.
    package mutating func register(_ sources: some Sequence<EventSource>) {
        for source in sources {
            files[source.fileKey, default: FileState(committed: source.startOffset)].pending.append(
                (source.endOffset, false)
            )
        }
    }

    /// Marks events acknowledged and returns the files whose committed offset moved, with the new
    /// offset. Unknown events are ignored. Costs O(log n) per event plus the prefix it commits.
    package mutating func acknowledge(_ sources: some Sequence<EventSource>) -> [FileKey: Int64] {
        var touched: [FileKey: Int64] = [:]
        for source in sources {
            let marked = withState(of: source.fileKey) { state -> Bool in
                // Offsets are increasing, so binary search finds the entry.
                var low = state.head
                var high = state.pending.count
                while low < high {
                    let mid = (low + high) / 2
                    if state.pending[mid].endOffset < source.endOffset { low = mid + 1 } else { high = mid }
                }
                guard low < state.pending.count && state.pending[low].endOffset == source.endOffset else {
                    return false
                }
                state.pending[low].acknowledged = true
                return true
            }
            if marked == true, touched[source.fileKey] == nil {
                touched[source.fileKey] = committedOffset(of: source.fileKey)
            }
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

    /// Runs `body` on the stored state of `key` in place. Copying the state out and back, as
    /// `var state = files[key]` would, copies its pending array on every call (copy-on-write while
    /// the dictionary still holds it): quadratic over a file's life.
    private mutating func withState<Result>(of key: FileKey, _ body: (inout FileState) -> Result) -> Result? {
        guard files.keys.contains(key) else { return nil }
        return body(&files[key]!)
    }

    /// The committed offset of `key`, if tracked.
    package func committedOffset(of key: FileKey) -> Int64? { files[key]?.committed }

    /// Number of events sent but not yet acknowledged, over all files.
    package var pendingCount: Int { files.values.reduce(0) { $0 + $1.pending.count - $1.head } }

    /// Events of `key` sent but not yet acknowledged; 0 for an unknown key.
    package func pendingCount(of key: FileKey) -> Int {
        files[key].map { $0.pending.count - $0.head } ?? 0
    }

    /// Stops tracking `key` (the file is gone and fully acknowledged, or was truncated).
    package mutating func forget(_ key: FileKey) { files[key] = nil }
}
