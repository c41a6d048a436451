package import LogshipCore

/// Where one document sits in a batch's NDJSON body: its action line and its source line.
package struct BulkDocument: Sendable, Equatable {
    /// The byte range of both lines, from the action line's `{` through the source line's `\n`.
    package var range: Range<Int>
    /// Offset of the source line's first byte (the document JSON) within the batch body.
    package var sourceStart: Int
    /// The index the document is written to.
    package var index: String
    /// Where the event came from; `nil` for events not read from a file (no `_id` is sent).
    package var source: EventSource?

    package init(range: Range<Int>, sourceStart: Int, index: String, source: EventSource?) {
        self.range = range
        self.sourceStart = sourceStart
        self.index = index
        self.source = source
    }

    /// The document id sent as `_id`, if any.
    package var id: String? { source?.documentID }

    /// The same layout moved by `offset` bytes.
    func shifted(by offset: Int) -> BulkDocument {
        BulkDocument(
            range: (range.lowerBound + offset)..<(range.upperBound + offset),
            sourceStart: sourceStart + offset,
            index: index,
            source: source
        )
    }
}
