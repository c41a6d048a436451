/// What to do with a batch after a `_bulk` request: the pure decision, taken from the status, the
/// body and the number of documents sent.
///
/// Whole-request status:
/// - 2xx: per item (see `ItemDispositions`); a body that does not parse or whose item count differs
///   from the documents sent is `retryAll` (the same bytes again: `create` with `_id` makes a
///   repeat harmless).
/// - 413: `split` in half; a single document is `deadLetterAll`. Only a 413 splits.
/// - 408, 429, 5xx, failures (refused, reset, timed out, TLS): `retryAll` with backoff.
/// - every other status, 4xx included (401, 403 and 407 say the credentials are wrong; 400, 404,
///   405 or 415 on the whole request come from a proxy or a wrong URL, not from the documents):
///   `retryAll` as well. Dead-lettering everything over a wrong password or a misrouted request
///   would be worse than waiting, which shows as retries, the last error and `/status`.
package enum BulkOutcome: Sendable, Equatable {
    /// Per-item dispositions of a 2xx response.
    case items(ItemDispositions)
    /// Resend the whole batch after a backoff.
    case retryAll(reason: String)
    /// Resend the batch as two halves (no backoff).
    case split(BulkError)
    /// Write every document of the batch to the dead-letter file.
    case deadLetterAll(BulkError)

    /// Per-item results of a 2xx response, as indices into the batch's documents, each increasing.
    package struct ItemDispositions: Sendable, Equatable {
        /// Taken: 2xx, or 409 (`create` of an existing id: it is already there). Includes `conflicts`.
        package var acknowledged: [Int] = []
        /// The 409s among `acknowledged`.
        package var conflicts: [Int] = []
        /// 429, 5xx, 403 and 404 (and unexpected statuses): resend just these after a backoff,
        /// with the error each got. A 403 item is a security or cluster block, a 404 a missing
        /// index or alias: the cluster's state, not the document, and it can change.
        package var retry: [(index: Int, error: BulkError)] = []
        /// Other 4xx: rejected for good, written to the dead-letter file.
        package var deadLetter: [(index: Int, error: BulkError)] = []

        package init() {}

        package static func == (lhs: ItemDispositions, rhs: ItemDispositions) -> Bool {
            lhs.acknowledged == rhs.acknowledged && lhs.conflicts == rhs.conflicts
                && lhs.retry.map(\.index) == rhs.retry.map(\.index) && lhs.retry.map(\.error) == rhs.retry.map(\.error)
                && lhs.deadLetter.map(\.index) == rhs.deadLetter.map(\.index)
                && lhs.deadLetter.map(\.error) == rhs.deadLetter.map(\.error)
        }
    }

    /// Decides what to do with a batch of `documentCount` documents after `result`.
    package init(_ result: BulkAttemptResult, documentCount: Int) {
        switch result {
        case .failure(let reason):
            self = .retryAll(reason: reason)
        case .response(let status, let body):
            self.init(status: status, body: body, documentCount: documentCount)
        }
    }

    private init(status: Int, body: [UInt8], documentCount: Int) {
        switch status {
        case 200..<300:
            guard let response = BulkResponse.parse(body) else {
                self = .retryAll(
                    reason: "HTTP \(status) with a body that is not a bulk response: \(Self.excerpt(body))"
                )
                return
            }
            guard response.itemCount == documentCount else {
                self = .retryAll(
                    reason: "HTTP \(status) with \(response.itemCount) items for \(documentCount) documents"
                )
                return
            }
            self = .items(Self.classify(response))
        case 413:
            let error =
                BulkResponse.parseRequestError(body, status: status)
                ?? BulkError(status: 413, type: "request_entity_too_large", reason: Self.excerpt(body))
            self = documentCount > 1 ? .split(error) : .deadLetterAll(error)
        case 408, 429, 400..<600:
            let detail = BulkResponse.parseRequestError(body, status: status)?.description ?? Self.excerpt(body)
            self = .retryAll(reason: "HTTP \(status): \(detail)")
        default:
            self = .retryAll(reason: "unexpected HTTP \(status): \(Self.excerpt(body))")
        }
    }

    /// Sorts the items: every position not among the failed items is acknowledged.
    private static func classify(_ response: BulkResponse) -> ItemDispositions {
        var result = ItemDispositions()
        result.acknowledged.reserveCapacity(response.itemCount)
        var next = 0
        for failed in response.failedItems {
            result.acknowledged.append(contentsOf: next..<failed.position)
            next = failed.position + 1
            switch failed.status {
            case 409:
                result.acknowledged.append(failed.position)
                result.conflicts.append(failed.position)
            case 400..<500 where failed.status != 429 && failed.status != 403 && failed.status != 404:
                result.deadLetter.append((failed.position, error(of: failed)))
            default:
                result.retry.append((failed.position, error(of: failed)))
            }
        }
        result.acknowledged.append(contentsOf: next..<response.itemCount)
        return result
    }

    private static func error(of item: BulkResponse.FailedItem) -> BulkError {
        item.error ?? BulkError(status: item.status, type: "unknown", reason: "")
    }

    /// The start of `body` as text, at most 200 bytes, for logs.
    private static func excerpt(_ body: [UInt8]) -> String {
        guard !body.isEmpty else { return "(empty body)" }
        let text = String(decoding: body.prefix(200), as: UTF8.self)
        return body.count > 200 ? text + "…" : text
    }
}
