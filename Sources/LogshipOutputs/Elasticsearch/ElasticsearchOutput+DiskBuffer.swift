import Logging
import LogshipCore
import Synchronization

/// The disk buffer's shell (see `DiskBuffer`): with it, every encoded batch goes to disk first
/// and is acknowledged to the input once durable, and the feeder hands segments to the delivery
/// as room allows; a segment is deleted once its documents are taken or dead-lettered. Nothing
/// the input considers done is held only in memory, so a crash, a restart or a deleted file loses
/// nothing while Elasticsearch is down.
extension ElasticsearchOutput {
    /// Writes `batch` to the disk buffer and acknowledges its events to the input; `false` when
    /// the buffer is full, not open yet or cannot be written (logged), or shutdown has begun.
    func spool(_ batch: Batch) async -> Bool {
        guard let diskBuffer, state.withLock({ $0.phase == .running }) else { return false }
        do {
            guard try diskBuffer.write(batch) else { return false }
        } catch {
            let suppressed = state.withLock { state in
                state.statistics.lastError = "\(error)"
                state.diskFailed = true
                return state.diskBufferLog.admit(now: .now)
            }
            // Senders waiting for disk space go to memory too.
            releaseDiskWaiters()
            if let suppressed {
                logger.error(
                    "cannot write the disk buffer; holding events in memory instead",
                    metadata: ["error": "\(error)", "suppressed": "\(suppressed)"]
                )
            }
            return false
        }
        let feeder = state.withLock { state in
            state.diskFailed = false
            state.statistics.eventsReceived += batch.count
            state.statistics.documentsSpooled += batch.count
            defer { state.feederWaiter = nil }
            return state.feederWaiter
        }
        feeder?.resume()
        let sources = batch.sources
        if !sources.isEmpty { await acknowledge(sources) }
        return true
    }

    /// Waits until `bytes` more fit in the disk buffer; `false` at once when the buffer failed
    /// (the caller holds the batch in memory instead) or when shutdown begins.
    func waitForDiskSpace(_ bytes: Int) async -> Bool {
        guard let diskBuffer, bytes <= diskBuffer.maximumBytes else { return false }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let answer: Bool? = state.withLock { state in
                    guard state.phase == .running, !state.diskFailed, !Task.isCancelled else { return false }
                    guard diskBuffer.bytes + bytes > diskBuffer.maximumBytes else { return true }
                    state.diskWaiters.append(continuation)
                    return nil
                }
                if let answer { continuation.resume(returning: answer) }
            }
        } onCancel: {
            releaseDiskWaiters()
        }
    }

    /// Deletes delivered segments and wakes the senders waiting for disk space.
    func removeSegments(_ segments: [(sequence: UInt64, documents: Int)]) {
        guard let diskBuffer, !segments.isEmpty else { return }
        for segment in segments { diskBuffer.remove(segment.sequence, documents: segment.documents) }
        let waiters = state.withLock { state in
            defer { state.diskWaiters = [] }
            return state.diskWaiters
        }
        for waiter in waiters { waiter.resume(returning: true) }
    }

    /// Wakes every sender waiting for disk space, with `false` (shutdown: they hold their
    /// batches in memory).
    func releaseDiskWaiters() {
        let waiters = state.withLock { state in
            defer { state.diskWaiters = [] }
            return state.diskWaiters
        }
        for waiter in waiters { waiter.resume(returning: false) }
    }

    /// Hands the disk buffer's segments, oldest first and joined up to `maximumBatchBytes`, to
    /// the delivery whenever there is room, until shutdown begins (what is left stays on disk for
    /// the next run).
    func runFeeder() async {
        guard let diskBuffer else { return }
        defer { releaseDiskWaiters() }
        while !Task.isCancelled {
            guard diskBuffer.hasWaiting else {
                await waitForSegment()
                continue
            }
            await waitForRoom()
            guard !Task.isCancelled, state.withLock({ $0.phase == .running }) else { return }
            guard state.withLock({ $0.hasRoom(configuration) }) else { continue }
            var batch = Batch()
            var segments: [(sequence: UInt64, documents: Int)] = []
            repeat {
                let next: (sequence: UInt64, batch: Batch)?
                do {
                    next = try diskBuffer.next()
                } catch {
                    state.withLock { state in
                        state.statistics.diskBufferSegmentsLost += 1
                        state.statistics.lastError = "\(error)"
                    }
                    logger.error("disk buffer segment skipped; its events are lost", metadata: ["error": "\(error)"])
                    continue
                }
                guard let next else { break }
                batch.append(documents: 0..<next.batch.count, of: next.batch)
                segments.append((next.sequence, next.batch.count))
            } while diskBuffer.hasWaiting && batch.bytes.count + diskBuffer.nextBytes <= configuration.maximumBatchBytes
            guard !segments.isEmpty else { continue }
            resume(close(batch, segments: segments))
        }
    }

    /// Closes a batch read from the disk buffer under the lock.
    private func close(_ batch: Batch, segments: [(sequence: UInt64, documents: Int)]) -> Effects {
        state.withLock { state in
            state.statistics.bufferedEvents += batch.count
            var effects = state.close(batch, now: .now, segments: segments)
            effects.senders += state.sendersToWake(configuration)
            return effects
        }
    }

    /// Returns once a segment is written (or the task is cancelled).
    private func waitForSegment() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let waits = state.withLock { state in
                    guard !Task.isCancelled, diskBuffer?.hasWaiting != true else { return false }
                    state.feederWaiter = continuation
                    return true
                }
                if !waits { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                defer { state.feederWaiter = nil }
                return state.feederWaiter
            }
            waiter?.resume()
        }
    }
}
