import AsyncHTTPClient
import Logging
import LogshipCore
import NIOCore
import NIOPosix
import NIOSSL
import ServiceLifecycle
import Synchronization

extension ElasticsearchOutput {
    private enum Child {
        case worker
        case timer
        case probed
        case finished(cancel: Bool)
    }

    private enum TimerStep {
        case exit
        case sleep(until: ContinuousClock.Instant)
        case wait
    }

    /// Runs until graceful shutdown (or cancellation): validates the configuration, opens the
    /// dead-letter file, starts the compression thread, then drives the timer and
    /// `maximumInFlightRequests` workers that each send one request at a time, as
    /// `DeliveryStateMachine` decides; stops the compression thread last. Throws only for an
    /// invalid configuration or a dead-letter file that cannot be opened.
    package func run() async throws {
        try configuration.validate()
        try deadLetterFile?.openFile()
        do {
            try diskBuffer?.open()
        } catch {
            deadLetterFile?.closeFile()
            throw ElasticsearchOutputError.invalidConfiguration(
                outputID: configuration.id,
                key: "disk_buffer_path",
                reason: error.description
            )
        }
        let connection: ElasticsearchConnection
        do {
            // Last of what may throw: a client must be shut down once made.
            connection = try ElasticsearchConnection(configuration, logger: logger)
        } catch {
            deadLetterFile?.closeFile()
            throw error
        }
        state.withLock { $0.authorization = connection.authorization }
        compressionThread?.start()
        logger.info(
            "elasticsearch output started",
            metadata: [
                "hosts":
                    "\(configuration.hosts.map(ElasticsearchOutputConfiguration.displayHost).joined(separator: ","))",
                "index": "\(configuration.index)",
            ]
        )
        if configuration.usesTLS {
            if configuration.tls.verifyCertificate {
                logger.info("TLS to https hosts", metadata: ["tls": "\(configuration.tls)"])
            } else {
                logger.warning(
                    "TLS certificate verification is off (tls.verify: false): the connection is encrypted, but anyone on the path can pose as Elasticsearch and read the logs and credentials"
                )
            }
        }
        await withGracefulShutdownHandler {
            await runChildren(connection)
        } onGracefulShutdown: {
            self.beginShutdown()
        }
        let (left, senders) = state.withLock { state in
            state.phase = .stopped
            state.cancelled = true
            defer { state.senders = [] }
            return (state.statistics.bufferedEvents, state.senders)
        }
        for sender in senders { sender.continuation.resume() }
        if left > 0 {
            logger.warning(
                "output stopped with unacknowledged events; they are re-read after a restart",
                metadata: ["events": "\(left)"]
            )
        } else {
            logger.info("elasticsearch output stopped; every event was acknowledged")
        }
        await connection.shutdown(logger: logger)
        await compressionThread?.shutdown()
        deadLetterFile?.closeFile()
    }

    private func runChildren(_ connection: ElasticsearchConnection) async {
        let client = connection.client
        await withTaskGroup(of: Child.self) { group in
            group.addTask {
                await self.checkHosts(connection)
                return .probed
            }
            group.addTask {
                await self.runFeeder()
                return .probed
            }
            let workers = max(1, configuration.maximumInFlightRequests)
            for _ in 0..<workers {
                group.addTask {
                    await self.runWorker(client: client)
                    return .worker
                }
            }
            group.addTask {
                await self.runTimer()
                return .timer
            }
            group.addTask { .finished(cancel: await self.waitUntilFinished()) }
            var workersLeft = workers
            while let child = await group.next() {
                switch child {
                case .worker:
                    workersLeft -= 1
                    if workersLeft == 0 { group.cancelAll() }
                case .timer, .probed:
                    break
                case .finished(let cancel):
                    if cancel {
                        logger.warning(
                            "shutdown timeout reached; cancelling outstanding bulk requests",
                            metadata: ["timeout": "\(configuration.shutdownTimeout)"]
                        )
                        group.cancelAll()
                    }
                }
            }
        }
    }

    /// `GET /` on each host once at start: logs what answered (version, cluster) or why a host is
    /// not usable (unreachable, TLS, credentials refused). A warning only: delivery does not wait
    /// for it and retries on its own.
    private func checkHosts(_ connection: ElasticsearchConnection) async {
        let timeout = min(configuration.requestTimeout, .seconds(10))
        for probe in await connection.probeHosts(timeout: timeout, logger: logger) {
            if Task.isCancelled { return }
            if probe.isUsable {
                logger.info("elasticsearch host checked", metadata: ["result": "\(probe)"])
            } else {
                logger.warning("elasticsearch host check failed; shipping retries it", metadata: ["result": "\(probe)"])
            }
        }
    }

    /// Locks the state, lets `decide` drive the delivery, and returns what to do outside the
    /// lock (with the senders to wake when there is room again).
    func decide(_ decide: (inout State) -> DeliveryStateMachine.Actions) -> Effects {
        state.withLock { state in
            var effects = state.apply(decide(&state))
            effects.senders += state.sendersToWake(configuration)
            return effects
        }
    }

    /// The effects that need no `await`: resumes tasks and recycles bodies. Acknowledgements and
    /// dead letters are `perform`'s.
    func resume(_ effects: Effects) {
        // Deleted before senders wake: the room they wait for may be on disk.
        removeSegments(effects.segmentsDelivered)
        for (worker, request) in effects.workers { worker.resume(returning: request) }
        for sender in effects.senders { sender.resume() }
        effects.timer?.resume()
        for batch in effects.recycled { bodies.recycle(batch) }
        for retry in effects.retries { logRetry(retry) }
        if let finish = effects.finish { finish.waiter.resume(returning: finish.cancel) }
    }

    /// Every effect, in order: sources acknowledged, tasks resumed (senders wake only after the
    /// acknowledgement that made room), dead letters written (and what the delivery decides
    /// after each write).
    func perform(_ effects: Effects) async {
        for sources in effects.acknowledgements where !sources.isEmpty { await acknowledge(sources) }
        resume(effects)
        for (letters, records, sources) in effects.deadLetters {
            let written = writeDeadLetters(records)
            // A dead-lettered document is done with: its checkpoint moves on.
            if written && !sources.isEmpty { await acknowledge(sources) }
            let next = decide { state in
                if written {
                    state.statistics.documentsDeadLettered += records.count
                    state.statistics.bufferedEvents -= records.count
                    for record in records { state.statistics.deadLettered(1, type: record.error.type) }
                }
                return state.delivery.onDeadLettered(
                    letters.batch,
                    documents: letters.documents,
                    written: written,
                    now: .now
                )
            }
            await perform(next)
        }
    }

    /// Starts the graceful shutdown: flushes the open batch; the delivery finishes what is
    /// outstanding until `shutdownTimeout`.
    func beginShutdown() {
        let now = ContinuousClock.now
        let effects = state.withLock { state -> Effects in
            guard state.phase == .running else { return Effects() }
            state.phase = .draining
            var effects = Effects()
            if let rest = state.batcher.flush() { effects.merge(state.close(rest, now: now)) }
            effects.merge(state.apply(state.delivery.onShutdown(now: now)))
            effects.wakeTimer(&state)
            effects.senders += state.sendersToWake(configuration)
            return effects
        }
        releaseDiskWaiters()
        logger.info(
            "elasticsearch output shutting down; flushing",
            metadata: ["events": "\(statistics.bufferedEvents)"]
        )
        resume(effects)
    }

    /// Ends every wait at once: the task group is being cancelled.
    private func cancelWaits() {
        let effects = state.withLock { state -> Effects in
            state.cancelled = true
            var effects = state.apply(state.delivery.onCancel())
            effects.workers += state.idleWorkers.map { ($0, nil) }
            state.idleWorkers = []
            effects.wakeTimer(&state)
            if let waiter = state.finishWaiter {
                effects.finish = (waiter, false)
                state.finishWaiter = nil
            }
            return effects
        }
        resume(effects)
    }

    private func runWorker(client: HTTPClient) async {
        while let request = await nextRequest() {
            await deliver(request, client: client)
        }
    }

    /// The next request; `nil` once the delivery finished, or when cancelled.
    private func nextRequest() async -> DeliveryStateMachine.Request? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<DeliveryStateMachine.Request?, Never>) in
                let immediate: DeliveryStateMachine.Request?? = state.withLock { state in
                    if !state.requests.isEmpty { return .some(state.requests.removeFirst()) }
                    if state.cancelled || state.finished != nil || Task.isCancelled { return .some(nil) }
                    state.idleWorkers.append(continuation)
                    return .none
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            self.cancelWaits()
        }
    }

    /// Waits until the delivery finished; whether requests in flight are to be cancelled.
    private func waitUntilFinished() async -> Bool {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let immediate: Bool? = state.withLock { state in
                    if let finished = state.finished { return finished }
                    if state.cancelled { return false }
                    state.finishWaiter = continuation
                    return nil
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            self.cancelWaits()
        }
    }

    /// Closes the open batch at its age and wakes the delivery at its timer.
    private func runTimer() async {
        while !Task.isCancelled {
            let step = state.withLock { state -> TimerStep in
                if state.cancelled || state.finished != nil { return .exit }
                if let deadline = state.nextDeadline { return .sleep(until: deadline) }
                return .wait
            }
            switch step {
            case .exit:
                return
            case .sleep(let deadline):
                // Until the deadline, or until an earlier one is set.
                await withTaskGroup(of: Void.self) { group in
                    group.addTask { try? await Task.sleep(until: deadline, clock: .continuous) }
                    group.addTask { await self.waitForNewDeadline() }
                    await group.next()
                    group.cancelAll()
                }
                if Task.isCancelled { return }
                let now = ContinuousClock.now
                let effects = state.withLock { state -> Effects in
                    var effects = Effects()
                    if state.phase == .running, let batch = state.batcher.onTimer(now: now) {
                        effects.merge(state.close(batch, now: now))
                    }
                    if let timer = state.deliveryTimer, timer <= now {
                        effects.merge(state.apply(state.delivery.onTimer(now: now)))
                    }
                    effects.senders += state.sendersToWake(configuration)
                    return effects
                }
                await perform(effects)
            case .wait:
                await waitForNewDeadline()
            }
        }
    }

    /// Waits until a deadline is set or moved (or the output stops, or the task is cancelled).
    private func waitForNewDeadline() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let waits = state.withLock { state in
                    guard !state.cancelled, state.finished == nil, !Task.isCancelled else { return false }
                    state.timerWaiter?.resume()
                    state.timerWaiter = continuation
                    return true
                }
                if !waits { continuation.resume() }
            }
        } onCancel: {
            let waiter = self.state.withLock { state in
                defer { state.timerWaiter = nil }
                return state.timerWaiter
            }
            waiter?.resume()
        }
    }
}
