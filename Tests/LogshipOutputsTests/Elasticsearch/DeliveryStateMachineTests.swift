import LogshipOutputs
import Testing

/// Every transition of the output's delivery, driven with made-up instants: no sockets, no sleeps.
@Suite struct DeliveryStateMachineTests {
    typealias Machine = DeliveryStateMachine
    /// A fixed origin; every instant is an offset from it.
    static let start = ContinuousClock.now

    static func at(_ seconds: Double) -> ContinuousClock.Instant { start + .milliseconds(Int64(seconds * 1000)) }

    /// Jitter fixed at one half: the delay before retry n is half of min(1 s × 2^(n-1), 8 s).
    static func machine(inFlight: Int = 2, itemRetryLimit: Int? = nil) -> Machine {
        Machine(
            maximumInFlight: inFlight,
            retryPolicy: RetryPolicy(initial: .seconds(1), maximum: .seconds(8), random: { 0.5 }),
            itemRetryLimit: itemRetryLimit,
            shutdownTimeout: .seconds(10)
        )
    }

    static func items(_ statuses: [Int]) -> BulkOutcome {
        let body = statuses.map { status in
            let error = status >= 300 && status != 409 ? #","error":{"type":"e\#(status)","reason":"r"}"# : ""
            return #"{"create":{"_index":"i","status":\#(status)\#(error)}}"#
        }
        return BulkOutcome(
            .response(status: 200, body: Array(#"{"errors":true,"items":[\#(body.joined(separator: ","))]}"#.utf8)),
            documentCount: statuses.count
        )
    }

    @Test func requestSlotsAreFilledOldestBatchFirst() {
        var machine = Self.machine(inFlight: 2)
        let (first, a1) = machine.onBatchClosed(documentCount: 3, now: Self.at(0))
        let (second, a2) = machine.onBatchClosed(documentCount: 2, now: Self.at(0))
        let (third, a3) = machine.onBatchClosed(documentCount: 1, now: Self.at(0))
        #expect(a1.send.map(\.batch) == [first] && a1.send[0].documents == [0, 1, 2] && a1.send[0].isWholeBatch)
        #expect(a2.send.map(\.batch) == [second])
        #expect(a3.send.isEmpty)
        #expect(machine.requestsInFlight == 2 && machine.outstandingBatches == 3)
        let done = machine.onResponse(a1.send[0].id, outcome: Self.items([201, 201, 201]), now: Self.at(1))
        #expect(done.acknowledge == [.init(batch: first, documents: [0, 1, 2], conflicts: 0)])
        #expect(done.released == [first])
        #expect(done.send.map(\.batch) == [third])
        #expect(done.timer == nil)
        #expect(machine.outstandingBatches == 2)
    }

    @Test func aWholeRequestRetryBacksOffWithoutHoldingASlot() {
        var machine = Self.machine(inFlight: 1)
        let (batch, sent) = machine.onBatchClosed(documentCount: 2, now: Self.at(0))
        let failed = machine.onResponse(sent.send[0].id, outcome: .retryAll(reason: "HTTP 503"), now: Self.at(1))
        #expect(
            failed.retried == [
                .init(batch: batch, documents: 2, attempt: 1, reason: "HTTP 503", delay: .milliseconds(500))
            ]
        )
        #expect(failed.timer == Self.at(1.5))
        #expect(failed.send.isEmpty)
        #expect(machine.oldestFailure == Self.at(1))
        // The slot is free while it backs off: the next batch goes at once.
        let (next, other) = machine.onBatchClosed(documentCount: 1, now: Self.at(1.2))
        #expect(other.send.map(\.batch) == [next])
        #expect(machine.onTimer(now: Self.at(1.4)).send.isEmpty)
        _ = machine.onResponse(other.send[0].id, outcome: Self.items([201]), now: Self.at(1.45))
        let again = machine.onTimer(now: Self.at(1.5))
        #expect(again.send.count == 1)
        #expect(again.send[0].documents == [0, 1] && again.send[0].attempt == 1 && again.send[0].isWholeBatch)
        // The second failure waits twice as long (cap 2 s, jitter one half).
        let twice = machine.onResponse(again.send[0].id, outcome: .retryAll(reason: "reset"), now: Self.at(2))
        #expect(twice.timer == Self.at(3))
        #expect(machine.oldestFailure == Self.at(1))
        let third = machine.onTimer(now: Self.at(3))
        let landed = machine.onResponse(third.send[0].id, outcome: Self.items([201, 201]), now: Self.at(3.1))
        #expect(landed.released == [batch])
        #expect(machine.oldestFailure == nil)
    }

    /// The issue's mixed batch: 429 and 403 retried alone, 400 dead-lettered, 409 and 201
    /// acknowledged; the batch is released once the dead letters are written and the retries land.
    @Test func mixedItemsAreSortedAndTheBatchWaitsForAll() {
        var machine = Self.machine()
        let (batch, sent) = machine.onBatchClosed(documentCount: 5, now: Self.at(0))
        let answer = machine.onResponse(
            sent.send[0].id,
            outcome: Self.items([429, 400, 403, 409, 201]),
            now: Self.at(1)
        )
        #expect(answer.acknowledge == [.init(batch: batch, documents: [3, 4], conflicts: 1)])
        #expect(answer.deadLetter.map(\.documents) == [[1]])
        #expect(answer.deadLetter.first?.errors.map(\.type) == ["e400"])
        #expect(answer.retried.map(\.documents) == [2])
        #expect(answer.released.isEmpty)
        let written = machine.onDeadLettered(batch, documents: [1], written: true, now: Self.at(1.1))
        #expect(written.released.isEmpty)
        let retry = machine.onTimer(now: Self.at(1.5))
        #expect(retry.send.map(\.documents) == [[0, 2]])
        #expect(retry.send.first?.isWholeBatch == false)
        let landed = machine.onResponse(retry.send[0].id, outcome: Self.items([201, 201]), now: Self.at(1.6))
        #expect(landed.acknowledge == [.init(batch: batch, documents: [0, 2], conflicts: 0)])
        #expect(landed.released == [batch])
    }

    @Test func aFailedDeadLetterWriteIsWrittenAgainLater() {
        var machine = Self.machine()
        let (batch, sent) = machine.onBatchClosed(documentCount: 1, now: Self.at(0))
        let answer = machine.onResponse(sent.send[0].id, outcome: Self.items([400]), now: Self.at(1))
        #expect(answer.deadLetter.map(\.documents) == [[0]])
        let failed = machine.onDeadLettered(batch, documents: [0], written: false, now: Self.at(1))
        #expect(failed.retried.map(\.reason) == ["dead-letter write failed"])
        #expect(failed.timer == Self.at(1.5))
        let again = machine.onTimer(now: Self.at(1.5))
        #expect(again.send.isEmpty)
        #expect(again.deadLetter.map(\.documents) == [[0]])
        #expect(machine.onDeadLettered(batch, documents: [0], written: true, now: Self.at(2)).released == [batch])
    }

    @Test func tooLargeSplitsInHalvesAndDeadLettersASingleDocument() {
        var machine = Self.machine(inFlight: 4)
        let (batch, sent) = machine.onBatchClosed(documentCount: 3, now: Self.at(0))
        let tooLarge = BulkError(status: 413, type: "request_entity_too_large", reason: "")
        let split = machine.onResponse(sent.send[0].id, outcome: .split(tooLarge), now: Self.at(1))
        #expect(split.send.map(\.documents) == [[0], [1, 2]])
        #expect(split.retried.isEmpty && split.timer == nil)
        let halves = split.send
        let again = machine.onResponse(halves[1].id, outcome: .split(tooLarge), now: Self.at(1.1))
        #expect(again.send.map(\.documents) == [[1], [2]])
        let single = machine.onResponse(again.send[0].id, outcome: .deadLetterAll(tooLarge), now: Self.at(1.2))
        #expect(single.deadLetter == [.init(batch: batch, documents: [1], errors: [tooLarge])])
        _ = machine.onDeadLettered(batch, documents: [1], written: true, now: Self.at(1.3))
        _ = machine.onResponse(halves[0].id, outcome: Self.items([201]), now: Self.at(1.4))
        #expect(machine.onResponse(again.send[1].id, outcome: Self.items([201]), now: Self.at(1.5)).released == [batch])
    }

    @Test func theItemRetryLimitDeadLettersWithTheLastError() {
        var machine = Self.machine(itemRetryLimit: 1)
        let (batch, sent) = machine.onBatchClosed(documentCount: 2, now: Self.at(0))
        let first = machine.onResponse(sent.send[0].id, outcome: Self.items([201, 429]), now: Self.at(1))
        #expect(first.retried.map(\.attempt) == [1])
        let retry = machine.onTimer(now: Self.at(1.5))
        let second = machine.onResponse(retry.send[0].id, outcome: Self.items([503]), now: Self.at(2))
        #expect(second.retried.isEmpty)
        #expect(
            second.deadLetter == [
                .init(batch: batch, documents: [1], errors: [BulkError(status: 503, type: "e503", reason: "r")])
            ]
        )
        #expect(machine.onDeadLettered(batch, documents: [1], written: true, now: Self.at(2)).released == [batch])
    }

    @Test func unlimitedItemRetriesByDefault() {
        var machine = Self.machine()
        let (_, sent) = machine.onBatchClosed(documentCount: 1, now: Self.at(0))
        var request = sent.send[0]
        var now = 0.0
        for attempt in 1...12 {
            let answer = machine.onResponse(request.id, outcome: Self.items([429]), now: Self.at(now))
            #expect(answer.deadLetter.isEmpty)
            #expect(answer.retried.map(\.attempt) == [attempt])
            now += 10
            request = machine.onTimer(now: Self.at(now)).send[0]
        }
        #expect(request.attempt == 12)
    }

    @Test func shutdownWithNothingOutstandingFinishesAtOnce() {
        var machine = Self.machine()
        let actions = machine.onShutdown(now: Self.at(0))
        #expect(actions.finished && !actions.cancelInFlight)
        #expect(machine.phase == .finished)
        #expect(machine.onBatchClosed(documentCount: 1, now: Self.at(1)).1.send.isEmpty)
    }

    @Test func shutdownWaitsForOutstandingBatches() {
        var machine = Self.machine()
        let (batch, sent) = machine.onBatchClosed(documentCount: 1, now: Self.at(0))
        let draining = machine.onShutdown(now: Self.at(1))
        #expect(!draining.finished && draining.timer == Self.at(11))
        let failed = machine.onResponse(sent.send[0].id, outcome: .retryAll(reason: "503"), now: Self.at(2))
        #expect(failed.timer == Self.at(2.5))
        let retry = machine.onTimer(now: Self.at(2.5))
        #expect(retry.timer == Self.at(11))
        let done = machine.onResponse(retry.send[0].id, outcome: Self.items([201]), now: Self.at(3))
        #expect(done.released == [batch] && done.finished && !done.cancelInFlight)
    }

    @Test func shutdownDeadlineCancelsWhatIsInFlight() {
        var machine = Self.machine()
        let (_, sent) = machine.onBatchClosed(documentCount: 1, now: Self.at(0))
        _ = machine.onShutdown(now: Self.at(0))
        #expect(machine.onTimer(now: Self.at(9.9)).finished == false)
        let deadline = machine.onTimer(now: Self.at(10))
        #expect(deadline.finished && deadline.cancelInFlight)
        // A late answer changes nothing: the events are re-read after a restart.
        let late = machine.onResponse(sent.send[0].id, outcome: Self.items([201]), now: Self.at(11))
        #expect(late == Machine.Actions())
    }

    @Test func cancellationStopsEverything() {
        var machine = Self.machine()
        _ = machine.onBatchClosed(documentCount: 1, now: Self.at(0))
        let actions = machine.onCancel()
        #expect(actions.finished && actions.cancelInFlight)
        #expect(machine.onCancel() == Machine.Actions())
    }

    @Test func unknownRequestsAndEmptyBatches() {
        var machine = Self.machine()
        #expect(machine.onResponse(.init(99), outcome: Self.items([201]), now: Self.at(0)) == Machine.Actions())
        let (batch, actions) = machine.onBatchClosed(documentCount: 0, now: Self.at(0))
        #expect(actions.released == [batch] && actions.send.isEmpty)
        #expect(machine.onDeadLettered(batch, documents: [0], written: true, now: Self.at(0)) == Machine.Actions())
    }
}
