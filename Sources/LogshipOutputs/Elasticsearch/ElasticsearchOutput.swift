import AsyncHTTPClient
package import Logging
package import LogshipCore
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization

/// Ships events to Elasticsearch with the `_bulk` API: batches them (`Batcher`), gzips each batch
/// on a thread of its own (`CompressionThread`), sends up to `maximumInFlightRequests` bulk
/// requests at a time, retries what Elasticsearch could not take yet, writes what it rejects for
/// good to the dead-letter file, and reports the sources of taken or dead-lettered documents to
/// `acknowledge`. What to send, retry, dead-letter and release, and when shutdown is over, is
/// decided by `DeliveryStateMachine` (pure, driven with the time); this is the shell that performs
/// it: the HTTP client, the compression thread, the dead-letter file, the tasks that wait.
///
/// - Backpressure: `send` suspends while `maximumBufferedEvents` or more events are accepted but
///   not yet acknowledged, while `maximumInFlightRequests` closed batches are not yet delivered
///   (waiting for a worker, being compressed, in flight, retrying): every request slot has a
///   batch and none queue behind them, or while those batches and the open one hold
///   `maximumBufferedBytes`. So at most those bounds plus one `send` call's events,
///   the open batch and a batch closed by age meanwhile are held; in bytes, about
///   `maximumInFlightRequests + 2` times `maximumBatchBytes`, plus one delivered body kept empty
///   for the next batch (`bodies`).
/// - Nothing is given up on: 429, 5xx and connection errors are retried with backoff forever
///   (per-item ones up to `itemRetryLimit` when set), each retry logged (rate-limited) and
///   counted. A request waiting for its backoff holds no request slot, but its batch still counts
///   against `maximumInFlightRequests` closed batches, so reading pauses while Elasticsearch is
///   down.
/// - Graceful shutdown: stops waiting for new events, flushes the open batch and goes on up to
///   `shutdownTimeout` until every batch is acknowledged, then cancels what is left (it is re-read
///   after a restart, since its checkpoint did not advance), shuts the HTTP client down and returns.
package final class ElasticsearchOutput: Service, Sendable {
    /// Where the output is in its life.
    enum Phase {
        /// Accepting events and sending.
        case running
        /// Shutting down: no new batches are waited for; outstanding ones are finished.
        case draining
        /// `run()` has returned; `send` no longer blocks and nothing is shipped.
        case stopped
    }

    /// Everything shared between `send`, the workers, the timer and shutdown, behind `state`.
    /// What to do is `delivery`'s decision (a pure state machine); this keeps the batches and the
    /// waiting tasks it refers to.
    struct State {
        var phase = Phase.running
        /// Set when the task group is cancelled: every wait ends at once.
        var cancelled = false
        /// The open batch; encoding happens under the lock, on the caller of `send`.
        var batcher: Batcher
        /// Requests, retries, releases and shutdown of the closed batches.
        var delivery: DeliveryStateMachine
        /// The closed batches `delivery` is delivering, by id.
        var closed: [DeliveryStateMachine.BatchID: Batch] = [:]
        /// A whole batch's compressed body, kept for whole-batch retries until it is released.
        var compressed: [DeliveryStateMachine.BatchID: (buffer: ByteBuffer, compressed: Bool)] = [:]
        /// Requests no worker has taken yet, oldest first.
        var requests: [DeliveryStateMachine.Request] = []
        /// Workers waiting for a request.
        var idleWorkers: [CheckedContinuation<DeliveryStateMachine.Request?, Never>] = []
        /// Callers of `send` suspended by backpressure, oldest first.
        var senders: [(id: UInt64, continuation: CheckedContinuation<Void, Never>)] = []
        var nextSenderID: UInt64 = 0
        /// When `delivery` wants `onTimer` (a backoff ending, the shutdown deadline).
        var deliveryTimer: ContinuousClock.Instant?
        /// The timer task, waiting for a deadline to appear or to come earlier.
        var timerWaiter: CheckedContinuation<Void, Never>?
        /// Set when `delivery` finished, with whether requests in flight are to be cancelled.
        var finished: Bool?
        /// The run loop, waiting for `finished`.
        var finishWaiter: CheckedContinuation<Bool, Never>?
        /// The hosts and their health: round-robin, and a host that gives no answer is left out
        /// for a while.
        var hosts: HostPool
        /// The `Authorization` header, made from `configuration.credentials` at start and again
        /// after a 401 (a secret file may have been rotated).
        var authorization: String?
        var statistics = ElasticsearchOutputStatistics()
        /// Rate limits of the retry and dead-letter warnings.
        var retryLog = LogRateLimiter(interval: .seconds(5))
        var deadLetterLog = LogRateLimiter(interval: .seconds(5))
        var authLog = LogRateLimiter(interval: .seconds(30))
        var fallbackLog = LogRateLimiter(interval: .seconds(30))
        var diskBufferLog = LogRateLimiter(interval: .seconds(30))
        /// Closed batches read from the disk buffer: their segment and document count, deleted
        /// once the batch is released.
        var spooled: [DeliveryStateMachine.BatchID: [(sequence: UInt64, documents: Int)]] = [:]
        /// The disk buffer's feeder, waiting for a segment to be written.
        var feederWaiter: CheckedContinuation<Void, Never>?
        /// Senders waiting for room in the disk buffer.
        var diskWaiters: [CheckedContinuation<Bool, Never>] = []
        /// The disk buffer could not be written: sends fall back to memory until a write works.
        var diskFailed = false
        var warnedStopped = false

        /// Whether `send` may add events: fewer than `maximumBufferedEvents` are buffered, fewer
        /// closed batches than `maximumInFlightRequests` wait for or are in delivery, and their
        /// bytes with the open batch's are under `maximumBufferedBytes`.
        func hasRoom(_ configuration: ElasticsearchOutputConfiguration) -> Bool {
            statistics.bufferedEvents < configuration.maximumBufferedEvents
                && statistics.bufferedBatches < configuration.maximumInFlightRequests
                && statistics.bufferedBatchBytes + batcher.openBytes < configuration.maximumBufferedBytes
        }

        /// The earliest of the open batch's deadline and `deliveryTimer`.
        var nextDeadline: ContinuousClock.Instant? {
            [phase == .running ? batcher.deadline : nil, deliveryTimer].compactMap { $0 }.min()
        }
    }

    /// The configuration the output was made with.
    package let configuration: ElasticsearchOutputConfiguration
    /// Receives the sources of acknowledged and dead-lettered documents.
    let acknowledge: @Sendable ([EventSource]) async -> Void
    /// Carries the output id as metadata.
    let logger: Logger
    /// Backoff between retries.
    let retryPolicy: RetryPolicy
    /// `nil` when `deadLetterPath` is not set.
    let deadLetterFile: DeadLetterFile?
    /// `nil` when `diskBufferPath` is not set.
    let diskBuffer: DiskBuffer?
    /// Compresses request bodies off the cooperative pool; `nil` when `compressionLevel` is 0.
    let compressionThread: CompressionThread?
    /// The shared state; never held across an `await`.
    let state: Mutex<State>
    /// Delivered batches go back to the batcher to be filled again: a 2 MiB body is not mapped
    /// and faulted in afresh per request. One is kept: requests finish one at a time, and the
    /// batcher takes it at the next close.
    let bodies: RecyclingPool<Batch>
    /// Action lines for `encode(_:)`.
    let action: BulkAction
    /// Encoded batches, once cut into bodies, go back to be filled by `encode(_:)` again: one per
    /// pipeline worker and one being sent.
    let encodedBatches = RecyclingPool<Batch>(capacity: 3, maximumBytes: 16 << 20)
    /// The largest response body read; a larger one counts as a failed request.
    let maximumResponseBytes = 64 << 20

    /// Makes the output; nothing is sent before `run()`. An invalid configuration is reported by
    /// `run()` (call `configuration.validate()` first to report it earlier).
    package init(
        configuration: ElasticsearchOutputConfiguration,
        acknowledge: @escaping @Sendable ([EventSource]) async -> Void,
        logger: Logger
    ) {
        self.configuration = configuration
        self.acknowledge = acknowledge
        var logger = logger
        logger[metadataKey: "output"] = "\(configuration.id)"
        self.logger = logger
        let retryPolicy = RetryPolicy(initial: configuration.initialBackoff, maximum: configuration.maximumBackoff)
        self.retryPolicy = retryPolicy
        self.deadLetterFile = configuration.deadLetterPath.map {
            DeadLetterFile(
                path: $0,
                maximumBytes: configuration.maximumDeadLetterBytes,
                maximumFiles: configuration.maximumDeadLetterFiles
            )
        }
        self.diskBuffer = configuration.diskBufferPath.map {
            DiskBuffer(directory: $0, maximumBytes: configuration.maximumDiskBufferBytes)
        }
        self.compressionThread =
            configuration.compressionLevel > 0 ? CompressionThread(level: configuration.compressionLevel) : nil
        // An invalid configuration is `run()`'s to report; meanwhile a name that cannot clash.
        let action =
            (try? configuration.bulkAction())
            ?? BulkAction(index: try! IndexPattern(parsing: "logship-invalid-index"))
        let bodies = RecyclingPool<Batch>(
            capacity: 1,
            maximumBytes: 2 * configuration.maximumBatchBytes
        )
        self.bodies = bodies
        self.action = action
        let batcher = Batcher(
            maximumEvents: configuration.maximumBatchEvents,
            maximumBytes: configuration.maximumBatchBytes,
            maximumAge: configuration.maximumBatchAge,
            encoder: BulkEncoder(action: action),
            bodies: bodies
        )
        let delivery = DeliveryStateMachine(
            maximumInFlight: configuration.maximumInFlightRequests,
            retryPolicy: retryPolicy,
            itemRetryLimit: configuration.itemRetryLimit,
            shutdownTimeout: configuration.shutdownTimeout
        )
        self.state = Mutex(
            State(
                batcher: batcher,
                delivery: delivery,
                hosts: HostPool(configuration.hosts.isEmpty ? [""] : configuration.hosts)
            )
        )
    }

    /// A snapshot of the counters and gauges.
    package var statistics: ElasticsearchOutputStatistics {
        state.withLock { state in
            var statistics = state.statistics
            statistics.suspendedSenders = state.senders.count
            statistics.openBatchBytes = state.batcher.openBytes
            statistics.diskBufferBytes = diskBuffer?.bytes ?? 0
            statistics.diskBufferDocuments = diskBuffer?.documents ?? 0
            statistics.failingSince = state.delivery.oldestFailure
            statistics.hosts = state.hosts.hosts
            return statistics
        }
    }

    /// Whether `run()` has returned.
    package var isStopped: Bool { state.withLock { $0.phase == .stopped } }

    // MARK: Sending

    /// Accepts `events` for shipping. Suspends while the buffer is full (see the type);
    /// a cancelled caller stops waiting and its events are accepted anyway. After `run()` has
    /// returned, events are accepted and never shipped (and never acknowledged).
    package func send(_ events: EventBatch) async {
        await send(encoded: encode(events))
    }

    /// The `_bulk` NDJSON of every event of `events`, for `send(encoded:)`. Pure and safe to call
    /// from several tasks at once: the pipeline encodes batches on both cores, then sends them in
    /// order.
    package func encode(_ events: EventBatch) -> Batch {
        var encoder = BulkEncoder(action: action)
        var batch = encodedBatches.take() ?? Batch()
        batch.append(encoding: events, encoder: &encoder)
        if encoder.fallbacks > 0 { routedToFallback(encoder.fallbacks, first: encoder.firstFallback) }
        return batch
    }

    /// Counts documents sent to the fallback index and says why (rate-limited).
    private func routedToFallback(_ documents: Int, first problem: IndexPattern.NameProblem?) {
        let suppressed = state.withLock { state in
            state.statistics.documentsToFallbackIndex += documents
            return state.fallbackLog.admit(now: .now)
        }
        guard let suppressed else { return }
        logger.warning(
            "events whose index name cannot be made went to the fallback index",
            metadata: [
                "documents": "\(documents)", "index": "\(action.index)", "fallback_index": "\(action.fallback)",
                "reason": "\(problem.map { "\($0)" } ?? "-")", "suppressed": "\(suppressed)",
            ]
        )
    }

    /// Accepts documents encoded by `encode(_:)`, as `send(_:)` does events. Pass the last copy
    /// with `consume`: once its documents are in the bodies it is kept for `encode(_:)`.
    package func send(encoded: consuming Batch) async {
        guard !encoded.isEmpty else {
            // Every event of the batch was dropped by a filter: nothing to send, the buffer is
            // kept for the next batch.
            encodedBatches.recycle(encoded)
            return
        }
        if diskBuffer != nil {
            // Through the disk: durable, then acknowledged to the input; the feeder delivers it.
            while !(await spool(encoded)) {
                let space = Task.isCancelled ? false : await waitForDiskSpace(encoded.bytes.count)
                if !space {
                    // Shutting down, or the buffer cannot be written: held in memory as without one.
                    while !accept(encoded, force: Task.isCancelled) { await waitForRoom() }
                    break
                }
            }
        } else {
            while !accept(encoded, force: Task.isCancelled) {
                await waitForRoom()
            }
        }
        encodedBatches.recycle(encoded)
    }

    /// Accepts `events` (the tree form, for tests); see `send(_:)`.
    package func send(_ events: [Event]) async {
        await send(EventBatch(events))
    }

    private func accept(_ events: Batch, force: Bool) -> Bool {
        let now = ContinuousClock.now
        let (accepted, effects, warnStopped) = state.withLock { state -> (Bool, Effects, Bool) in
            guard force || state.phase == .stopped || state.hasRoom(configuration) else {
                return (false, Effects(), false)
            }
            state.statistics.eventsReceived += events.count
            state.statistics.bufferedEvents += events.count
            let before = state.nextDeadline
            var closed = state.batcher.append(encoded: events, now: now)
            if state.phase != .running, let rest = state.batcher.flush() { closed.append(rest) }
            var effects = Effects()
            for batch in closed { effects.merge(state.close(batch, now: now)) }
            if state.nextDeadline != before { effects.wakeTimer(&state) }
            let warn = state.phase == .stopped && !state.warnedStopped
            if warn { state.warnedStopped = true }
            return (true, effects, warn)
        }
        // Closing batches only sends and releases (acknowledgements come with answers).
        resume(effects)
        if warnStopped {
            logger.warning("events sent after the output stopped are not shipped; they are re-read after a restart")
        }
        return accepted
    }

    func waitForRoom() async {
        let id = state.withLock { state in
            state.nextSenderID += 1
            return state.nextSenderID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let waits = state.withLock { state in
                    guard !Task.isCancelled, state.phase != .stopped, !state.hasRoom(configuration) else {
                        return false
                    }
                    state.senders.append((id, continuation))
                    return true
                }
                if !waits { continuation.resume() }
            }
        } onCancel: {
            let continuation = state.withLock { state in
                state.senders.firstIndex { $0.id == id }.map { state.senders.remove(at: $0).continuation }
            }
            continuation?.resume()
        }
    }
}
