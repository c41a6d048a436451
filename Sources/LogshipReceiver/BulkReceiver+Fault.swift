extension BulkReceiver {
    /// A scripted misbehaviour applied to the next bulk request (one fault per request, in the
    /// order enqueued; requests other than `_bulk` take none).
    package enum Fault: Sendable, Equatable, CustomStringConvertible {
        /// Answers the whole request with `status` and stores nothing. 429 sends Elasticsearch's
        /// `es_rejected_execution_exception` body, 503 a `cluster_block_exception`, 413 an empty
        /// body, any other status a generic `exception`.
        case rejectRequest(status: Int)
        /// Processes the request but answers its first `count` items with `status` instead of
        /// applying them: 429 `es_rejected_execution_exception`, 400 `document_parsing_exception`,
        /// 409 `version_conflict_engine_exception`, others `exception`. `errors` is then true.
        case failItems(count: Int, status: Int)
        /// Processes the request but answers its items with `statuses` in order, one per item
        /// from the first: a 2xx applies the item as usual; any other status is answered
        /// instead of applying it (403 `cluster_block_exception`, 404 `index_not_found_exception`,
        /// others as `failItems`). Items past the list are applied as usual.
        case itemStatuses([Int])
        /// Answers 413 with an empty body, storing nothing, when the body as received (compressed
        /// or not) is larger than `bytes`; handles smaller requests as usual. Applies to every
        /// request until the faults are cleared (it stays at the head of the queue).
        case tooLarge(above: Int)
        /// Stores the documents, then closes the connection without answering: the client
        /// does not know they are there, and sends them again.
        case resetAfterStoring
        /// Closes the connection without answering; nothing is stored.
        case closeConnection
        /// Waits `delay` before handling the request normally.
        case delay(Duration)

        package var description: String {
            switch self {
            case .rejectRequest(let status): "reject request with \(status)"
            case .failItems(let count, let status): "fail first \(count) items with \(status)"
            case .itemStatuses(let statuses): "answer items with \(statuses)"
            case .tooLarge(let bytes): "413 above \(bytes) bytes"
            case .resetAfterStoring: "store, then close the connection"
            case .closeConnection: "close connection"
            case .delay(let delay): "delay \(delay)"
            }
        }
    }

    /// What the receiver saw of one bulk request and how it answered.
    package struct RequestRecord: Sendable, Equatable {
        /// One item of the request and its answer.
        package struct Item: Sendable, Equatable {
            /// `create`, `index`, `delete` or `update`.
            package var action: String
            /// The target index; empty when the item had none.
            package var index: String
            /// The document id, generated ones included.
            package var id: String
            /// The item's status in the answer (201, 200, 409, 429…).
            package var status: Int
        }

        /// 1 for the first bulk request received, then counting up; faulted requests included.
        package var sequence: Int
        /// The URL path, for example `/_bulk` or `/logs/_bulk`.
        package var path: String
        /// Whether the body came with `Content-Encoding: gzip`.
        package var gzip: Bool
        /// The body size as received (compressed when gzip).
        package var bodyBytes: Int
        /// The HTTP status answered; 0 when the connection was closed without an answer.
        package var status: Int
        /// The items with their statuses (strict mode only); empty when the whole request failed.
        package var items: [Item]
        /// The number of items answered; 0 when the whole request failed.
        package var itemCount = 0
        /// The fault applied, if any.
        package var fault: Fault?

        /// The statuses of the items, in order.
        package var itemStatuses: [Int] { items.map(\.status) }
    }
}
