import LogshipCore
import LogshipOutputs
import Testing

@Suite struct BatcherTests {
    private let start = ContinuousClock.now

    private func makeBatcher(events: Int = 100, bytes: Int = 1 << 20, age: Duration = .seconds(1)) throws -> Batcher {
        Batcher(
            maximumEvents: events,
            maximumBytes: bytes,
            maximumAge: age,
            encoder: BulkEncoder(indexPattern: try IndexPattern(parsing: "logs"))
        )
    }

    @Test func closesOnEventCount() throws {
        var batcher = try makeBatcher(events: 3)
        let closed = batcher.append(makeEvents(7), now: start)
        #expect(closed.map(\.count) == [3, 3])
        #expect(closed[1].documents.map(\.source?.startOffset) == [30, 40, 50])
        #expect(batcher.openCount == 1)
        #expect(batcher.flush()?.count == 1)
        #expect(batcher.flush() == nil)
        #expect(batcher.deadline == nil)
    }

    @Test func closesOnBytesWithoutExceedingThem() throws {
        let one = try makeBatch(makeEvents(1), pattern: "logs").bytes.count
        // Room for two and a half documents: the third starts the next batch.
        var batcher = try makeBatcher(bytes: one * 5 / 2)
        let closed = batcher.append(makeEvents(5), now: start)
        #expect(closed.map(\.count) == [2, 2])
        #expect(closed.allSatisfy { $0.bytes.count <= one * 5 / 2 })
        #expect(closed[1].documents.first?.source?.startOffset == 20)
        #expect(closed[1].documents.first?.range.lowerBound == 0)
        let flushed = batcher.flush()
        let rest = try #require(flushed)
        #expect(rest.text == (try makeBatch(makeEvents(1, from: 4), pattern: "logs")).text)
    }

    @Test func fillsRecycledBodiesWithNothingLeftOver() throws {
        let one = try makeBatch(makeEvents(1), pattern: "logs").bytes.count
        let bodies = RecyclingPool<Batch>()
        var batcher = Batcher(
            maximumEvents: 100,
            maximumBytes: one * 5 / 2,
            maximumAge: .seconds(1),
            encoder: BulkEncoder(indexPattern: try IndexPattern(parsing: "logs")),
            bodies: bodies
        )
        var closed = batcher.append(makeEvents(3), now: start)
        let first = try #require(closed.first)
        closed = []
        let firstCapacity = first.bytes.capacity
        // Delivered: its body goes back, and the next batch to open is filled in it.
        bodies.recycle(consume first)
        #expect(bodies.idleCount == 1)
        let next = batcher.append(makeEvents(4, from: 3), now: start)
        #expect(bodies.idleCount == 0)
        #expect(next.map(\.count) == [2, 2])
        #expect(next[0].text == (try makeBatch(makeEvents(2, from: 2), pattern: "logs")).text)
        #expect(next[1].text == (try makeBatch(makeEvents(2, from: 4), pattern: "logs")).text)
        #expect(next[1].bytes.capacity == firstCapacity)
        #expect(next[1].documents.first?.range.lowerBound == 0)
    }

    @Test func closesAtExactBytes() throws {
        let one = try makeBatch(makeEvents(1), pattern: "logs").bytes.count
        var batcher = try makeBatcher(bytes: one * 2)
        #expect(batcher.append(makeEvents(2), now: start).map(\.count) == [2])
    }

    @Test func oversizedDocumentTravelsAlone() throws {
        var batcher = try makeBatcher(bytes: 10)
        let closed = batcher.append(makeEvents(3), now: start)
        #expect(closed.map(\.count) == [1, 1, 1])
        #expect(batcher.flush() == nil)
    }

    @Test func closesOnAge() throws {
        var batcher = try makeBatcher(age: .milliseconds(500))
        #expect(batcher.deadline == nil)
        #expect(batcher.onTimer(now: start + .seconds(10)) == nil)
        _ = batcher.append(makeEvents(1), now: start)
        _ = batcher.append(makeEvents(1, from: 1), now: start + .milliseconds(300))
        #expect(batcher.deadline == start + .milliseconds(500))
        #expect(batcher.onTimer(now: start + .milliseconds(499)) == nil)
        let closed = batcher.onTimer(now: start + .milliseconds(500))
        let batch = try #require(closed)
        #expect(batch.count == 2)
        #expect(batcher.deadline == nil)
        _ = batcher.append(makeEvents(1, from: 2), now: start + .seconds(2))
        #expect(batcher.deadline == start + .milliseconds(2500))
    }

    @Test func batchAfterByteSplitStartsItsAgeAnew() throws {
        let one = try makeBatch(makeEvents(1), pattern: "logs").bytes.count
        var batcher = try makeBatcher(bytes: one * 3 / 2)
        _ = batcher.append(makeEvents(1), now: start)
        let closed = batcher.append(makeEvents(1, from: 1), now: start + .milliseconds(700))
        #expect(closed.map(\.count) == [1])
        #expect(batcher.deadline == start + .milliseconds(1700))
    }
}
