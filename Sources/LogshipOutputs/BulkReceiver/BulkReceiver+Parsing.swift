import Foundation
import LogshipCore

extension BulkReceiver {
    /// One action of a bulk request with its source line.
    struct Operation: Sendable, Equatable {
        /// The bulk action names Elasticsearch knows.
        enum Action: String, Sendable {
            case create, index, delete, update
        }

        /// What to do.
        var action: Action
        /// The `_index` of the action line, else the index of the URL path; nil when neither.
        var index: String?
        /// The `_id` of the action line; nil when absent (generated for create and index).
        var id: String?
        /// The source line as sent; nil for delete.
        var source: String?
        /// Whether the source line is a JSON object.
        var sourceIsObject: Bool
        /// The 1-based line number of the action line.
        var line: Int
    }

    /// A failure of the whole request, answered as Elasticsearch does:
    /// `{"error":{"root_cause":[…],"type":…,"reason":…},"status":N}`.
    struct RequestError: Error, Sendable, Equatable {
        /// The HTTP status, for example 400.
        var status: Int
        /// The Elasticsearch exception type, for example `illegal_argument_exception`.
        var type: String
        /// The human-readable reason.
        var reason: String
    }

    /// Splits an NDJSON bulk body into operations.
    ///
    /// Rules, after Elasticsearch 8: the body must end with a newline; blank action lines are
    /// skipped; an action line must be a JSON object with exactly one key, `create`, `index`,
    /// `delete` or `update`, whose value is an object (`_index` and `_id` are read, other
    /// metadata is ignored); every action but `delete` is followed by a source line. A malformed
    /// action line fails the whole request with 400 `illegal_argument_exception` (or
    /// `x_content_parse_exception` when it is not JSON at all); a source line that is not a JSON
    /// object is only marked, to become an item error.
    static func parse(
        _ body: some BidirectionalCollection<UInt8>,
        defaultIndex: String?
    ) throws(RequestError) -> [Operation] {
        guard !body.isEmpty else {
            throw RequestError(
                status: 400,
                type: "action_request_validation_exception",
                reason: "Validation Failed: 1: no requests added;"
            )
        }
        guard body.last == UInt8(ascii: "\n") else {
            throw RequestError(
                status: 400,
                type: "illegal_argument_exception",
                reason: "The bulk request must be terminated by a newline [\\n]"
            )
        }
        let lines = body.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).dropLast()
        var operations: [Operation] = []
        var number = 0
        var iterator = lines.makeIterator()
        while let line = iterator.next() {
            number += 1
            if line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\r") }) {
                continue
            }
            var operation = try parseAction(Array(line), line: number, defaultIndex: defaultIndex)
            if operation.action != .delete {
                guard let sourceLine = iterator.next() else {
                    throw RequestError(
                        status: 400,
                        type: "action_request_validation_exception",
                        reason:
                            "Validation Failed: 1: the \(operation.action.rawValue) action on line [\(number)] has no source line;"
                    )
                }
                number += 1
                let bytes = Array(sourceLine)
                operation.source = String(decoding: bytes, as: UTF8.self)
                // Core's JSONParser rather than JSONSerialization: the receiver checks every
                // document of a benchmark, and Foundation's parser made it cost twice logship.
                if case .object? = try? JSONParser.parse(bytes) { operation.sourceIsObject = true }
            }
            operations.append(operation)
        }
        guard !operations.isEmpty else {
            throw RequestError(
                status: 400,
                type: "action_request_validation_exception",
                reason: "Validation Failed: 1: no requests added;"
            )
        }
        return operations
    }

    private static func parseAction(_ data: [UInt8], line: Int, defaultIndex: String?) throws(RequestError) -> Operation
    {
        func malformed(_ reason: String) -> RequestError {
            RequestError(
                status: 400,
                type: "illegal_argument_exception",
                reason: "Malformed action/metadata line [\(line)], \(reason)"
            )
        }
        let parsed: FieldValue
        do {
            parsed = try JSONParser.parse(data)
        } catch {
            throw RequestError(
                status: 400,
                type: "x_content_parse_exception",
                reason: "[\(line):1] Unexpected character: action/metadata line [\(line)] is not valid JSON"
            )
        }
        guard case .object(let object) = parsed else {
            throw malformed("expected START_OBJECT but found [\(tokenName(firstByteOf: data))]")
        }
        guard object.count == 1, let (key, value) = object.entries.first else {
            throw malformed(
                object.isEmpty
                    ? "expected FIELD_NAME but found [END_OBJECT]" : "expected END_OBJECT but found [FIELD_NAME]"
            )
        }
        guard let action = Operation.Action(rawValue: key) else {
            throw malformed("expected field [create], [delete], [index] or [update] but found [\(key)]")
        }
        guard case .object(let metadata) = value else {
            throw malformed("expected START_OBJECT but found [\(tokenName(value))]")
        }
        return Operation(
            action: action,
            index: scalarText(metadata["_index"]) ?? defaultIndex,
            id: scalarText(metadata["_id"]),
            source: nil,
            sourceIsObject: false,
            line: line
        )
    }

    private static func scalarText(_ value: FieldValue?) -> String? {
        switch value {
        case .string(let text): text
        case .integer, .double, .bool: value?.labelText
        default: nil
        }
    }

    /// The Jackson token name Elasticsearch reports for a nested JSON value.
    private static func tokenName(_ value: FieldValue) -> String {
        switch value {
        case .string: "VALUE_STRING"
        case .array: "START_ARRAY"
        case .object: "START_OBJECT"
        case .null: "VALUE_NULL"
        case .bool(let flag): flag ? "VALUE_TRUE" : "VALUE_FALSE"
        case .double: "VALUE_NUMBER_FLOAT"
        case .integer: "VALUE_NUMBER_INT"
        }
    }

    /// The Jackson token name of a top-level JSON value, from its first non-blank byte.
    private static func tokenName(firstByteOf data: [UInt8]) -> String {
        let first = data.first { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") }
        switch first {
        case UInt8(ascii: "\""): return "VALUE_STRING"
        case UInt8(ascii: "["): return "START_ARRAY"
        case UInt8(ascii: "t"): return "VALUE_TRUE"
        case UInt8(ascii: "f"): return "VALUE_FALSE"
        case UInt8(ascii: "n"): return "VALUE_NULL"
        default:
            let isFloat = data.contains {
                $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E")
            }
            return isFloat ? "VALUE_NUMBER_FLOAT" : "VALUE_NUMBER_INT"
        }
    }
}
