import Synchronization

/// Runs a pure step on up to `width` consecutive items at once, each on a task of its own, and
/// finishes them one at a time in the order they were submitted.
///
/// The pipeline uses it for the transforms: they are pure functions of a batch, so two batches
/// can go through them on both cores at once, while what has an order (metrics applied to the
/// store, checkpoints registered, batches handed to the output) happens in `finish`, batch after
/// batch. At most `width` items are unfinished at any time (`submit` waits for room before it
/// starts an item's step), so a slow `finish` (the output's backpressure) still pauses whoever
/// submits. An item is finished as soon as its step and the items before it are done, without
/// waiting for the next submission.
///
/// `drain()` waits until everything submitted is finished. Cancelling a caller that waits in
/// `submit` or `drain` cancels the work still running, so that a `finish` waiting for room in the
/// output gives up waiting (see `ElasticsearchOutput.send(encoded:)`).
package final class OrderedWorkers<Item: Sendable, Result: Sendable>: Sendable {
    private struct State {
        /// The finishing task of every unfinished item, oldest first.
        var unfinished: [(id: UInt64, task: Task<Void, Never>)] = []
        var nextID: UInt64 = 0
    }

    /// Carries a value into and out of a task so that it arrives unshared (a batch's buffers are
    /// then uniquely referenced, and recycling it copies nothing).
    private final class Carrier<Value>: @unchecked Sendable {
        // Written before the reading task starts (or before the task that writes it ends), taken
        // once after.
        private var value: Value?
        init(_ value: consuming Value? = nil) { self.value = value }
        func put(_ value: consuming Value) { self.value = value }
        func take() -> Value? {
            let taken = value
            value = nil
            return taken
        }
    }

    private let width: Int
    private let step: @Sendable (consuming Item) -> Result
    private let finish: @Sendable (consuming Result) async -> Void
    private let state = Mutex(State())

    /// - Parameters:
    ///   - width: how many items may be unfinished at once (at least 1).
    ///   - step: the pure work, run on a task of its own per item.
    ///   - finish: run on each result in submission order, one at a time.
    package init(
        width: Int,
        step: @escaping @Sendable (consuming Item) -> Result,
        finish: @escaping @Sendable (consuming Result) async -> Void
    ) {
        self.width = max(1, width)
        self.step = step
        self.finish = finish
    }

    /// Waits until fewer than `width` items are unfinished, then starts `item`'s step and queues
    /// its finish after the items before it.
    package func submit(_ item: consuming Item) async {
        let oldest = state.withLock { state -> Task<Void, Never>? in
            let excess = state.unfinished.count - width + 1
            return excess > 0 ? state.unfinished[excess - 1].task : nil
        }
        await waitCancellingOnCancel(oldest)
        let input = Carrier<Item>(item)
        let output = Carrier<Result>()
        let worker = Task { [step] in
            if let item = input.take() { output.put(step(consume item)) }
        }
        state.withLock { state in
            let previous = state.unfinished.last?.task
            let id = state.nextID
            state.nextID += 1
            let finisher = Task { [finish, weak self] in
                await worker.value
                await previous?.value
                if let result = output.take() { await finish(consume result) }
                self?.finished(id)
            }
            state.unfinished.append((id, finisher))
        }
    }

    /// Waits until every item submitted is finished.
    package func drain() async {
        await waitCancellingOnCancel(state.withLock { $0.unfinished.last?.task })
    }

    private func finished(_ id: UInt64) {
        state.withLock { state in
            if let index = state.unfinished.firstIndex(where: { $0.id == id }) { state.unfinished.remove(at: index) }
        }
    }

    private func waitCancellingOnCancel(_ task: Task<Void, Never>?) async {
        guard let task else { return }
        await withTaskCancellationHandler {
            await task.value
        } onCancel: {
            for entry in state.withLock({ $0.unfinished }) { entry.task.cancel() }
        }
    }
}
