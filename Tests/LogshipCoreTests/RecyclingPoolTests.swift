import Foundation
import LogshipCore
import Testing

struct RecyclingPoolTests {
    private func filled(bytes: Int) -> EventBatch {
        var batch = EventBatch()
        let text = batch.append(text: String(repeating: "x", count: bytes))
        let event = batch.appendEvent(timestamp: Date(timeIntervalSince1970: 0), text: text)
        batch.appendField(batch.key("message"), .text(text), toEvent: event)
        return batch
    }

    @Test func givesBackEmptiedBatchesWithTheirCapacity() {
        let pool = RecyclingPool<EventBatch>()
        #expect(pool.take() == nil)
        let batch = filled(bytes: 10_000)
        let capacity = batch.bytes.capacity
        // Handed over, not shared: the pool empties the same storage.
        pool.recycle(consume batch)
        let again = try? #require(pool.take())
        #expect(again?.isEmpty == true)
        #expect(again?.bytes.isEmpty == true)
        #expect(again?.fields.isEmpty == true)
        #expect(again?.bytes.capacity == capacity)
        #expect(pool.take() == nil)
    }

    @Test func aRecycledBatchStartsOverWithItsKeys() {
        let pool = RecyclingPool<EventBatch>()
        pool.recycle(filled(bytes: 10))
        var batch = try? #require(pool.take())
        // `key` must not answer with a range of the old bytes.
        let key = batch?.key("level")
        #expect(key == 0..<5)
        #expect(batch.map { String(decoding: $0.bytes, as: UTF8.self) } == "level")
    }

    @Test func keepsAtMostItsCapacityAndNoHugeBatch() {
        let pool = RecyclingPool<EventBatch>(capacity: 2, maximumBytes: 1 << 20)
        pool.recycle(filled(bytes: 2 << 20))
        #expect(pool.idleCount == 0)
        for _ in 0..<3 { pool.recycle(filled(bytes: 100)) }
        #expect(pool.idleCount == 2)
    }

    @Test func aBatchStillSharedIsLeftIntactForItsOtherHolder() {
        let pool = RecyclingPool<EventBatch>()
        let batch = filled(bytes: 100)
        let kept = batch
        pool.recycle(batch)
        #expect(kept.count == 1)
        #expect(kept.bytes.count == 100 + "message".utf8.count)
    }
}
