package import LogshipCore

/// A closed batch: the NDJSON `_bulk` body (uncompressed) and where each document sits in it.
///
/// Documents are in the order they were appended; a subset or a split keeps that order, so the
/// response's items line up with `documents`.
package struct Batch: Sendable, Equatable {
    /// The NDJSON body: an action line and a source line per document, each ending in `\n`.
    package private(set) var bytes: [UInt8]
    /// The layout of each document within `bytes`.
    package private(set) var documents: [BulkDocument]

    /// An empty batch with room for `capacity` bytes.
    package init(reservingCapacity capacity: Int = 0) {
        self.bytes = []
        self.bytes.reserveCapacity(capacity)
        self.documents = []
    }

    /// A batch over an existing body; `documents` must describe `bytes`.
    package init(bytes: [UInt8], documents: [BulkDocument]) {
        self.bytes = bytes
        self.documents = documents
    }

    /// Number of documents.
    package var count: Int { documents.count }

    /// `true` when the batch has no documents.
    package var isEmpty: Bool { documents.isEmpty }

    /// The sources of all documents that have one, in order.
    package var sources: [EventSource] { documents.compactMap(\.source) }

    /// The source line of document `index` without its `\n`: the document JSON.
    package func documentJSON(at index: Int) -> ArraySlice<UInt8> {
        let document = documents[index]
        return bytes[document.sourceStart..<(document.range.upperBound - 1)]
    }

    /// The index document `index` is written to, as its action line names it
    /// (`{"create":{"_index":"name"…`; index names have no characters JSON escapes).
    package func indexName(at index: Int) -> String {
        let document = documents[index]
        let action = bytes[document.range.lowerBound..<document.sourceStart]
        let marker = Array(#""_index":""#.utf8)
        guard let start = action.firstRange(of: marker)?.upperBound,
            let end = action[start...].firstIndex(of: UInt8(ascii: "\""))
        else { return "" }
        return String(decoding: action[start..<end], as: UTF8.self)
    }

    /// The `_id` the action line of document `index` names, if any (documents replayed from a
    /// dead-letter file have no source to take it from).
    package func actionID(at index: Int) -> String? {
        let document = documents[index]
        let action = bytes[document.range.lowerBound..<document.sourceStart]
        let marker = Array(#""_id":""#.utf8)
        guard let start = action.firstRange(of: marker)?.upperBound,
            let end = action[start...].firstIndex(of: UInt8(ascii: "\""))
        else { return nil }
        return String(decoding: action[start..<end], as: UTF8.self)
    }

    /// The NDJSON text, for tests and logs.
    package var text: String { String(decoding: bytes, as: UTF8.self) }

    /// Every event of `events` encoded, in one body of whatever size: what the pipeline's
    /// workers make on both cores before the `Batcher` cuts it into request bodies.
    package init(encoding events: EventBatch, encoder: inout BulkEncoder) {
        self.init()
        append(encoding: events, encoder: &encoder)
    }

    /// Encodes every event of `events` at the end of the batch.
    package mutating func append(encoding events: EventBatch, encoder: inout BulkEncoder) {
        bytes.reserveCapacity(bytes.count + events.bytes.count * 3)
        documents.reserveCapacity(documents.count + events.count)
        // Events a `filter` dropped are not shipped (the runtime acknowledges them).
        for event in 0..<events.count where !events.isDropped(event) {
            documents.append(encoder.append(events, event: event, to: &bytes))
        }
    }

    /// Copies the documents at `range` of `other` to the end of the batch, in one piece.
    mutating func append(documents range: Range<Int>, of other: Batch) {
        guard !range.isEmpty else { return }
        let start = other.documents[range.lowerBound].range.lowerBound
        let end = other.documents[range.upperBound - 1].range.upperBound
        let shift = bytes.count - start
        other.bytes.withUnsafeBufferPointer { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: $0[start..<end])) }
        for index in range { documents.append(other.documents[index].shifted(by: shift)) }
    }

    /// Reserves room for `capacity` bytes in the body.
    mutating func reserve(_ capacity: Int) {
        bytes.reserveCapacity(capacity)
    }

    /// A new batch of the documents at `indices` (increasing), copied in that order.
    package func subset(_ indices: some Sequence<Int>) -> Batch {
        var result = Batch()
        for index in indices {
            let document = documents[index]
            result.documents.append(document.shifted(by: result.bytes.count - document.range.lowerBound))
            result.bytes.append(contentsOf: bytes[document.range])
        }
        return result
    }

    /// The first and the second half of the documents; when the count is odd the second half has
    /// one more. Splitting a batch of one document gives an empty batch and that document.
    package func split() -> (Batch, Batch) {
        let middle = count / 2
        return (subset(0..<middle), subset(middle..<count))
    }
}

extension Batch: Recyclable {
    package mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        documents.removeAll(keepingCapacity: true)
    }

    package var retainedBytes: Int { bytes.capacity }
}
