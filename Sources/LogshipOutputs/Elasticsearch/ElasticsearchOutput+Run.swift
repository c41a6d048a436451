import AsyncHTTPClient
import Logging
import LogshipCore
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization

extension ElasticsearchOutput {
    private enum Child {
        case worker
        case timer
        case watchdog(timedOut: Bool)
    }

    private enum TimerStep {
        case exit
        case sleep(until: ContinuousClock.Instant)
        case wait
    }

    /// Runs until graceful shutdown (or cancellation): validates the configuration, opens the
    /// dead-letter file, starts the compression thread, then drives the batch timer and
    /// `maximumInFlightRequests` workers that each send one batch at a time; stops the compression
    /// thread last. Throws only for an invalid configuration or a dead-letter file that cannot be
    /// opened.
    package func run() async throws {
        try configuration.validate()
        try deadLetterFile?.openFile()
        compressionThread?.start()
        var clientConfiguration = HTTPClient.Configuration()
        clientConfiguration.timeout.connect = .nanoseconds(
            Int64(min(configuration.requestTimeout, .seconds(10)).seconds * 1e9)
        )
        clientConfiguration.decompression = .disabled
        // Failed connects fail the request at once: the output retries with its own backoff and
        // moves to the next host, instead of the pool retrying one host until the deadline.
        clientConfiguration.connectionPool.retryConnectionEstablishment = false
        let client = HTTPClient(
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
            configuration: clientConfiguration,
            backgroundActivityLogger: logger
        )
        logger.info(
            "elasticsearch output started",
            metadata: ["hosts": "\(configuration.hosts.joined(separator: ","))", "index": "\(configuration.index)"]
        )
        await withGracefulShutdownHandler {
            await runChildren(client: client)
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
        do {
            try await client.shutdown()
        } catch {
            logger.debug("HTTP client shutdown failed", metadata: ["error": "\(error)"])
        }
        await compressionThread?.shutdown()
        deadLetterFile?.closeFile()
    }

    private func runChildren(client: HTTPClient) async {
        await withTaskGroup(of: Child.self) { group in
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
            group.addTask { .watchdog(timedOut: await self.runWatchdog()) }
            var workersLeft = workers
            while let child = await group.next() {
                switch child {
                case .worker:
                    workersLeft -= 1
                    if workersLeft == 0 { group.cancelAll() }
                case .timer:
                    break
                case .watchdog(let timedOut):
                    if timedOut {
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

    /// Starts the graceful shutdown: flushes the open batch and lets idle waits end.
    func beginShutdown() {
        let (handed, idle, timer, watchdog) = state.withLock { state in
            guard state.phase == .running else {
                return ([], [], nil, nil)
                    as (
                        [(CheckedContinuation<Batch?, Never>, Batch)], [CheckedContinuation<Batch?, Never>],
                        CheckedContinuation<Void, Never>?, CheckedContinuation<Void, Never>?
                    )
            }
            state.phase = .draining
            let handed = state.dispatch(state.batcher.flush().map { [$0] } ?? [])
            defer {
                state.idleWorkers = []
                state.timerWaiter = nil
                state.shutdownWaiter = nil
            }
            return (handed, state.idleWorkers, state.timerWaiter, state.shutdownWaiter)
        }
        logger.info(
            "elasticsearch output shutting down; flushing",
            metadata: ["events": "\(statistics.bufferedEvents)"]
        )
        for (worker, batch) in handed { worker.resume(returning: batch) }
        for worker in idle { worker.resume(returning: nil) }
        timer?.resume()
        watchdog?.resume()
    }

    /// Ends every wait at once: the task group is being cancelled.
    private func cancelWaits() {
        let (idle, timer, watchdog) = state.withLock { state in
            state.cancelled = true
            defer {
                state.idleWorkers = []
                state.timerWaiter = nil
                state.shutdownWaiter = nil
            }
            return (state.idleWorkers, state.timerWaiter, state.shutdownWaiter)
        }
        for worker in idle { worker.resume(returning: nil) }
        timer?.resume()
        watchdog?.resume()
    }

    private func runWorker(client: HTTPClient) async {
        while let batch = await nextBatch() {
            await deliver(batch, client: client)
            releaseBatch(bytes: batch.bytes.count)
            bodies.recycle(consume batch)
        }
    }

    /// The next closed batch; `nil` once shutting down with nothing left, or when cancelled.
    private func nextBatch() async -> Batch? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Batch?, Never>) in
                let immediate: Batch?? = state.withLock { state in
                    if !state.ready.isEmpty { return .some(state.ready.removeFirst()) }
                    if state.cancelled || state.phase != .running || Task.isCancelled { return .some(nil) }
                    state.idleWorkers.append(continuation)
                    return .none
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            self.cancelWaits()
        }
    }

    /// Closes the open batch when it reaches `maximumBatchAge`.
    private func runTimer() async {
        while !Task.isCancelled {
            let step = state.withLock { state -> TimerStep in
                if state.cancelled || state.phase != .running { return .exit }
                if let deadline = state.batcher.deadline { return .sleep(until: deadline) }
                return .wait
            }
            switch step {
            case .exit:
                return
            case .sleep(let deadline):
                do { try await Task.sleep(until: deadline, clock: .continuous) } catch { return }
                let now = ContinuousClock.now
                let handed = state.withLock { state in
                    guard state.phase == .running, let batch = state.batcher.onTimer(now: now) else {
                        return [] as [(CheckedContinuation<Batch?, Never>, Batch)]
                    }
                    return state.dispatch([batch])
                }
                for (worker, batch) in handed { worker.resume(returning: batch) }
            case .wait:
                await withTaskCancellationHandler {
                    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                        let waits = state.withLock { state in
                            guard !state.cancelled, state.phase == .running, state.batcher.deadline == nil else {
                                return false
                            }
                            state.timerWaiter = continuation
                            return true
                        }
                        if !waits { continuation.resume() }
                    }
                } onCancel: {
                    self.cancelWaits()
                }
            }
        }
    }

    /// Waits for the graceful shutdown, then for `shutdownTimeout`; `true` if the timeout passed.
    private func runWatchdog() async -> Bool {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let waits = state.withLock { state in
                    guard !state.cancelled, state.phase == .running else { return false }
                    state.shutdownWaiter = continuation
                    return true
                }
                if !waits { continuation.resume() }
            }
        } onCancel: {
            self.cancelWaits()
        }
        do {
            try await Task.sleep(for: configuration.shutdownTimeout)
        } catch {
            return false
        }
        return true
    }
}
