import Dispatch
import Foundation
import LogshipRuntime
import Synchronization
import Testing

/// `OrderedWorkers`: steps at once, finishes in submission order, backpressure on `submit`.
struct OrderedWorkersTests {
    /// What happened, in order, across tasks.
    final class Log: Sendable {
        private let entries = Mutex<[String]>([])
        func add(_ entry: String) { entries.withLock { $0.append(entry) } }
        var all: [String] { entries.withLock { $0 } }
    }

    // Item 1's step blocks a thread of the cooperative pool until item 2's step has run on
    // another: that needs two.
    @Test(.enabled(if: ProcessInfo.processInfo.activeProcessorCount >= 2, "needs two pool threads"))
    func aLaterItemDoneFirstIsFinishedAfterTheEarlierOne() async {
        let log = Log()
        // Item 1's step blocks until the test opens the gate; item 2's step is done at once
        // and says so on the stream.
        let gate = DispatchSemaphore(value: 0)
        let (computed, computedContinuation) = AsyncStream<Int>.makeStream()
        let workers = OrderedWorkers<Int, Int>(
            width: 2,
            step: { item in
                if item == 1 { _ = gate.wait(timeout: .now() + 30) }
                computedContinuation.yield(item)
                return item * 10
            },
            finish: { result in log.add("finished \(result)") }
        )
        await workers.submit(1)
        await workers.submit(2)
        var iterator = computed.makeAsyncIterator()
        #expect(await iterator.next() == 2)
        #expect(log.all.isEmpty)  // 2 is done but waits for 1
        gate.signal()
        await workers.drain()
        #expect(log.all == ["finished 10", "finished 20"])
    }

    @Test func anItemIsFinishedWithoutWaitingForTheNextSubmission() async {
        let (finished, continuation) = AsyncStream<Int>.makeStream()
        let workers = OrderedWorkers<Int, Int>(
            width: 4,
            step: { $0 + 1 },
            finish: { continuation.yield($0) }
        )
        await workers.submit(41)
        var iterator = finished.makeAsyncIterator()
        #expect(await iterator.next() == 42)
    }

    @Test func submitWaitsWhileWidthItemsAreUnfinished() async {
        let log = Log()
        let workers = OrderedWorkers<Int, Int>(
            width: 1,
            step: { item in
                log.add("step \(item)")
                return item
            },
            finish: { result in
                // A slow finish: a submit that did not wait would log its return first.
                for _ in 0..<100 { await Task.yield() }
                log.add("finished \(result)")
            }
        )
        for item in 1...3 {
            log.add("submitting \(item)")
            await workers.submit(item)
        }
        await workers.drain()
        let entries = log.all
        #expect(entries.filter { $0.hasPrefix("finished") } == ["finished 1", "finished 2", "finished 3"])
        for item in 1...2 {
            // With width 1 an item's step starts only once the item before it is finished: the
            // finish of `item` comes before anything `item + 1` does, which its step would log.
            let finished = entries.firstIndex(of: "finished \(item)")
            let nextStepped = entries.firstIndex(of: "step \(item + 1)")
            #expect(finished != nil && nextStepped != nil && finished! < nextStepped!)
        }
    }

    @Test func drainWithNothingSubmittedReturns() async {
        let workers = OrderedWorkers<Int, Int>(width: 2, step: { $0 }, finish: { _ in })
        await workers.drain()
    }
}
