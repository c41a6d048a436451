package import LogshipCore
package import LogshipOutputs
import Synchronization

/// Hands transformed batches to the Elasticsearch output on a task of their own, one at a time
/// and in order, so that the output encodes a batch into its bulk body while the transforms work
/// on the next one: two cores instead of one for the two heaviest stages.
///
/// `send` returns once the batch before this one has been accepted by the output: at most one
/// batch waits here, and the output's backpressure still reaches the input. `drain()` waits
/// until everything handed over has been accepted (the input calls it before it returns, so
/// that the output's shutdown flush finds every batch). Cancelling a caller cancels the sends
/// still waiting, which the output then accepts without waiting for room (see its `send`).
package final class OutputHandoff: Sendable {
    private struct State {
        var last: Task<Void, Never>?
        var running: [UInt64: Task<Void, Never>] = [:]
        var nextID: UInt64 = 0
    }

    /// Carries a batch into the sending task so that it arrives there unshared.
    private final class Carrier: @unchecked Sendable {
        // Written once before the task starts, taken once by it.
        private var batch: EventBatch?
        init(_ batch: consuming EventBatch) { self.batch = batch }
        func take() -> EventBatch? {
            let taken = batch
            batch = nil
            return taken
        }
    }

    private let output: ElasticsearchOutput
    private let batches: RecyclingPool<EventBatch>?
    private let state = Mutex(State())

    package init(output: ElasticsearchOutput, batches: RecyclingPool<EventBatch>?) {
        self.output = output
        self.batches = batches
    }

    /// Queues `batch` for the output after the batches before it; returns once the one before
    /// it has been accepted.
    package func send(_ batch: consuming EventBatch) async {
        let carrier = Carrier(batch)
        let previous = state.withLock { state -> Task<Void, Never>? in
            let previous = state.last
            let id = state.nextID
            state.nextID += 1
            let task = Task { [output, batches, weak self] in
                await previous?.value
                if var batch = carrier.take() {
                    await output.send(batch)
                    batches?.recycle(consume batch)
                }
                self?.finished(id)
            }
            state.last = task
            state.running[id] = task
            return previous
        }
        await waitCancellingOnCancel(previous)
    }

    /// Waits until every batch handed over has been accepted by the output.
    package func drain() async {
        await waitCancellingOnCancel(state.withLock { $0.last })
    }

    private func finished(_ id: UInt64) {
        state.withLock { _ = $0.running.removeValue(forKey: id) }
    }

    private func waitCancellingOnCancel(_ task: Task<Void, Never>?) async {
        guard let task else { return }
        await withTaskCancellationHandler {
            await task.value
        } onCancel: {
            for running in state.withLock({ Array($0.running.values) }) { running.cancel() }
        }
    }
}
