/// Why Elasticsearch rejected a document or a request.
package struct BulkError: Sendable, Equatable, CustomStringConvertible {
    /// The HTTP status of the item or the request.
    package var status: Int
    /// Elasticsearch's error type, e.g. `mapper_parsing_exception`; `unknown` when not given.
    package var type: String
    /// The human-readable reason; may be empty.
    package var reason: String

    package init(status: Int, type: String, reason: String) {
        self.status = status
        self.type = type
        self.reason = reason
    }

    package var description: String { "\(status) \(type): \(reason)" }
}
