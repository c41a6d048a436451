import Foundation
import LogshipCore
import LogshipTail
import Synchronization
import Testing

/// A `FileInputDelegate` that records everything, for tests.
final class EventCollector: FileInputDelegate {
    struct Record: Sendable {
        var events: [Event] = []
        var opened: [(key: FileKey, path: String, offset: Int64)] = []
        var truncated: [(key: FileKey, path: String)] = []
        /// The generation of each `opened` and `truncated`, in call order.
        var generations: [UInt32] = []
        var closed: [(key: FileKey, path: String)] = []
        var batchSizes: [Int] = []
        var cuts: [FileCut] = []
    }

    private struct State {
        var record = Record()
        /// `waitUntil` calls waiting for the next change.
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    var snapshot: Record { state.withLock { $0.record } }
    var messages: [String] { snapshot.events.compactMap(\.message) }

    func fileInputOpened(_ key: FileKey, path: String, at offset: Int64, generation: UInt32) async {
        update { $0.generations.append(generation) }
        update { $0.opened.append((key, path, offset)) }
    }

    func fileInputTruncated(_ key: FileKey, path: String, generation: UInt32) async {
        update { $0.generations.append(generation) }
        update { $0.truncated.append((key, path)) }
    }

    func fileInputCut(_ key: FileKey, at cut: FileCut, generation: UInt32) async {
        update { $0.cuts.append(cut) }
    }

    func fileInputClosed(_ key: FileKey, path: String) async {
        update { $0.closed.append((key, path)) }
    }

    func fileInputEmit(_ batch: consuming EventBatch) async {
        let events = batch.events
        update {
            $0.events += events
            $0.batchSizes.append(events.count)
        }
    }

    /// Applies `change` and wakes every `waitUntil` to check its condition again.
    private func update(_ change: (inout Record) -> Void) {
        let waiters = state.withLock { state in
            change(&state.record)
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Waits until `condition` holds, checking it after every call the input makes; records an
    /// issue when it still does not hold after `timeout` (a safety net for a broken input, not the
    /// way the test synchronises; generous, because the whole suite shares two cores and its
    /// cooperative threads can be starved for more than 30 s). Conditions on the input's
    /// statistics hold by the time of the call that follows the step that changed them.
    func waitUntil(
        timeout: Duration = .seconds(120),
        sourceLocation: SourceLocation = #_sourceLocation,
        _ condition: (Record) -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        let alarm = Task {
            try? await Task.sleep(until: deadline)
            self.update { _ in }
        }
        defer { alarm.cancel() }
        while true {
            // Checked and registered under one lock: no change slips in between.
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                state.withLock { state in
                    if condition(state.record) {
                        continuation.resume()
                    } else {
                        state.waiters.append(continuation)
                    }
                }
            }
            if condition(snapshot) { return }
            guard ContinuousClock.now < deadline else {
                Issue.record(
                    "condition not met in \(timeout); messages: \(messages.suffix(20))",
                    sourceLocation: sourceLocation
                )
                return
            }
        }
    }
}
