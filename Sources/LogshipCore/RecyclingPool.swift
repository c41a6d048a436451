import Synchronization

/// A value with buffers worth keeping: emptied and filled again instead of allocated again.
package protocol Recyclable: Sendable {
    /// Removes the contents and keeps the buffers' capacity.
    mutating func removeAll()
    /// The bytes its largest buffer holds room for: a pool keeps no value above its bound.
    var retainedBytes: Int { get }
}

/// Emptied values (event batches, bulk bodies) kept to be filled again, so that their buffers
/// are not given back to the kernel and faulted in again, page by page, for every batch.
///
/// The producer takes a value to fill (`take()`); whoever consumes it last hands it back
/// (`recycle(_:)`). A value whose storage is still shared when it is recycled (another holder kept
/// a copy) is emptied into fresh storage by copy-on-write, which is correct and only slower.
/// Memory: at most `capacity` idle values, none holding room for more than `maximumBytes`.
package final class RecyclingPool<Value: Recyclable>: Sendable {
    private let idle = Mutex<[Value]>([])
    /// The most idle values kept.
    package let capacity: Int
    /// Values that have grown past this (one huge event) are not kept.
    package let maximumBytes: Int

    package init(capacity: Int = 1, maximumBytes: Int = 8 << 20) {
        self.capacity = capacity
        self.maximumBytes = maximumBytes
    }

    /// An empty value, when one is idle.
    package func take() -> Value? {
        idle.withLock { $0.popLast() }
    }

    /// Empties `value` and keeps it for `take()` when there is room. Pass the last copy with
    /// `consume`: a copy still alive elsewhere makes the emptying allocate new storage.
    package func recycle(_ value: consuming Value) {
        var value = value
        guard value.retainedBytes <= maximumBytes else { return }
        value.removeAll()
        idle.withLock { idle in
            if idle.count < capacity { idle.append(value) }
        }
    }

    /// Number of idle values.
    package var idleCount: Int { idle.withLock { $0.count } }
}

extension EventBatch: Recyclable {
    package var retainedBytes: Int { bytes.capacity }
}
