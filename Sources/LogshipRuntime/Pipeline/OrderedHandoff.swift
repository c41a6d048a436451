import Synchronization

/// Runs `work` on the items handed to it, one at a time and in order, on a task of its own:
/// a stage of the pipeline that works on one batch while the stage before it works on the
/// next, so that both cores are busy (the later transforms while the first ones run, the bulk
/// encoder while the transforms run).
///
/// `send` returns once the item before this one has been through `work`: at most one item
/// waits here, so backpressure from later stages still reaches the input. `drain()` waits
/// until everything handed over has been through `work` (the input calls it before it returns,
/// so that the output's shutdown flush finds every batch). Cancelling a caller cancels the work
/// still running or waiting, which then ends without waiting for room (see the output's `send`).
package final class OrderedHandoff<Item: Sendable>: Sendable {
    private struct State {
        var last: Task<Void, Never>?
        var running: [UInt64: Task<Void, Never>] = [:]
        var nextID: UInt64 = 0
    }

    /// Carries an item into its task so that it arrives there unshared (a batch is then
    /// transformed in place and recycled, not copied).
    private final class Carrier: @unchecked Sendable {
        // Written once before the task starts, taken once by it.
        private var item: Item?
        init(_ item: consuming Item) { self.item = item }
        func take() -> Item? {
            let taken = item
            item = nil
            return taken
        }
    }

    private let work: @Sendable (consuming Item) async -> Void
    private let state = Mutex(State())

    package init(work: @escaping @Sendable (consuming Item) async -> Void) {
        self.work = work
    }

    /// Queues `item` after the items before it; returns once the one before it is done.
    package func send(_ item: consuming Item) async {
        let carrier = Carrier(item)
        let previous = state.withLock { state -> Task<Void, Never>? in
            let previous = state.last
            let id = state.nextID
            state.nextID += 1
            let task = Task { [work, weak self] in
                await previous?.value
                if let item = carrier.take() { await work(item) }
                self?.finished(id)
            }
            state.last = task
            state.running[id] = task
            return previous
        }
        await waitCancellingOnCancel(previous)
    }

    /// Waits until every item handed over has been through `work`.
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
