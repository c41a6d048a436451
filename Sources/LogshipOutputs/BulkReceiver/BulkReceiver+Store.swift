extension BulkReceiver {
    /// The result of one bulk item, before it is written as JSON.
    struct ItemResult: Sendable {
        /// `create`, `index`, `delete` or `update`.
        var action: String
        /// The target index; empty when missing.
        var index: String
        /// The document id, generated when absent.
        var id: String
        /// The item status (201, 200, 404, 409, 400, 429…).
        var status: Int
        /// `created`, `updated`, `deleted` or `not_found` on success.
        var result: String?
        /// `_version` on success.
        var version: Int?
        /// `_seq_no` on success, counted per index.
        var sequenceNumber: Int?
        /// The Elasticsearch exception type and reason on failure.
        var error: (type: String, reason: String)?
    }

    /// The receiver's in-memory indices, request log and fault queue. Pure: the class holds it
    /// under a mutex.
    ///
    /// Memory: every stored document is kept (this is a test and demo fixture); the request log
    /// keeps the last `maximumRecordedRequests` records.
    struct Store: Sendable {
        /// One stored document: its source line, version and place in insertion order.
        struct Document: Sendable {
            var source: String
            var version: Int
            var order: Int
        }

        /// The most request records kept; older ones are dropped.
        static let maximumRecordedRequests = 10_000

        /// Documents by index, then by id.
        var indices: [String: [String: Document]] = [:]
        /// The insertion number of the next new document.
        var nextOrder = 0
        /// The next `_seq_no` per index.
        var sequenceNumbers: [String: Int] = [:]
        /// Creates that reached an index, per id (see `BulkReceiver.createCounts`).
        var createCounts: [String: Int] = [:]
        /// The last `maximumRecordedRequests` bulk requests.
        var requests: [RequestRecord] = []
        /// All bulk requests received.
        var requestCount = 0
        /// Faults waiting for the next requests.
        var faults: [Fault] = []
        /// Ids generated so far; part of each generated id, which keeps them unique.
        var generatedIDs = 0

        /// Takes the next fault, if any.
        mutating func nextFault() -> Fault? {
            faults.isEmpty ? nil : faults.removeFirst()
        }

        /// Numbers and appends a request record, dropping the oldest beyond the maximum.
        mutating func record(_ record: RequestRecord) -> Int {
            requestCount += 1
            var record = record
            record.sequence = requestCount
            requests.append(record)
            if requests.count > Self.maximumRecordedRequests {
                requests.removeFirst(requests.count - Self.maximumRecordedRequests)
            }
            return requestCount
        }

        /// Applies one operation as Elasticsearch would, or answers `forcedStatus` without applying it.
        mutating func apply(_ operation: Operation, forcedStatus: Int?) -> ItemResult {
            let action = operation.action.rawValue
            let index = operation.index ?? ""
            var id = operation.id ?? ""
            if id.isEmpty && (operation.action == .create || operation.action == .index) { id = generateID() }
            func failure(_ status: Int, _ type: String, _ reason: String) -> ItemResult {
                ItemResult(action: action, index: index, id: id, status: status, error: (type, reason))
            }
            if let forcedStatus { return Self.injectedFailure(forcedStatus, action: action, index: index, id: id) }
            guard let target = operation.index, !target.isEmpty else {
                return failure(400, "action_request_validation_exception", "Validation Failed: 1: index is missing;")
            }
            if let problem = Self.indexNameProblem(target) {
                return failure(400, "invalid_index_name_exception", "Invalid index name [\(target)], \(problem)")
            }
            if operation.action == .update {
                return failure(400, "illegal_argument_exception", "the logship bulk receiver does not support update")
            }
            if operation.action == .delete {
                guard !id.isEmpty else {
                    return failure(400, "action_request_validation_exception", "Validation Failed: 1: id is missing;")
                }
                guard let existing = indices[target]?.removeValue(forKey: id) else {
                    return ItemResult(
                        action: action,
                        index: target,
                        id: id,
                        status: 404,
                        result: "not_found",
                        version: 1,
                        sequenceNumber: nextSequenceNumber(target)
                    )
                }
                return ItemResult(
                    action: action,
                    index: target,
                    id: id,
                    status: 200,
                    result: "deleted",
                    version: existing.version + 1,
                    sequenceNumber: nextSequenceNumber(target)
                )
            }
            guard operation.sourceIsObject, let source = operation.source else {
                return failure(
                    400,
                    "document_parsing_exception",
                    "[1:1] failed to parse: the source on line [\(operation.line + 1)] is not a JSON object"
                )
            }
            if operation.action == .create { createCounts[id, default: 0] += 1 }
            if let existing = indices[target]?[id] {
                if operation.action == .create {
                    return failure(
                        409,
                        "version_conflict_engine_exception",
                        "[\(id)]: version conflict, document already exists (current version [\(existing.version)])"
                    )
                }
                indices[target]?[id] = Document(source: source, version: existing.version + 1, order: existing.order)
                return ItemResult(
                    action: action,
                    index: target,
                    id: id,
                    status: 200,
                    result: "updated",
                    version: existing.version + 1,
                    sequenceNumber: nextSequenceNumber(target)
                )
            }
            indices[target, default: [:]][id] = Document(source: source, version: 1, order: nextOrder)
            nextOrder += 1
            return ItemResult(
                action: action,
                index: target,
                id: id,
                status: 201,
                result: "created",
                version: 1,
                sequenceNumber: nextSequenceNumber(target)
            )
        }

        private mutating func nextSequenceNumber(_ index: String) -> Int {
            let number = sequenceNumbers[index, default: 0]
            sequenceNumbers[index] = number + 1
            return number
        }

        /// A 20-character id like Elasticsearch's: base64url characters, unique per receiver.
        private mutating func generateID() -> String {
            generatedIDs += 1
            let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
            var generator = SystemRandomNumberGenerator()
            var value = UInt64(generatedIDs)
            var id = ""
            for _ in 0..<8 {
                id.append(alphabet[Int(value & 63)])
                value >>= 6
            }
            for _ in 0..<12 { id.append(alphabet[Int(generator.next() & 63)]) }
            return id
        }

        private static func injectedFailure(_ status: Int, action: String, index: String, id: String) -> ItemResult {
            let error: (String, String) =
                switch status {
                case 429:
                    (
                        "es_rejected_execution_exception",
                        "rejected execution of primary operation [injected by the bulk receiver]"
                    )
                case 400: ("document_parsing_exception", "[1:1] failed to parse: injected by the bulk receiver")
                case 409:
                    (
                        "version_conflict_engine_exception",
                        "[\(id)]: version conflict, document already exists (current version [1])"
                    )
                default: ("exception", "injected failure with status \(status)")
                }
            return ItemResult(action: action, index: index, id: id, status: status, error: error)
        }

        /// Why Elasticsearch would refuse `name` as an index name, or nil.
        private static func indexNameProblem(_ name: String) -> String? {
            if name != name.lowercased() { return "must be lowercase" }
            if let first = name.first, "_-+".contains(first) { return "must not start with '_', '-', or '+'" }
            if name.contains(where: { "\\/*?\"<>| ,#:".contains($0) }) {
                return "must not contain the following characters [ , \", *, \\, <, |, ,, >, /, ?, #, :]"
            }
            if name == "." || name == ".." { return "must not be '.' or '..'" }
            if name.utf8.count > 255 { return "index name is too long, (\(name.utf8.count) > 255)" }
            return nil
        }
    }
}
