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
    /// offset. Unknown events are ignored.
    package mutating func acknowledge(_ sources: some Sequence<EventSource>) -> [FileKey: Int64] {
        var touched = Set<FileKey>()
        for source in sources {
            guard var state = files[source.fileKey] else { continue }
            // Offsets are increasing, so binary search finds the entry.
            var low = state.head
            var high = state.pending.count
            while low < high {
                let mid = (low + high) / 2
                if state.pending[mid].endOffset < source.endOffset { low = mid + 1 } else { high = mid }
            }
            if low < state.pending.count && state.pending[low].endOffset == source.endOffset {
                state.pending[low].acknowledged = true
                files[source.fileKey] = state
                touched.insert(source.fileKey)
            }
        }
        var moved: [FileKey: Int64] = [:]
        for key in touched {
            guard var state = files[key] else { continue }
            let before = state.committed
            while state.head < state.pending.count && state.pending[state.head].acknowledged {
                state.committed = state.pending[state.head].endOffset
                state.head += 1
            }
            if state.head > 1024 && state.head * 2 > state.pending.count {
                state.pending.removeFirst(state.head)
                state.head = 0
            }
            files[key] = state
            if state.committed != before { moved[key] = state.committed }
        }
        return moved
    }

    /// The committed offset of `key`, if tracked.
    package func committedOffset(of key: FileKey) -> Int64? { files[key]?.committed }

    /// Number of events sent but not yet acknowledged, over all files.
    package var pendingCount: Int { files.values.reduce(0) { $0 + $1.pending.count - $1.head } }

    /// Stops tracking `key` (the file is gone and fully acknowledged, or was truncated).
    package mutating func forget(_ key: FileKey) { files[key] = nil }
}
