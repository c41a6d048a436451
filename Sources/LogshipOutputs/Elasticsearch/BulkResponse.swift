import struct Foundation.Data
import class Foundation.JSONDecoder

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
package struct BulkResponse: Sendable, Equatable, Decodable {
    /// One item's result.
    package struct Item: Sendable, Equatable, Decodable {
        /// The item's HTTP status.
        package var status: Int
        /// The error, for failed items.
        package var error: BulkError?

        package init(status: Int, error: BulkError? = nil) {
            self.status = status
            self.error = error
        }

        private struct ActionKey: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        private enum CodingKeys: String, CodingKey {
            case status
            case error
        }

        package init(from decoder: any Decoder) throws {
            let outer = try decoder.container(keyedBy: ActionKey.self)
            guard let action = outer.allKeys.first else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "empty item"))
            }
            let inner = try outer.nestedContainer(keyedBy: CodingKeys.self, forKey: action)
            self.status = try inner.decode(Int.self, forKey: .status)
            self.error = try inner.decodeIfPresent(ErrorBody.self, forKey: .error)?.error(status: status)
        }
    }

    /// `true` when at least one item failed.
    package var errors: Bool
    /// The items, in request order.
    package var items: [Item]

    package init(errors: Bool, items: [Item]) {
        self.errors = errors
        self.items = items
    }

    private enum CodingKeys: String, CodingKey {
        case errors
        case items
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.items = try container.decode([Item].self, forKey: .items)
        self.errors = try container.decodeIfPresent(Bool.self, forKey: .errors) ?? false
    }

    /// Parses a response body; `nil` if it is not a bulk response.
    package static func parse(_ body: [UInt8]) -> BulkResponse? {
        try? JSONDecoder().decode(BulkResponse.self, from: Data(body))
    }

    /// The error of a whole-request failure (`{"error":{"type":…,"reason":…},"status":400}`), or
    /// `nil` if the body is not one.
    package static func parseRequestError(_ body: [UInt8], status: Int) -> BulkError? {
        struct Envelope: Decodable { var error: ErrorBody }
        return (try? JSONDecoder().decode(Envelope.self, from: Data(body)))?.error.error(status: status)
    }

    /// `error` as an object with `type` and `reason`, or as a plain string.
    fileprivate enum ErrorBody: Decodable {
        case object(type: String?, reason: String?)
        case text(String)

        private enum CodingKeys: String, CodingKey {
            case type
            case reason
        }

        init(from decoder: any Decoder) throws {
            if let text = try? decoder.singleValueContainer().decode(String.self) {
                self = .text(text)
                return
            }
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self = .object(
                type: try? container.decodeIfPresent(String.self, forKey: .type),
                reason: try? container.decodeIfPresent(String.self, forKey: .reason)
            )
        }

        func error(status: Int) -> BulkError {
            switch self {
            case .object(let type, let reason): BulkError(status: status, type: type ?? "unknown", reason: reason ?? "")
            case .text(let text): BulkError(status: status, type: "unknown", reason: text)
            }
        }
    }
}
