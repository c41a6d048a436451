#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension BulkReceiver {
    /// One action of a bulk request with its source line. Ranges are byte offsets into the
    /// (decompressed) request body, which outlives the operation.
    struct Operation: Sendable {
        /// The bulk action names Elasticsearch knows.
        enum Action: UInt8, Sendable {
            case create, index, delete, update

            /// The name as written in action lines and answers.
            var name: String {
                switch self {
                case .create: "create"
                case .index: "index"
                case .delete: "delete"
                case .update: "update"
                }
            }
        }

        /// A document id as the action line gave it.
        enum ID: Sendable {
            /// No `_id` (or `null`): generated for `create` and `index`.
            case none
            /// The bytes of a string without escapes, or of a number or boolean: already valid
            /// JSON string content.
            case raw(Range<Int>)
            /// A string that had escapes, decoded.
            case text(String)
        }

        /// Why a source line is refused (a 400 `document_parsing_exception` item).
        enum SourceProblem: Sendable, Equatable {
            /// Not a JSON object: by the first and last bytes, or (strict) not valid JSON.
            case notObject
            /// Strict mode: an object names `key` twice; `column` is 1-based, just past it.
            case duplicateKey(String, column: Int)
        }

        /// What to do.
        var action: Action
        /// Into `BulkRequest.indexNames`: the `_index` of the action line, else the index of the
        /// URL path; nil when neither.
        var index: Int?
        /// The `_id` of the action line.
        var id: ID
        /// The fingerprint of the id; nil when there is none.
        var key: DocumentKey?
        /// The source line without its line end; nil for delete.
        var source: Range<Int>?
        /// Set when the source cannot be indexed.
        var sourceProblem: SourceProblem?
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

    /// A parsed bulk body: its operations and the index names they use (each name once).
    struct BulkRequest: Sendable {
        var operations: [Operation] = []
        var indexNames: [String] = []
    }

    /// Splits an NDJSON bulk body into operations.
    ///
    /// Rules, after Elasticsearch 8: the body must end with a newline; blank action lines are
    /// skipped; an action line must be a JSON object with exactly one key, `create`, `index`,
    /// `delete` or `update`, whose value is an object (`_index` and `_id` are read, other
    /// metadata is ignored); every action but `delete` is followed by a source line. A malformed
    /// action line fails the whole request with 400 `illegal_argument_exception` (or
    /// `x_content_parse_exception` when it is not JSON at all). A source line that cannot be
    /// indexed is only marked, to become an item error: without `strict`, one whose first and last
    /// non-blank bytes are not `{` and `}`; with `strict`, one that is not a valid JSON object
    /// with unique keys.
    ///
    /// Cost without `strict`: a `memchr` per line, a validating scan of each (short) action line,
    /// two byte checks per source line; nothing is allocated per document.
    static func parse(
        _ body: UnsafeBufferPointer<UInt8>,
        defaultIndex: String?,
        strict: Bool
    ) throws(RequestError) -> BulkRequest {
        guard !body.isEmpty else {
            throw RequestError(
                status: 400,
                type: "action_request_validation_exception",
                reason: "Validation Failed: 1: no requests added;"
            )
        }
        guard body[body.count - 1] == UInt8(ascii: "\n") else {
            throw RequestError(
                status: 400,
                type: "illegal_argument_exception",
                reason: "The bulk request must be terminated by a newline [\\n]"
            )
        }
        var request = BulkRequest()
        var names = IndexNameTable(body: body)
        let defaultIndexNumber = defaultIndex.map { names.intern($0) }
        var lines = LineIterator(body: body)
        var number = 0
        while let line = lines.next() {
            number += 1
            if isBlank(line, in: body) { continue }
            var operation = try parseAction(body, line: line, number: number, names: &names)
            if operation.index == nil { operation.index = defaultIndexNumber }
            if operation.action != .delete {
                guard let source = lines.next() else {
                    throw RequestError(
                        status: 400,
                        type: "action_request_validation_exception",
                        reason:
                            "Validation Failed: 1: the \(operation.action.name) action on line [\(number)] has no source line;"
                    )
                }
                number += 1
                operation.source = source
                operation.sourceProblem = strict ? strictProblem(body, source) : quickProblem(body, source)
            }
            request.operations.append(operation)
        }
        guard !request.operations.isEmpty else {
            throw RequestError(
                status: 400,
                type: "action_request_validation_exception",
                reason: "Validation Failed: 1: no requests added;"
            )
        }
        request.indexNames = names.names
        return request
    }

    /// The lines of a body that ends with a newline, without their `\n`, found with `memchr`.
    private struct LineIterator {
        let body: UnsafeBufferPointer<UInt8>
        var start = 0

        mutating func next() -> Range<Int>? {
            guard start < body.count, let base = body.baseAddress else { return nil }
            guard let found = memchr(base + start, Int32(UInt8(ascii: "\n")), body.count - start) else { return nil }
            let end = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(found))
            defer { start = end + 1 }
            return start..<end
        }
    }

    /// Index names met in a request, each kept once; consecutive actions naming the same index
    /// (the usual case) cost one `memcmp`.
    struct IndexNameTable {
        let body: UnsafeBufferPointer<UInt8>
        var names: [String] = []
        var last: (range: Range<Int>, number: Int)?

        init(body: UnsafeBufferPointer<UInt8>) { self.body = body }

        mutating func intern(_ name: String) -> Int {
            if let number = names.firstIndex(of: name) { return number }
            names.append(name)
            return names.count - 1
        }

        mutating func intern(range: Range<Int>) -> Int {
            if let last, last.range.count == range.count,
                memcmp(body.baseAddress! + last.range.lowerBound, body.baseAddress! + range.lowerBound, range.count)
                    == 0
            {
                return last.number
            }
            let number = intern(String(decoding: UnsafeBufferPointer(rebasing: body[range]), as: UTF8.self))
            last = (range, number)
            return number
        }
    }

    private static func isBlank(_ line: Range<Int>, in body: UnsafeBufferPointer<UInt8>) -> Bool {
        for index in line {
            let byte = body[index]
            if byte != UInt8(ascii: " ") && byte != UInt8(ascii: "\t") && byte != UInt8(ascii: "\r") { return false }
        }
        return true
    }

    private static func quickProblem(_ body: UnsafeBufferPointer<UInt8>, _ line: Range<Int>) -> Operation.SourceProblem?
    {
        var first = line.lowerBound
        var last = line.upperBound - 1
        while first <= last, isWhitespace(body[first]) { first += 1 }
        while last >= first, isWhitespace(body[last]) { last -= 1 }
        guard first < last, body[first] == UInt8(ascii: "{"), body[last] == UInt8(ascii: "}") else {
            return .notObject
        }
        return nil
    }

    private static func strictProblem(
        _ body: UnsafeBufferPointer<UInt8>,
        _ line: Range<Int>
    ) -> Operation.SourceProblem? {
        var scanner = JSONScanner(UnsafeBufferPointer(rebasing: body[line]))
        scanner.rejectsDuplicateKeys = true
        scanner.skipWhitespace()
        guard scanner.current == UInt8(ascii: "{") else { return .notObject }
        do {
            try scanner.skipValue()
            scanner.skipWhitespace()
            return scanner.isAtEnd ? nil : .notObject
        } catch .duplicateKey(let key, let offset) {
            return .duplicateKey(key, column: offset + 1)
        } catch {
            return .notObject
        }
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A
    }
}
