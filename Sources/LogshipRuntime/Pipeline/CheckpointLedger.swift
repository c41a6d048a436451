package import Foundation
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
        /// Each file's fingerprint (`FileHead`), once the input took it.
        var heads: [FileKey: FileHead] = [:]
        /// The fingerprint of a truncated file's generation still in flight (see
        /// `AcknowledgementTracker.retire`): its checkpoint until its events are all in.
        var retiredHeads: [FileKey: FileHead] = [:]
        /// Lines and events cut by a timeout or a shutdown past each file's checkpoint, with the
        /// generation they were cut in (see `FileCut`).
        var cuts: [FileKey: (generation: UInt32, cuts: [FileCut])] = [:]
        /// The inputs following each file (opened and not closed).
        var followers: [FileKey: Set<String>] = [:]
        /// Files the input closed whose events are not all acknowledged yet.
        var closed: Set<FileKey> = []
        /// Files closed and fully acknowledged, with when (seconds since 1970): their entries are
        /// kept for `forgetAfter`.
        var closedAt: [FileKey: Int64] = [:]
        /// Bumped on every change, so the writer can tell whether there is anything new.
        var version: UInt64 = 0
        var writtenVersion: UInt64 = 0
    }

    private let state = Mutex(State())
    private let metrics: MetricStore
    private let store: CheckpointStore
    /// Written into every checkpoint (`CheckpointState.readFromStart`).
    private let readFromStart: Bool
    /// How long a closed file's entry is kept.
    private let forgetAfter: Duration
    private let now: @Sendable () -> Date
    /// Signalled when the input opens a file the ledger did not know (a new file, or one
    /// rotated in while logship was down): `CheckpointWriter` then writes at once rather than at
    /// its next tick, so that a crash soon after does not leave a file logship read, and that may
    /// be rotated out of its patterns before the restart, unknown to the next start.
    let newFiles = WakeSignal()

    /// - Parameters:
    ///   - restored: the checkpoints read at startup; they are kept (and written back) until the
    ///     input opens their files again, so a file that is briefly missing keeps its place.
    ///   - forgetAfter: how long the entry of a closed file is kept (so that a file that comes
    ///     back is not read again); entries of files closed longer ago are dropped at a write.
    ///   - now: the wall clock for `FileCheckpoint.closedAt`.
    package init(
        store: CheckpointStore,
        restored: [FileCheckpoint],
        metrics: MetricStore,
        readFromStart: Bool = false,
        forgetAfter: Duration = .seconds(86_400),
        now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.store = store
        self.metrics = metrics
        self.readFromStart = readFromStart
        self.forgetAfter = forgetAfter
        self.now = now
        state.withLock { state in
            for checkpoint in restored {
                state.tracker.begin(checkpoint.fileKey, at: checkpoint.offset, generation: checkpoint.generation)
                state.paths[checkpoint.fileKey] = checkpoint.path
                state.heads[checkpoint.fileKey] = checkpoint.head
                state.closedAt[checkpoint.fileKey] = checkpoint.closedAt
                if !checkpoint.cuts.isEmpty {
                    state.cuts[checkpoint.fileKey] = (checkpoint.generation, checkpoint.cuts)
                }
            }
        }
    }

    private var seconds: Int64 { Int64(now().timeIntervalSince1970.rounded(.down)) }

    /// The input follows `key` from `offset` as `generation`. When that is not where the ledger
    /// had it (a restored checkpoint past the end of a file that shrank while logship was down, or
    /// an inode reused by a new file: a new generation), the old progress and counted offset are
    /// void.
    package func opened(_ key: FileKey, path: String, at offset: Int64, generation: UInt32 = 0, by input: String = "") {
        let (reset, isNew) = state.withLock { state -> (Bool, Bool) in
            var reset = false
            let isNew = state.paths[key] == nil
            state.closed.remove(key)
            state.closedAt[key] = nil
            state.followers[key, default: []].insert(input)
            // Reopened further on as the same generation (a suspended file, a retry after a read
            // error) while events before are still in flight: their acknowledgements must still
            // move the checkpoint, so the progress is kept.
            let inFlight = state.tracker.pendingCount(of: key) > 0
            if let committed = state.tracker.committedOffset(of: key), let known = state.tracker.generation(of: key),
                known != generation || offset < committed || (offset > committed && !inFlight)
            {
                if generation > known {
                    // Replaced while closed (a suspended file copytruncated, a checkpointed one
                    // rewritten while logship was down): the older generation's events in flight
                    // stay its checkpoint, as after a truncation seen while open.
                    let hadRetired = state.tracker.isRetired(key)
                    state.tracker.retire(key)
                    if state.tracker.isRetired(key) && !hadRetired { state.retiredHeads[key] = state.heads[key] }
                } else {
                    state.tracker.forget(key)
                }
                reset = offset < committed || known != generation
                if known != generation { state.heads[key] = nil }
            }
            state.tracker.begin(key, at: offset, generation: generation)
            state.paths[key] = path
            state.version += 1
            return (reset, isNew)
        }
        if reset { metrics.resetCountedOffset(of: key) }
        if isNew { newFiles.signal() }
    }

    /// `key` shrank and is read again from 0 as `generation`: its old progress and its counted
    /// offset are void, and acknowledgements of events read before are ignored.
    package func truncated(_ key: FileKey, path: String, generation: UInt32 = 0) {
        state.withLock { state in
            // The old generation's events in flight stay the file's checkpoint until they are
            // acknowledged: after a crash meanwhile they are read again (from the rotated copy,
            // by the old fingerprint), not skipped.
            let hadRetired = state.tracker.isRetired(key)
            state.tracker.retire(key)
            if state.tracker.isRetired(key) && !hadRetired { state.retiredHeads[key] = state.heads[key] }
            state.tracker.begin(key, at: 0, generation: generation)
            state.paths[key] = path
            state.heads[key] = nil
            state.version += 1
        }
        metrics.resetCountedOffset(of: key)
    }

    /// The fingerprint of `key`'s first bytes (see `FileInputDelegate.fileInputIdentified`).
    package func identified(_ key: FileKey, head: FileHead) {
        state.withLock { state in
            guard state.heads[key] != head else { return }
            state.heads[key] = head
            state.version += 1
        }
    }

    /// The input cut a line or an event of `key` at `cut` (see `FileInputDelegate.fileInputCut`).
    /// Kept while the checkpoint is before it; at most `maximumCuts` a file (the oldest are
    /// dropped: a file cut that often by timeouts while its events wait is regrouped differently
    /// after a crash, at worst).
    package func cut(_ key: FileKey, at cut: FileCut, generation: UInt32) {
        state.withLock { state in
            let committed =
                state.tracker.generation(of: key) == generation ? state.tracker.committedOffset(of: key) : nil
            var entry =
                state.cuts[key].flatMap { $0.generation == generation ? $0 : nil } ?? (generation: generation, cuts: [])
            entry.cuts.removeAll { $0.offset <= (committed ?? -1) }
            entry.cuts.append(cut)
            if entry.cuts.count > Self.maximumCuts { entry.cuts.removeFirst(entry.cuts.count - Self.maximumCuts) }
            state.cuts[key] = entry
            state.version += 1
        }
    }

    /// The most cuts kept for one file.
    static let maximumCuts = 1000

    /// The input finished `key` (rotated or deleted, read to its end), or found a checkpointed
    /// file gone. Once its events are all acknowledged its entry is marked closed, and kept with
    /// its counted offset for `forgetAfter`: a file that comes back in that time resumes where it
    /// was. Then it leaves the checkpoints, so that a long-running logship does not keep one entry
    /// per rotated file forever.
    ///
    /// A file another input still follows (it moved from one input's patterns to another's)
    /// stays open.
    package func closed(_ key: FileKey, by input: String = "") {
        let seconds = seconds
        state.withLock { state in
            state.followers[key]?.remove(input)
            guard state.followers[key]?.isEmpty ?? true else { return }
            state.followers[key] = nil
            state.closed.insert(key)
            Self.markClosed(&state, at: seconds)
        }
    }

    /// A checkpointed file is nowhere `input` looked (deleted, or compressed while logship was
    /// stopped): closed, unless another input follows it. (A file `input` suspended is still its
    /// follower until then.)
    package func gone(_ key: FileKey, by input: String = "") {
        let seconds = seconds
        state.withLock { state in
            state.followers[key]?.remove(input)
            if state.followers[key]?.isEmpty == true { state.followers[key] = nil }
            guard state.followers[key] == nil, state.tracker.committedOffset(of: key) != nil else { return }
            state.closed.insert(key)
            Self.markClosed(&state, at: seconds)
        }
    }

    private static func markClosed(_ state: inout State, at seconds: Int64) {
        for key in state.closed where state.tracker.pendingCount(of: key) == 0 {
            state.closed.remove(key)
            if state.closedAt[key] == nil { state.closedAt[key] = seconds }
            state.version += 1
        }
    }

    /// Drops the entries of files closed more than `forgetAfter` ago; returns their keys.
    private func forgetClosed(_ state: inout State, at seconds: Int64) -> [FileKey] {
        let limit = seconds - forgetAfter.components.seconds
        let forgotten = state.closedAt.filter { $0.value < limit }.map(\.key)
        for key in forgotten {
            state.closedAt[key] = nil
            state.tracker.forget(key)
            state.paths[key] = nil
            state.heads[key] = nil
            state.retiredHeads[key] = nil
            state.cuts[key] = nil
            state.version += 1
        }
        return forgotten
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
        let seconds = seconds
        state.withLock { state in
            let moved = state.tracker.acknowledge(sources)
            if !moved.isEmpty { state.version += 1 }
            if !state.closed.isEmpty { Self.markClosed(&state, at: seconds) }
        }
    }

    /// Events sent but not yet acknowledged.
    package var pendingCount: Int { state.withLock { $0.tracker.pendingCount } }

    /// The committed offset of `key`, if known.
    package func committedOffset(of key: FileKey) -> Int64? { state.withLock { $0.tracker.committedOffset(of: key) } }

    /// Writes the checkpoint file if anything changed since the last write (or when `force`).
    /// Returns whether it wrote.
    ///
    /// Blocking: it encodes and writes the file and waits for `fsync` (`CheckpointWriter` calls
    /// it on a thread of its own). With 20 metric families of 10,000 series each, a write takes
    /// about 40 ms, of which the metric store's lock is held for microseconds (see the README's
    /// Performance section).
    @discardableResult
    package func write(force: Bool = false) throws -> Bool {
        // Offsets are read before the metric state. A batch counted in between is then in the
        // metric snapshot (with its counted offset) but not yet committed: after a restart it is
        // read again and recognised as counted. The other order would commit a batch whose
        // counts the snapshot lacks, and lose them.
        let seconds = seconds
        let (files, version, changed, forgotten) = state.withLock { state in
            let forgotten = forgetClosed(&state, at: seconds)
            for key in state.retiredHeads.keys where !state.tracker.isRetired(key) { state.retiredHeads[key] = nil }
            // Cuts the checkpoint passed are dropped; those of a newer generation than the
            // checkpoint's (a truncated file whose old generation is still in flight) wait.
            for (key, entry) in state.cuts {
                guard let checkpoint = state.tracker.checkpoint(of: key), entry.generation >= checkpoint.generation
                else {
                    state.cuts[key] = nil
                    continue
                }
                guard entry.generation == checkpoint.generation else { continue }
                let kept = entry.cuts.filter { $0.offset > checkpoint.offset }
                state.cuts[key] = kept.isEmpty ? nil : (entry.generation, kept)
            }
            let files = state.paths.compactMap { key, path in
                state.tracker.checkpoint(of: key).map { checkpoint in
                    FileCheckpoint(
                        fileKey: key,
                        path: path,
                        offset: checkpoint.offset,
                        generation: checkpoint.generation,
                        head: state.tracker.isRetired(key) ? state.retiredHeads[key] : state.heads[key],
                        closedAt: state.closedAt[key],
                        cuts: state.cuts[key].flatMap { $0.generation == checkpoint.generation ? $0.cuts : nil } ?? []
                    )
                }
            }.sorted { $0.fileKey < $1.fileKey }
            return (files, state.version, state.version != state.writtenVersion, forgotten)
        }
        for key in forgotten { metrics.resetCountedOffset(of: key) }
        guard changed || force else { return false }
        // Format 1 while every file is at generation 0 and there are no metric series: a
        // previous release can still read it (`CheckpointStore.encode` makes it 3 with series).
        let format = files.contains { $0.generation != 0 } ? CheckpointState.generationsVersion : 1
        // The metric store's lock is held only to take its series by reference (see
        // `MetricStore.snapshot()`); they are encoded after it is released. The snapshot goes
        // straight into `save`, which consumes it: each family is let go once written.
        try store.save(
            CheckpointState(
                version: format,
                files: files,
                metrics: metrics.snapshot(),
                readFromStart: readFromStart ? true : nil
            )
        )
        state.withLock { $0.writtenVersion = max($0.writtenVersion, version) }
        return true
    }
}
