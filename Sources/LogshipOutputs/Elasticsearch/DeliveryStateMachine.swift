/// The delivery of closed batches to Elasticsearch as a pure state machine: which documents go in
/// which request, when a request is retried, what is acknowledged or dead-lettered, when a batch
/// is done and when a shutdown is over.
///
/// The shell (`ElasticsearchOutput`) performs what the `Actions` say: it sends the requests, wakes
/// the machine at `timer`, writes dead letters and reports back, acknowledges sources, recycles
/// released batches. Time comes in as `now` with every event; nothing here reads a clock, sleeps
/// or does I/O, so every transition is tested with made-up instants (`DeliveryStateMachineTests`).
/// The shape follows swift-nio's `NIOAsyncWriter.StateMachine` and Hummingbird's connection
/// state handler: `mutating func on…(…) -> Actions`.
///
/// Rules (the decisions per answer are `BulkOutcome`'s):
/// - At most `maximumInFlight` requests at once. A request waiting for its backoff holds no slot;
///   ready requests go oldest batch first, so a retry is not stuck behind newer batches.
/// - Whole-request retries (429, 5xx, timeouts, resets, 401/403, a short or malformed answer)
///   resend the same documents after capped exponential backoff with full jitter (`RetryPolicy`).
/// - Per-item retries resend only those documents, with backoff; after `itemRetryLimit` retries
///   (none by default: unlimited) they are dead-lettered instead, with their last error.
/// - A 413 splits the request in halves, sent at once; a single document is dead-lettered.
/// - A batch is released once each of its documents is acknowledged or dead-lettered; a
///   dead-letter write that fails is retried with backoff like a request.
/// - Shutdown: ready and waiting work goes on until everything is released or the shutdown
///   deadline passes; then requests in flight are cancelled and the machine finishes.
package struct DeliveryStateMachine: Sendable {
    package typealias Instant = ContinuousClock.Instant

    /// A closed batch, numbered in the order batches closed.
    package struct BatchID: Hashable, Comparable, Sendable, CustomStringConvertible {
        package let value: Int
        package init(_ value: Int) { self.value = value }
        package static func < (lhs: BatchID, rhs: BatchID) -> Bool { lhs.value < rhs.value }
        package var description: String { "batch \(value)" }
    }

    /// One request, numbered in the order they were made.
    package struct RequestID: Hashable, Sendable {
        package let value: Int
        package init(_ value: Int) { self.value = value }
    }

    /// A bulk request to send: `documents` (increasing indices into the batch).
    package struct Request: Sendable, Equatable {
        package let id: RequestID
        package let batch: BatchID
        package let documents: [Int]
        /// 0 for a first attempt.
        package let attempt: Int
        /// The batch's every document, in order: its body can be sent as it is.
        package var isWholeBatch: Bool
    }

    /// Documents to write to the dead-letter file, with why; report with `onDeadLettered`.
    package struct DeadLetters: Sendable, Equatable {
        package let batch: BatchID
        package let documents: [Int]
        package let errors: [BulkError]

        package init(batch: BatchID, documents: [Int], errors: [BulkError]) {
            self.batch = batch
            self.documents = documents
            self.errors = errors
        }
    }

    /// Documents to acknowledge (their sources go to the checkpoints).
    package struct Acknowledgement: Sendable, Equatable {
        package let batch: BatchID
        package let documents: [Int]
        /// How many of them were 409s (`create` of an id already there).
        package let conflicts: Int

        package init(batch: BatchID, documents: [Int], conflicts: Int) {
            self.batch = batch
            self.documents = documents
            self.conflicts = conflicts
        }
    }

    /// A retry decided, for logs and metrics.
    package struct Retry: Sendable, Equatable {
        package let batch: BatchID
        package let documents: Int
        package let attempt: Int
        package let reason: String
        package let delay: Duration

        package init(batch: BatchID, documents: Int, attempt: Int, reason: String, delay: Duration) {
            self.batch = batch
            self.documents = documents
            self.attempt = attempt
            self.reason = reason
            self.delay = delay
        }
    }

    /// What the shell does after an event, in this order: acknowledge, write dead letters, send,
    /// release, then wait for `timer`.
    package struct Actions: Sendable, Equatable {
        package var acknowledge: [Acknowledgement] = []
        package var deadLetter: [DeadLetters] = []
        package var send: [Request] = []
        package var retried: [Retry] = []
        /// Batches whose documents are all acknowledged or dead-lettered.
        package var released: [BatchID] = []
        /// When to call `onTimer` next (the earliest backoff or the shutdown deadline); `nil`:
        /// no timer is needed.
        package var timer: Instant?
        /// Cancel the requests in flight (the shutdown deadline passed).
        package var cancelInFlight = false
        /// Shutdown is over: nothing is left, or the deadline passed.
        package var finished = false

        package init() {}
    }

    package enum Phase: Sendable, Equatable {
        case running
        /// Finishing outstanding work until `deadline`.
        case draining(deadline: Instant)
        case finished
    }

    /// Documents of one batch waiting for a request (ready, or backing off until `notBefore`).
    private struct Work: Sendable {
        var batch: BatchID
        var documents: [Int]
        var attempt: Int
        var isWholeBatch: Bool
        var notBefore: Instant?
        /// When these documents first failed to go (for `oldestFailure`).
        var failingSince: Instant?
        /// Their last per-item errors (for the retry limit and dead letters), parallel to
        /// `documents`; empty for whole-request retries.
        var itemErrors: [BulkError] = []
        /// Dead letters whose write failed, to write again (not to send).
        var isDeadLetter = false
    }

    private struct BatchState: Sendable {
        let documentCount: Int
        /// Documents not yet acknowledged or dead-lettered.
        var remaining: Int
    }

    package let maximumInFlight: Int
    package let retryPolicy: RetryPolicy
    /// Per-item retries before a document is dead-lettered; `nil`: unlimited.
    package let itemRetryLimit: Int?
    package let shutdownTimeout: Duration

    package private(set) var phase = Phase.running
    private var batches: [BatchID: BatchState] = [:]
    private var ready: [Work] = []
    private var waiting: [Work] = []
    private var inFlight: [RequestID: Work] = [:]
    /// Dead letters being written, by batch.
    private var deadLettering: [BatchID: [Work]] = [:]
    private var nextBatch = 0
    private var nextRequest = 0

    package init(
        maximumInFlight: Int,
        retryPolicy: RetryPolicy,
        itemRetryLimit: Int? = nil,
        shutdownTimeout: Duration
    ) {
        self.maximumInFlight = max(1, maximumInFlight)
        self.retryPolicy = retryPolicy
        self.itemRetryLimit = itemRetryLimit
        self.shutdownTimeout = shutdownTimeout
    }

    // MARK: What the shell asks

    /// Closed batches not yet released (for backpressure).
    package var outstandingBatches: Int { batches.count }

    /// Requests in flight.
    package var requestsInFlight: Int { inFlight.count }

    /// Documents waiting for a backoff to end.
    package var documentsBackingOff: Int { waiting.reduce(0) { $0 + $1.documents.count } }

    /// Since when the longest-failing documents have been retried (`nil`: none are): a retry that
    /// holds a checkpoint back is visible in `/status` and a metric.
    package var oldestFailure: Instant? {
        (ready + waiting + inFlight.values).compactMap(\.failingSince).min()
    }

    // MARK: Events

    /// A batch of `documentCount` documents closed; returns its id with what to do.
    package mutating func onBatchClosed(documentCount: Int, now: Instant) -> (BatchID, Actions) {
        let id = BatchID(nextBatch)
        nextBatch += 1
        var actions = Actions()
        guard phase != .finished else { return (id, actions) }
        guard documentCount > 0 else {
            actions.released.append(id)
            return (id, actions)
        }
        batches[id] = BatchState(documentCount: documentCount, remaining: documentCount)
        ready.append(Work(batch: id, documents: Array(0..<documentCount), attempt: 0, isWholeBatch: true))
        fill(&actions, now: now)
        return (id, actions)
    }

    /// The answer to request `id`, as `BulkOutcome` decided it.
    package mutating func onResponse(_ id: RequestID, outcome: BulkOutcome, now: Instant) -> Actions {
        var actions = Actions()
        guard let work = inFlight.removeValue(forKey: id) else { return actions }
        switch outcome {
        case .items(let dispositions):
            if !dispositions.acknowledged.isEmpty {
                acknowledge(
                    work.batch,
                    dispositions.acknowledged.map { work.documents[$0] },
                    conflicts: dispositions.conflicts.count,
                    into: &actions
                )
            }
            if !dispositions.deadLetter.isEmpty {
                deadLetter(
                    work.batch,
                    dispositions.deadLetter.map { work.documents[$0.index] },
                    errors: dispositions.deadLetter.map(\.error),
                    attempt: work.attempt,
                    into: &actions
                )
            }
            if !dispositions.retry.isEmpty {
                let documents = dispositions.retry.map { work.documents[$0.index] }
                let errors = dispositions.retry.map(\.error)
                if let limit = itemRetryLimit, work.attempt >= limit {
                    deadLetter(work.batch, documents, errors: errors, attempt: work.attempt, into: &actions)
                } else {
                    var retry = Work(
                        batch: work.batch,
                        documents: documents,
                        attempt: work.attempt + 1,
                        isWholeBatch: false,
                        failingSince: work.failingSince ?? now,
                        itemErrors: errors
                    )
                    backOff(&retry, reason: errors.first?.description ?? "per-item retry", now: now, into: &actions)
                }
            }
        case .retryAll(let reason):
            var retry = work
            retry.attempt += 1
            retry.failingSince = work.failingSince ?? now
            backOff(&retry, reason: reason, now: now, into: &actions)
        case .split:
            let middle = work.documents.count / 2
            for half in [work.documents[..<middle], work.documents[middle...]] where !half.isEmpty {
                ready.append(
                    Work(
                        batch: work.batch,
                        documents: Array(half),
                        attempt: 0,
                        isWholeBatch: false,
                        failingSince: work.failingSince
                    )
                )
            }
        case .deadLetterAll(let error):
            deadLetter(
                work.batch,
                work.documents,
                errors: Array(repeating: error, count: work.documents.count),
                attempt: work.attempt,
                into: &actions
            )
        }
        fill(&actions, now: now)
        return actions
    }

    /// The dead letters of `batch` (as `Actions.deadLetter` gave them) were written (`written`)
    /// or could not be (retried after a backoff).
    package mutating func onDeadLettered(_ batch: BatchID, documents: [Int], written: Bool, now: Instant) -> Actions {
        var actions = Actions()
        guard var pending = deadLettering[batch],
            let position = pending.firstIndex(where: { $0.documents == documents })
        else { return actions }
        var work = pending.remove(at: position)
        deadLettering[batch] = pending.isEmpty ? nil : pending
        if written {
            settle(batch, count: documents.count, into: &actions)
        } else {
            work.attempt += 1
            work.failingSince = work.failingSince ?? now
            work.notBefore = now + retryPolicy.delay(attempt: work.attempt)
            actions.retried.append(
                Retry(
                    batch: batch,
                    documents: documents.count,
                    attempt: work.attempt,
                    reason: "dead-letter write failed",
                    delay: work.notBefore! - now
                )
            )
            waiting.append(work)
        }
        fill(&actions, now: now)
        return actions
    }

    /// The timer set by an earlier `Actions.timer` went off (early or late calls are harmless).
    package mutating func onTimer(now: Instant) -> Actions {
        var actions = Actions()
        if case .draining(let deadline) = phase, now >= deadline {
            finish(&actions, cancel: !inFlight.isEmpty)
            return actions
        }
        fill(&actions, now: now)
        return actions
    }

    /// Graceful shutdown: outstanding work goes on until `shutdownTimeout` from `now`.
    package mutating func onShutdown(now: Instant) -> Actions {
        var actions = Actions()
        guard phase == .running else { return actions }
        phase = .draining(deadline: now + shutdownTimeout)
        fill(&actions, now: now)
        return actions
    }

    /// The task group is cancelled: everything stops where it is.
    package mutating func onCancel() -> Actions {
        var actions = Actions()
        guard phase != .finished else { return actions }
        finish(&actions, cancel: !inFlight.isEmpty)
        return actions
    }

    // MARK: Helpers

    private mutating func acknowledge(_ batch: BatchID, _ documents: [Int], conflicts: Int, into actions: inout Actions)
    {
        actions.acknowledge.append(Acknowledgement(batch: batch, documents: documents, conflicts: conflicts))
        settle(batch, count: documents.count, into: &actions)
    }

    private mutating func deadLetter(
        _ batch: BatchID,
        _ documents: [Int],
        errors: [BulkError],
        attempt: Int,
        into actions: inout Actions
    ) {
        actions.deadLetter.append(DeadLetters(batch: batch, documents: documents, errors: errors))
        deadLettering[batch, default: []].append(
            Work(
                batch: batch,
                documents: documents,
                attempt: attempt,
                isWholeBatch: false,
                itemErrors: errors,
                isDeadLetter: true
            )
        )
    }

    private mutating func backOff(_ work: inout Work, reason: String, now: Instant, into actions: inout Actions) {
        let delay = retryPolicy.delay(attempt: work.attempt)
        work.notBefore = now + delay
        actions.retried.append(
            Retry(
                batch: work.batch,
                documents: work.documents.count,
                attempt: work.attempt,
                reason: reason,
                delay: delay
            )
        )
        waiting.append(work)
    }

    /// Counts `count` documents of `batch` as done; releases the batch when none is left.
    private mutating func settle(_ batch: BatchID, count: Int, into actions: inout Actions) {
        guard var state = batches[batch] else { return }
        state.remaining -= count
        if state.remaining <= 0 {
            batches[batch] = nil
            actions.released.append(batch)
        } else {
            batches[batch] = state
        }
    }

    /// Moves due backoffs to the ready queue, fills the free request slots oldest batch first,
    /// and sets the timer; finishes a drain with nothing left.
    private mutating func fill(_ actions: inout Actions, now: Instant) {
        guard phase != .finished else { return }
        var stillWaiting: [Work] = []
        for var work in waiting {
            if let notBefore = work.notBefore, notBefore > now {
                stillWaiting.append(work)
            } else if work.isDeadLetter {
                deadLetter(work.batch, work.documents, errors: work.itemErrors, attempt: work.attempt, into: &actions)
            } else {
                work.notBefore = nil
                ready.append(work)
            }
        }
        waiting = stillWaiting
        while inFlight.count < maximumInFlight, !ready.isEmpty {
            let next = ready.indices.min { ready[$0].batch < ready[$1].batch } ?? 0
            let work = ready.remove(at: next)
            let id = RequestID(nextRequest)
            nextRequest += 1
            inFlight[id] = work
            actions.send.append(
                Request(
                    id: id,
                    batch: work.batch,
                    documents: work.documents,
                    attempt: work.attempt,
                    isWholeBatch: work.isWholeBatch
                )
            )
        }
        if case .draining(let deadline) = phase {
            if batches.isEmpty {
                finish(&actions, cancel: false)
                return
            }
            actions.timer = min(deadline, waiting.compactMap(\.notBefore).min() ?? deadline)
        } else {
            actions.timer = waiting.compactMap(\.notBefore).min()
        }
    }

    private mutating func finish(_ actions: inout Actions, cancel: Bool) {
        phase = .finished
        actions.cancelInFlight = cancel
        actions.finished = true
        actions.timer = nil
        ready = []
        waiting = []
        inFlight = [:]
        deadLettering = [:]
    }
}
