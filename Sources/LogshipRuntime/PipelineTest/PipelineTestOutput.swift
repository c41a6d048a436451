package import LogshipCore

/// What a case's lines made.
package struct PipelineTestOutput: Sendable {
    /// One per event, in read order.
    package var documents: [ActualDocument]
    /// The derived part of `/metrics`: every family of the pipeline's `log_to_metric` steps.
    package var exposition: String

    package init(documents: [ActualDocument], exposition: String) {
        self.documents = documents
        self.exposition = exposition
    }
}

/// A document the pipeline made: its `_source` with the keys of every object sorted, plus
/// `_index` (which no `_source` may hold) when the pipeline has an Elasticsearch output.
package struct ActualDocument: Sendable {
    package var value: FieldValue
    /// The line of the input where its event starts (1-based).
    package var inputLine: Int

    package init(value: FieldValue, inputLine: Int) {
        self.value = value
        self.inputLine = inputLine
    }
}
