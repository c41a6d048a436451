import Testing

@testable import LogshipRuntime

/// `WakeSignal`: a signal before or during a wait ends it; signals are coalesced; cancellation
/// ends it too.
@Suite(.timeLimit(.minutes(1)))
struct WakeSignalTests {
    @Test func aSignalBeforeTheWaitEndsItAtOnce() async {
        let signal = WakeSignal()
        signal.signal()
        signal.signal()
        // An hour-long wait that returns: the signal was kept (once: coalesced).
        await signal.wait(upTo: .seconds(3600))
    }

    @Test func aSignalDuringTheWaitEndsIt() async {
        let signal = WakeSignal()
        async let waited: Void = signal.wait(upTo: .seconds(3600))
        signal.signal()
        await waited
    }

    @Test func cancellationEndsTheWait() async {
        let signal = WakeSignal()
        let task = Task { await signal.wait(upTo: .seconds(3600)) }
        task.cancel()
        await task.value
    }
}
