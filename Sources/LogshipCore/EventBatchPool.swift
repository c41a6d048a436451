import Synchronization

/// Emptied batches kept for the input to fill again, so that their buffers are not given back to
/// the kernel and faulted in again for every batch.
///
/// The input takes a batch to fill (`take()`); whoever consumes it last hands it back
/// (`recycle(_:)`). A batch whose storage is still shared when it is recycled (an output kept a
/// copy) is emptied into fresh storage by copy-on-write, which is correct and only slower.
/// Memory: at most `capacity` idle batches, none with more than `maximumBytes` of text capacity.
package final class EventBatchPool: Sendable {
    private let idle = Mutex<[EventBatch]>([])
    /// The most idle batches kept.
    package let capacity: Int
    /// Batches whose text buffer has grown past this (one huge event) are not kept.
    package let maximumBytes: Int

    package init(capacity: Int = 2, maximumBytes: Int = 8 << 20) {
        self.capacity = capacity
        self.maximumBytes = maximumBytes
    }

    /// An empty batch: a recycled one when there is one.
    package func take() -> EventBatch? {
        idle.withLock { $0.popLast() }
    }

    /// Empties `batch` and keeps it for `take()` when there is room. Pass the last copy with
    /// `consume`: a copy still alive elsewhere makes the emptying allocate new storage.
    package func recycle(_ batch: consuming EventBatch) {
        var batch = batch
        guard batch.bytes.capacity <= maximumBytes else { return }
        batch.removeAll()
        idle.withLock { idle in
            if idle.count < capacity { idle.append(batch) }
        }
    }

    /// Number of idle batches.
    package var idleCount: Int { idle.withLock { $0.count } }
}
