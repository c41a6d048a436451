import LogshipCore

/// The parts of an Elasticsearch `_bulk` response the output needs: per item, in request order,
/// the HTTP status and the error, if any.
///
/// ```
/// {"took":3,"errors":true,"items":[{"create":{"_index":"i","_id":"1","status":201}},
///  {"create":{"_index":"i","_id":"2","status":409,"error":{"type":"version_conflict_engine_exception",
///  "reason":"[2]: version conflict, document already exists"}}}]}
/// ```
///
/// Each item is an object with one key, the action (`create`, `index`, …). An `error` that is a
/// plain string (old versions) is taken as the reason. Other keys are ignored.
package struct BulkResponse: Sendable, Equatable {
    /// One item's result.
    package struct Item: Sendable, Equatable {
        /// The item's HTTP status.
        package var status: Int
        /// The error, for failed items.
        package var error: BulkError?

        package init(status: Int, error: BulkError? = nil) {
            self.status = status
            self.error = error
        }
    }

    package var errors: Bool
    /// The items, in request order.
    package var items: [Item]

    package init(errors: Bool, items: [Item]) {
        self.errors = errors
        self.items = items
    }

    /// Parses a `_bulk` response body; `nil` when it is not the expected shape (an object with an
    /// `items` array whose entries are `{"<action>": {"status": N, ...}}`).
    ///
    /// Uses Core's hand-written `JSONParser` rather than `JSONDecoder`: decoding every item of
    /// every response through `Codable` took a quarter of logship's CPU time in the benchmark.
    package static func parse(_ body: [UInt8]) -> BulkResponse? {
        guard case .object(let root)? = try? JSONParser.parse(body), case .array(let items)? = root["items"] else {
            return nil
        }
        var parsed: [Item] = []
        parsed.reserveCapacity(items.count)
        for item in items {
            guard case .object(let outer) = item, let action = outer.entries.first,
                case .object(let result) = action.value,
                case .integer(let status)? = result["status"]
            else { return nil }
            parsed.append(
                Item(status: Int(status), error: result["error"].map { ErrorBody($0).error(status: Int(status)) })
            )
        }
        return BulkResponse(errors: root["errors"] == .bool(true), items: parsed)
    }

    /// The `error` of a whole-request failure body (`{"error": {...}, "status": N}`), if any.
    package static func parseRequestError(_ body: [UInt8], status: Int) -> BulkError? {
        guard case .object(let root)? = try? JSONParser.parse(body), let error = root["error"] else { return nil }
        return ErrorBody(error).error(status: status)
    }

    /// An `error` value: an object with `type` and `reason`, or (older versions) plain text.
    private struct ErrorBody {
        var type: String
        var reason: String

        init(_ value: FieldValue) {
            if case .object(let object) = value {
                type = object["type"]?.stringValue ?? "unknown"
                reason = object["reason"]?.stringValue ?? ""
            } else {
                type = "unknown"
                reason = value.stringValue ?? value.jsonText
            }
        }

        func error(status: Int) -> BulkError { BulkError(status: status, type: type, reason: reason) }
    }
}
