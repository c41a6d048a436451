/// How a bulk request ended, for `ElasticsearchOutputStatistics.bulkRequests` (a bounded label set).
package enum BulkRequestOutcome: String, Sendable, Hashable, CaseIterable {
    /// 2xx with every item taken (2xx or 409).
    case success
    /// 2xx with some items to retry or dead-letter.
    case partial
    /// 413: the batch was split.
    case tooLarge = "too_large"
    /// Other 4xx for the whole request (split, dead-lettered, or retried for 401/403/404/407).
    case rejected
    /// 429 or 408.
    case throttled
    /// 5xx.
    case serverError = "server_error"
    /// No response: connection error, timeout.
    case transportError = "transport_error"
    /// A 2xx body that did not parse or did not match the documents sent, or an unexpected status.
    case invalidResponse = "invalid_response"
}
