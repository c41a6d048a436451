package import LogshipCore
package import LogshipTail
import Synchronization

/// What logship knows about its progress: per file, the offset up to which every event has been
/// acknowledged, and the metric state that goes with it. Written to disk by `CheckpointWriter`.
///
/// Thread-safe: a `Mutex` guards the acknowledgement tracker and the file paths.
package final class CheckpointLedger: Sendable {
    private struct State {
        var tracker = AcknowledgementTracker()
        var paths: [FileKey: String] = [:]
        /// Files the input closed whose events are not all acknowledged yet.
        var closed: Set<FileKey> = []
        /// Bumped on every change, so the writer can tell whether there is anything new.
        var version: UInt64 = 0
        var writtenVersion: UInt64 = 0
    }

    private let state = Mutex(State())
    private let metrics: MetricStore
    private let store: CheckpointStore
    /// Written into every checkpoint (`CheckpointState.readFromStart`).
    private let readFromStart: Bool

    /// - Parameters:
    ///   - restored: the checkpoints read at startup; they are kept (and written back) until the
    ///     input opens their files again, so a file that is briefly missing keeps its place.
    package init(store: CheckpointStore, restored: [FileCheckpoint], metrics: MetricStore, readFromStart: Bool = false)
    {
        self.store = store
        self.metrics = metrics
        self.readFromStart = readFromStart
        state.withLock { state in
            for checkpoint in restored {
                state.tracker.begin(checkpoint.fileKey, at: checkpoint.offset, generation: checkpoint.generation)
                state.paths[checkpoint.fileKey] = checkpoint.path
            }
        }
    }

    /// The input follows `key` from `offset` as `generation`. When that is not where the ledger
    /// had it (a restored checkpoint past the end of a file that shrank while logship was down, or
    /// an inode reused by a new file: a new generation), the old progress and counted offset are
    /// void.
    package func opened(_ key: FileKey, path: String, at offset: Int64, generation: UInt32 = 0) {
        let reset = state.withLock { state -> Bool in
            var reset = false
            state.closed.remove(key)
            if let committed = state.tracker.committedOffset(of: key), let known = state.tracker.generation(of: key),
                committed != offset || known != generation
            {
                state.tracker.forget(key)
                reset = offset < committed || known != generation
            }
            state.tracker.begin(key, at: offset, generation: generation)
            state.paths[key] = path
            state.version += 1
            return reset
        }
        if reset { metrics.resetCountedOffset(of: key) }
    }

    /// `key` shrank and is read again from 0 as `generation`: its old progress and its counted
    /// offset are void, and acknowledgements of events read before are ignored.
    package func truncated(_ key: FileKey, path: String, generation: UInt32 = 0) {
        state.withLock { state in
            state.tracker.forget(key)
            state.tracker.begin(key, at: 0, generation: generation)
            state.paths[key] = path
            state.version += 1
        }
        metrics.resetCountedOffset(of: key)
    }

    /// The input finished `key` (rotated or deleted, read to its end). Once its events are all
    /// acknowledged it leaves the checkpoints and the metric store's counted offsets, so that a
    /// long-running logship does not keep one entry per rotated file forever.
    package func closed(_ key: FileKey) {
        let forgotten = state.withLock { state -> [FileKey] in
            state.closed.insert(key)
            return Self.pruneClosed(&state)
        }
        for key in forgotten { metrics.resetCountedOffset(of: key) }
    }

    private static func pruneClosed(_ state: inout State) -> [FileKey] {
        let done = state.closed.filter { state.tracker.pendingCount(of: $0) == 0 }
        for key in done {
            state.closed.remove(key)
            state.tracker.forget(key)
            state.paths[key] = nil
            state.version += 1
        }
        return Array(done)
    }

    /// Events handed to the output, in read order.
    package func register(_ sources: [EventSource]) {
        guard !sources.isEmpty else { return }
        state.withLock { state in
            state.tracker.register(sources)
            state.version += 1  // the metric state changed with them
        }
    }

    /// Events the output has acknowledged (taken, already present, or dead-lettered).
    package func acknowledge(_ sources: [EventSource]) {
        guard !sources.isEmpty else { return }
        let forgotten = state.withLock { state -> [FileKey] in
            let moved = state.tracker.acknowledge(sources)
            if !moved.isEmpty { state.version += 1 }
            return state.closed.isEmpty ? [] : Self.pruneClosed(&state)
        }
        for key in forgotten { metrics.resetCountedOffset(of: key) }
    }

    /// Events sent but not yet acknowledged.
    package var pendingCount: Int { state.withLock { $0.tracker.pendingCount } }

    /// The committed offset of `key`, if known.
    package func committedOffset(of key: FileKey) -> Int64? { state.withLock { $0.tracker.committedOffset(of: key) } }

    /// Writes the checkpoint file if anything changed since the last write (or when `force`).
    /// Returns whether it wrote.
    @discardableResult
    package func write(force: Bool = false) throws -> Bool {
        // Offsets are read before the metric state. A batch counted in between is then in the
        // metric snapshot (with its counted offset) but not yet committed: after a restart it is
        // read again and recognised as counted. The other order would commit a batch whose
        // counts the snapshot lacks, and lose them.
        let (files, version, changed) = state.withLock { state in
            let files = state.paths.compactMap { key, path in
                state.tracker.committedOffset(of: key).map {
                    FileCheckpoint(
                        fileKey: key,
                        path: path,
                        offset: $0,
                        generation: state.tracker.generation(of: key) ?? 0
                    )
                }
            }.sorted { $0.fileKey < $1.fileKey }
            return (files, state.version, state.version != state.writtenVersion)
        }
        let snapshot = metrics.snapshot()
        guard changed || force else { return false }
        // Format 1 while every file is at generation 0: a previous release can still read it.
        let format = files.contains { $0.generation != 0 } ? CheckpointState.currentVersion : 1
        try store.save(
            CheckpointState(version: format, files: files, metrics: snapshot, readFromStart: readFromStart ? true : nil)
        )
        state.withLock { $0.writtenVersion = max($0.writtenVersion, version) }
        return true
    }
}
