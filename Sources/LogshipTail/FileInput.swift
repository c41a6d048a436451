package import Foundation
import Glibc
package import Logging
package import LogshipCore
import NIOPosix
import ServiceLifecycle
import Synchronization

/// The `file` input: follows the files matching the configured glob patterns and hands their lines, as
/// events, to a delegate.
///
/// Discovery runs at start, whenever inotify reports entries created, moved or deleted in a watched
/// directory, and every `rescanInterval` as a safety net (the only mechanism when inotify is
/// unavailable). Files are read in chunks of `readBufferBytes` on a dedicated I/O thread; events are
/// handed over in batches of at most `maximumBatchEvents`, and reading waits for each delegate call to
/// return (backpressure).
///
/// Rotation: a renamed or deleted file is read to its end through its open descriptor and closed once it
/// has not grown for a second; a file re-created under the old name is new and read from its start.
/// A file that shrank or whose first bytes changed is read again from 0, after the rest of its old
/// content from a rotated copy (copytruncate). See `FileTracker` for the rules.
///
/// `run()` returns on graceful shutdown or cancellation, after emitting pending multiline events (partial
/// lines are not emitted: they are read again after a restart), and with
/// `FileInputConfiguration.stopsAtEndOfFiles` also once a step read nothing and left nothing more to
/// read. Call `run()` once per instance.
package final class FileInput: Service, Sendable {
    /// The input's settings.
    package let configuration: FileInputConfiguration
    private let checkpoints: [FileCheckpoint]
    private let delegate: any FileInputDelegate
    private let batches: RecyclingPool<EventBatch>
    private let logger: Logger
    private let now: @Sendable () -> Date
    private let statisticsState = Mutex(FileInputStatistics())
    private let stopRequested = Atomic<Bool>(false)
    /// When the delegate call in progress started (`CLOCK_MONOTONIC` nanoseconds), 0 when none
    /// is: how long the output has held reading.
    private let deliveringSince = Atomic<UInt64>(0)
    private let scanned = Atomic<Bool>(false)

    /// - Parameters:
    ///   - configuration: the settings; validated again by `run()`.
    ///   - checkpoints: saved offsets, matched to files by `FileKey`.
    ///   - delegate: receives opened files, truncations and events.
    ///   - batches: where batches to fill come from; the delegate may recycle them into it.
    ///   - logger: for discovery problems and rotations; the input id is added as metadata.
    ///   - now: the clock for event timestamps.
    package init(
        configuration: FileInputConfiguration,
        checkpoints: [FileCheckpoint] = [],
        delegate: any FileInputDelegate,
        batches: RecyclingPool<EventBatch> = RecyclingPool<EventBatch>(),
        logger: Logger,
        now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.configuration = configuration
        self.batches = batches
        self.checkpoints = checkpoints
        self.delegate = delegate
        var logger = logger
        logger[metadataKey: "input"] = "\(configuration.id)"
        self.logger = logger
        self.now = now
    }

    /// Counters since `run()` started.
    package var statistics: FileInputStatistics { statisticsState.withLock { $0 } }

    /// True once `run()` has scanned its patterns and handed on what the first scan opened:
    /// what `/ready` waits for.
    package var isOpen: Bool { scanned.load(ordering: .acquiring) }

    /// Follows the files until graceful shutdown or cancellation.
    ///
    /// - Throws: `TailError` for an invalid configuration or when the wake pipe cannot be created; file
    ///   problems are logged and retried, never thrown.
    package func run() async throws {
        var inotifyError: Int32?
        let watcher = try FileWatcher(inotifyError: &inotifyError, useInotify: configuration.watch == .inotify)
        defer { watcher.close() }
        if let inotifyError {
            logger.warning(
                "inotify unavailable; files are polled every poll_interval, new files found by the periodic rescan",
                metadata: [
                    "error": "\(SystemError.message(inotifyError))",
                    "rescan_interval": "\(configuration.rescanInterval)",
                ]
            )
        }
        let engine = try LockedEngine(
            configuration: configuration,
            checkpoints: checkpoints,
            watcher: watcher,
            batches: batches,
            logger: logger
        )
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.scanWhileHeld(engine: engine, pool: pool) }
            await withGracefulShutdownHandler {
                await withTaskCancellationHandler {
                    await self.loop(engine: engine, pool: pool, watcher: watcher)
                } onCancel: {
                    self.requestStop(watcher)
                }
            } onGracefulShutdown: {
                self.requestStop(watcher)
            }
            group.cancelAll()
        }
        let timestamp = now()
        let finished = engine.finish(timestamp: timestamp)
        await deliver(finished.outputs, statistics: finished.statistics)
        await delegate.fileInputFinished()
        try? await pool.shutdownGracefully()
    }

    private func requestStop(_ watcher: FileWatcher) {
        stopRequested.store(true, ordering: .releasing)
        watcher.wake()
    }

    private var isStopping: Bool { stopRequested.load(ordering: .acquiring) }

    private func loop(engine: LockedEngine, pool: NIOThreadPool, watcher: FileWatcher) async {
        let clock = ContinuousClock()
        let rescanInterval = configuration.rescanInterval
        var nextRescan = clock.now
        var wake = FileWatcher.Wake(directoriesChanged: true)
        var bytesRead: UInt64 = 0
        // A step read while the previous one went through the pipeline (see below).
        var prefetched: FileInputStep?
        while !isStopping || prefetched != nil {
            if isStopping, let step = prefetched {
                // Read ahead before the stop was asked for: hand it on, then stop.
                await deliver(step.outputs, statistics: step.statistics)
                return
            }
            let timestamp = now()
            var step: FileInputStep
            if let ready = prefetched {
                step = ready
                prefetched = nil
            } else {
                // Only a step that scans uses the rescan up: a prefetched one did not.
                let rescan = wake.directoriesChanged || clock.now >= nextRescan
                if rescan { nextRescan = clock.now.advanced(by: rescanInterval) }
                let modified = wake.modifiedPaths
                do {
                    step = try await pool.runIfActive {
                        StepHandOff(
                            engine.step(
                                now: ContinuousClock.now,
                                timestamp: timestamp,
                                rescan: rescan,
                                modified: modified
                            )
                        )
                    }.take()
                } catch {
                    return
                }
            }
            // Handed over, not shared: the delegate then owns each batch alone and transforms it
            // in place instead of copying it.
            let outputs = step.outputs
            step.outputs = []
            if step.moreToRead && !isStopping {
                // Busy files: the I/O thread reads and splits the next step while this one goes
                // through the transforms and the output, so that two cores work. One step ahead
                // at most; steps are handed on in order.
                // Directory changes are looked at between busy steps too (without waiting): a
                // copytruncate or rotation while logship is behind is seen when it happens, not
                // when reading catches up.
                let readTime = now()
                let changes = watcher.wait(timeout: .zero)
                let rescanNext = changes.directoriesChanged || clock.now >= nextRescan
                if rescanNext { nextRescan = clock.now.advanced(by: rescanInterval) }
                async let next = pool.runIfActive {
                    StepHandOff(
                        engine.step(
                            now: ContinuousClock.now,
                            timestamp: readTime,
                            rescan: rescanNext,
                            modified: changes.modifiedPaths
                        )
                    )
                }
                await deliver(consume outputs, statistics: step.statistics)
                do {
                    prefetched = try await next.take()
                } catch {
                    return
                }
                wake = FileWatcher.Wake()
                continue
            }
            await deliver(consume outputs, statistics: step.statistics)
            if step.moreToRead {
                wake = watcher.wait(timeout: .zero)
                continue
            }
            if configuration.stopsAtEndOfFiles {
                if step.statistics.bytesRead == bytesRead && step.statistics.filesQueued == 0 { return }
                bytesRead = step.statistics.bytesRead
                wake = FileWatcher.Wake()
                continue
            }
            if isStopping { return }
            var deadline = step.nextDeadline.map { min($0, nextRescan) } ?? nextRescan
            // Without inotify, open files are read again every poll interval.
            if !watcher.isWatching { deadline = min(deadline, clock.now.advanced(by: configuration.pollInterval)) }
            let timeout = clock.now.duration(to: deadline)
            do {
                wake = try await pool.runIfActive { watcher.wait(timeout: timeout) }
            } catch {
                return
            }
        }
    }

    /// While the output holds reading for more than a second (Elasticsearch down or slow), the
    /// patterns are still evaluated every second (not the files read): a file created and then
    /// copytruncated or rotated during an outage is known, by its inode and first bytes, before
    /// its content is replaced, and its old content is then found in the copy.
    private func scanWhileHeld(engine: LockedEngine, pool: NIOThreadPool) async {
        let interval = min(Duration.seconds(1), configuration.rescanInterval)
        let nanoseconds =
            UInt64(interval.components.seconds) * 1_000_000_000
            + UInt64(interval.components.attoseconds / 1_000_000_000)
        while !Task.isCancelled && !isStopping {
            // A timer, not synchronisation: how often a held input looks at its patterns.
            do { try await Task.sleep(for: interval) } catch { return }
            let since = deliveringSince.load(ordering: .relaxed)
            guard since != 0, Self.monotonicNanoseconds() - since >= nanoseconds else { continue }
            _ = try? await pool.runIfActive { engine.scanOnly(now: ContinuousClock.now) }
        }
    }

    private static func monotonicNanoseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    private func deliver(_ outputs: consuming [FileInputOutput], statistics current: FileInputStatistics) async {
        deliveringSince.store(Self.monotonicNanoseconds(), ordering: .relaxed)
        defer { deliveringSince.store(0, ordering: .relaxed) }
        statisticsState.withLock { statistics in
            let emitted = statistics.eventsEmitted
            statistics = current
            statistics.eventsEmitted = emitted
        }
        // The first step has scanned and opened the files: ready, even while the output holds
        // its events back.
        scanned.store(true, ordering: .releasing)
        var outputs = consume outputs
        outputs.reverse()
        while let output = outputs.popLast() {
            switch consume output {
            case .opened(let key, let path, let offset, let generation):
                await delegate.fileInputOpened(key, path: path, at: offset, generation: generation)
            case .truncated(let key, let path, let generation):
                await delegate.fileInputTruncated(key, path: path, generation: generation)
            case .closed(let key, let path):
                await delegate.fileInputClosed(key, path: path)
            case .gone(let key, let path):
                await delegate.fileInputGone(key, path: path)
            case .identified(let key, let head):
                await delegate.fileInputIdentified(key, head: head)
            case .cut(let key, let cut, let generation):
                await delegate.fileInputCut(key, at: cut, generation: generation)
            case .events(let events):
                let count = events.count
                await delegate.fileInputEmit(consume events)
                statisticsState.withLock { $0.eventsEmitted += UInt64(count) }
            }
        }
    }
}

/// A step on its way from the I/O thread to the task. The thread pool's future keeps its result
/// after the await; boxed and taken out, the step's batches are the task's alone (a batch still
/// referenced by the future was copied whole by the first transform that changed it).
private final class StepHandOff: @unchecked Sendable {
    // Set on the I/O thread before the future completes, taken once after it.
    private var step: FileInputStep?

    init(_ step: consuming FileInputStep) { self.step = step }

    func take() -> FileInputStep { step.take()! }
}

/// The engine behind a lock, so that it can be driven from the I/O thread and, at shutdown, from the
/// task; calls never overlap in practice.
private final class LockedEngine: Sendable {
    private let engine: Mutex<FileInputEngine>

    init(
        configuration: FileInputConfiguration,
        checkpoints: [FileCheckpoint],
        watcher: FileWatcher,
        batches: RecyclingPool<EventBatch>,
        logger: Logger
    ) throws {
        engine = Mutex(
            try FileInputEngine(
                configuration: configuration,
                checkpoints: checkpoints,
                watcher: watcher,
                batches: batches,
                logger: logger
            )
        )
    }

    func step(now: ContinuousClock.Instant, timestamp: Date, rescan: Bool, modified: Set<String>) -> FileInputStep {
        engine.withLock { $0.step(now: now, timestamp: timestamp, rescan: rescan, modified: modified) }
    }

    func finish(timestamp: Date) -> FileInputStep {
        engine.withLock { $0.finish(timestamp: timestamp) }
    }

    func scanOnly(now: ContinuousClock.Instant) {
        engine.withLock { $0.scanOnly(now: now) }
    }
}
