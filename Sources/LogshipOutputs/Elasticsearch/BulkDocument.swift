package import LogshipCore

/// Where one document sits in a batch's NDJSON body: its action line and its source line.
///
/// Plain values only, so that the thousands of them per body are copied and dropped without
/// reference counting; the index name is read from the action line when it is needed
/// (`Batch.indexName(at:)`), which a `String` here cost on every document.
package struct BulkDocument: Sendable, Equatable {
    /// The byte range of both lines, from the action line's `{` through the source line's `\n`.
    package var range: Range<Int>
    /// Offset of the source line's first byte (the document JSON) within the batch body.
    package var sourceStart: Int
    /// Where the event came from; `nil` for events not read from a file (no `_id` is sent).
    package var source: EventSource?

    package init(range: Range<Int>, sourceStart: Int, source: EventSource?) {
        self.range = range
        self.sourceStart = sourceStart
        self.source = source
    }

    /// The document id sent as `_id`, if any.
    package var id: String? { source?.documentID }

    /// The same layout moved by `offset` bytes.
    func shifted(by offset: Int) -> BulkDocument {
        BulkDocument(
            range: (range.lowerBound + offset)..<(range.upperBound + offset),
            sourceStart: sourceStart + offset,
            source: source
        )
    }
}
