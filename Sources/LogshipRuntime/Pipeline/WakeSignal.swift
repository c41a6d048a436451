import Synchronization

/// Wakes one waiter early: `wait(upTo:)` returns after the duration, or as soon as `signal()` is
/// called (or was called since the last wait). Signals between two waits are coalesced.
///
/// Made of a continuation behind a lock rather than an `AsyncStream`: cancelling the task that
/// waits on a stream's `next()` finishes the stream, and every later wait would return at once.
final class WakeSignal: Sendable {
    private struct State {
        var pending = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    init() {}

    /// Wakes the waiter, or the next one.
    func signal() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.pending = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Returns after `duration`, or at once when signalled or cancelled. One waiter at a time.
    func wait(upTo duration: Duration) async {
        await withTaskCancellationHandler {
            await waitForSignal(upTo: duration)
        } onCancel: {
            signal()
        }
    }

    private func waitForSignal(upTo duration: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                // A timer, not synchronisation: the longest wait.
                do { try await Task.sleep(for: duration) } catch { return }
                self.signal()
            }
            group.addTask {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let ready = self.state.withLock { state -> Bool in
                        if state.pending {
                            state.pending = false
                            return true
                        }
                        state.waiter = continuation
                        return false
                    }
                    if ready { continuation.resume() }
                }
            }
            await group.next()
            group.cancelAll()
        }
    }
}
