package import LogshipCore

/// Collects encoded events into batches: a pure state machine driven with an injected time.
///
/// A batch closes when it holds `maximumEvents` documents, when its body reaches `maximumBytes`
/// (uncompressed), or when its first document is `maximumAge` old (`onTimer(now:)`). A document
/// that would push a non-empty batch past `maximumBytes` starts the next batch instead, so a batch
/// exceeds `maximumBytes` only when it is a single document larger than that on its own.
package struct Batcher: Sendable {
    /// Documents per batch, at least 1.
    package let maximumEvents: Int
    /// Uncompressed body bytes per batch, at least 1.
    package let maximumBytes: Int
    /// How long the first document of a batch may wait for more.
    package let maximumAge: Duration

    private var encoder: BulkEncoder
    private var open: Batch
    private var openedAt: ContinuousClock.Instant?
    /// Capacity to reserve for the next batch: the size of the last closed one.
    private var expectedBytes: Int
    /// Delivered batches, emptied, to fill again.
    private let bodies: RecyclingPool<Batch>?

    package init(
        maximumEvents: Int,
        maximumBytes: Int,
        maximumAge: Duration,
        encoder: BulkEncoder,
        bodies: RecyclingPool<Batch>? = nil
    ) {
        self.maximumEvents = max(1, maximumEvents)
        self.maximumBytes = max(1, maximumBytes)
        self.maximumAge = maximumAge
        self.encoder = encoder
        self.bodies = bodies
        self.expectedBytes = min(self.maximumBytes, 64 * 1024)
        self.open = Batch(reservingCapacity: expectedBytes)
    }

    /// When the open batch reaches `maximumAge`; `nil` while it is empty.
    package var deadline: ContinuousClock.Instant? { openedAt.map { $0 + maximumAge } }

    /// Number of documents in the open batch.
    package var openCount: Int { open.count }

    /// Body bytes of the open batch.
    package var openBytes: Int { open.bytes.count }

    /// Encodes `events` (the tree form, for tests) into the open batch and returns the batches
    /// that closed, oldest first.
    package mutating func append(_ events: [Event], now: ContinuousClock.Instant) -> [Batch] {
        append(EventBatch(events), now: now)
    }

    /// Encodes the events of `events` into the open batch and returns the batches that closed,
    /// oldest first.
    package mutating func append(_ events: EventBatch, now: ContinuousClock.Instant) -> [Batch] {
        append(encoded: Batch(encoding: events, encoder: &encoder), now: now)
    }

    /// Adds the documents of `encoded` (from `Batch(encoding:encoder:)`) to the open batch and
    /// returns the batches that closed, oldest first. Runs of documents that fit are copied in
    /// one piece.
    package mutating func append(encoded: Batch, now: ContinuousClock.Instant) -> [Batch] {
        var closed: [Batch] = []
        var next = 0
        while next < encoded.count {
            if openedAt == nil { openedAt = now }
            // As many documents as fit by count and by bytes; at least one into an empty batch.
            var end = next
            var size = open.bytes.count
            while end < encoded.count && open.count + (end - next) < maximumEvents {
                let documentSize = encoded.documents[end].range.count
                if size + documentSize > maximumBytes && (open.count > 0 || end > next) { break }
                size += documentSize
                end += 1
            }
            open.append(documents: next..<end, of: encoded)
            next = end
            if open.count >= maximumEvents || open.bytes.count >= maximumBytes || next < encoded.count {
                closed.append(close())
            }
        }
        return closed
    }

    /// Closes the open batch if it has reached `maximumAge` by `now`.
    package mutating func onTimer(now: ContinuousClock.Instant) -> Batch? {
        guard let deadline, deadline <= now else { return nil }
        return close()
    }

    /// Closes the open batch regardless of its age; `nil` when it is empty.
    package mutating func flush() -> Batch? {
        open.isEmpty ? nil : close()
    }

    /// Closes the open batch and opens an empty one.
    private mutating func close() -> Batch {
        let batch = open
        expectedBytes = min(maximumBytes, max(batch.bytes.count, 4096))
        open = emptyBatch()
        openedAt = nil
        return batch
    }

    /// A recycled batch when there is one, with room for `expectedBytes`.
    private func emptyBatch() -> Batch {
        var batch = bodies?.take() ?? Batch()
        batch.reserve(expectedBytes)
        return batch
    }
}
