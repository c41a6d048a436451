package import LogshipCore

/// A snapshot of the Elasticsearch output's counters (totals since start) and gauges.
package struct ElasticsearchOutputStatistics: Sendable, Equatable {
    /// Seconds from sending a bulk request to its whole answer (or its failure).
    package var requestSeconds = ObservedHistogram(bounds: [
        0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
    ])
    /// Documents per bulk request, retries and halves of split batches included.
    package var requestDocuments = ObservedHistogram(bounds: [1, 10, 50, 100, 250, 500, 1000, 2500, 5000, 10000])
    /// Documents dead-lettered by Elasticsearch's error type (`mapper_parsing_exception`, ...);
    /// at most `maximumReasons` types, later ones counted as `other`.
    package var deadLetteredByReason: [String: Int] = [:]
    /// The most error types `deadLetteredByReason` keeps apart.
    package static let maximumReasons = 20
    /// Events passed to `send`.
    package var eventsReceived = 0
    /// Documents Elasticsearch took (2xx or 409).
    package var documentsAcknowledged = 0
    /// The 409s among `documentsAcknowledged`: already there from an earlier attempt.
    package var documentsConflicted = 0
    /// Documents written to the dead-letter file (or dropped when it is not configured).
    package var documentsDeadLettered = 0
    /// Dead-letter records deleted with the oldest rotated file (beyond `max_dead_letter_files`).
    package var deadLetterRecordsDropped = 0
    /// Documents sent to `fallback_index` because their index name could not be made.
    package var documentsToFallbackIndex = 0
    /// Documents written to the disk buffer (and acknowledged to the input then).
    package var documentsSpooled = 0
    /// Bytes in the disk buffer.
    package var diskBufferBytes = 0
    /// Documents in the disk buffer, not yet taken by Elasticsearch.
    package var diskBufferDocuments = 0
    /// Disk buffer segments that could not be read back (their events are lost; logged).
    package var diskBufferSegmentsLost = 0
    /// Documents sent again, counted once per retry.
    package var documentsRetried = 0
    /// Bulk requests by how they ended.
    package var bulkRequests: [BulkRequestOutcome: Int] = [:]
    /// Uncompressed NDJSON bytes sent, retries included.
    package var bytesUncompressed = 0
    /// Bytes on the wire (equal to uncompressed bytes when compression is off).
    package var bytesCompressed = 0
    /// Bulk requests currently waiting for a response.
    package var inFlightRequests = 0
    /// Events accepted and not yet acknowledged.
    package var bufferedEvents = 0
    /// Closed batches not yet delivered (waiting for a worker, being compressed, in flight or
    /// retrying); the open batch is not counted.
    package var bufferedBatches = 0
    /// Uncompressed body bytes of those batches.
    package var bufferedBatchBytes = 0
    /// Body bytes of the open batch.
    package var openBatchBytes = 0
    /// Callers of `send` currently suspended by backpressure.
    package var suspendedSenders = 0
    /// The last failure, for logs and health pages; `nil` until one happens and again once a
    /// request goes through.
    package var lastError: String?
    /// Since when the longest-failing documents have been retried; `nil` while none is.
    package var failingSince: ContinuousClock.Instant?
    /// When Elasticsearch last took documents; `nil` before the first time.
    package var lastAcknowledgedAt: ContinuousClock.Instant?
    /// The hosts and their health.
    package var hosts: [HostPool.Host] = []

    package init() {}

    /// Counts `documents` dead-lettered for an error of `type`.
    package mutating func deadLettered(_ documents: Int, type: String) {
        let known = deadLetteredByReason[type] != nil || deadLetteredByReason.count < Self.maximumReasons
        deadLetteredByReason[known ? type : "other", default: 0] += documents
    }
}
