extension BulkReceiver {
    /// The result of one bulk item, before it is written as JSON.
    struct ItemResult: Sendable {
        /// What happened; decides `result` or the error type and reason.
        enum Outcome: UInt8, Sendable {
            case created, updated, deleted, notFound
            /// `create` of an id the index has: 409, `version` is the current version.
            case conflict
            case missingIndex, invalidIndexName, updateUnsupported, missingID
            /// The source line was refused (see `Operation.sourceProblem`).
            case sourceRejected
            /// A scripted `Fault.failItems` answered this item.
            case injected
        }

        /// The item status (201, 200, 404, 409, 400, 429…).
        var status: Int
        var outcome: Outcome
        /// `_version` on success; the current version for a conflict.
        var version: Int = 0
        /// `_seq_no` on success, counted per index.
        var sequenceNumber: Int = 0
        /// The id made for an action without `_id`.
        var generatedID: String?

        /// Whether the item carries an `error` object.
        var isError: Bool {
            switch outcome {
            case .created, .updated, .deleted, .notFound: false
            default: true
            }
        }
    }

    /// The receiver's in-memory indices, request log and fault queue. Pure: the class holds it
    /// under a mutex.
    ///
    /// Memory: per document, its id fingerprint and version (about 40 bytes); in strict mode also
    /// its id and source text. The request log keeps the last `maximumRecordedRequests` records,
    /// with their items in strict mode only.
    struct Store: Sendable {
        /// One stored document of strict mode: its id and source as sent, and its place in
        /// insertion order.
        struct Document: Sendable {
            var id: String
            var source: String
            var order: Int
        }

        /// One index: versions by id fingerprint, the documents in strict mode, the next `_seq_no`.
        struct Index: Sendable {
            var versions: [DocumentKey: Int] = [:]
            var documents: [DocumentKey: Document] = [:]
            var nextSequenceNumber = 0

            mutating func takeSequenceNumber() -> Int {
                defer { nextSequenceNumber += 1 }
                return nextSequenceNumber
            }
        }

        /// The most request records kept; older ones are dropped.
        static let maximumRecordedRequests = 10_000

        /// Whether documents, creates per id and request items are kept.
        let strict: Bool
        /// Indices by name (created by their first write).
        var indices: [String: Index] = [:]
        /// The insertion number of the next new document (strict mode).
        var nextOrder = 0
        /// Creates that reached an index, per id (strict mode; see `BulkReceiver.createCounts`).
        var createCounts: [String: Int] = [:]
        /// The last `maximumRecordedRequests` bulk requests.
        var requests: [RequestRecord] = []
        /// All bulk requests received.
        var requestCount = 0
        /// Faults waiting for the next requests.
        var faults: [Fault] = []
        /// Ids generated so far; part of each generated id, which keeps them unique.
        var generatedIDs = 0

        init(strict: Bool) { self.strict = strict }

        /// Takes the next fault, if any.
        mutating func nextFault() -> Fault? {
            faults.isEmpty ? nil : faults.removeFirst()
        }

        /// Numbers and appends a request record, dropping the oldest beyond the maximum.
        mutating func record(_ record: RequestRecord) {
            requestCount += 1
            var record = record
            record.sequence = requestCount
            requests.append(record)
            if requests.count > Self.maximumRecordedRequests {
                requests.removeFirst(requests.count - Self.maximumRecordedRequests)
            }
        }

        /// Applies one operation as Elasticsearch would, or answers `forcedStatus` without
        /// applying it.
        ///
        /// - Parameters:
        ///   - indexName: the target index; nil when the request named none.
        ///   - indexProblem: why Elasticsearch would refuse `indexName`, if it would.
        ///   - text: the id and source text of the operation, asked for in strict mode only.
        mutating func apply(
            _ operation: Operation,
            indexName: String?,
            indexProblem: String?,
            forcedStatus: Int?,
            text: (Operation) -> (id: String, source: String)
        ) -> ItemResult {
            var key = operation.key
            var generatedID: String?
            if key == nil && (operation.action == .create || operation.action == .index) {
                let id = generateID()
                generatedID = id
                key = DocumentKey(id)
            }
            func result(_ status: Int, _ outcome: ItemResult.Outcome) -> ItemResult {
                ItemResult(status: status, outcome: outcome, generatedID: generatedID)
            }
            if let forcedStatus { return result(forcedStatus, .injected) }
            guard let indexName, !indexName.isEmpty else { return result(400, .missingIndex) }
            if indexProblem != nil { return result(400, .invalidIndexName) }
            switch operation.action {
            case .update:
                return result(400, .updateUnsupported)
            case .delete:
                guard let key else { return result(400, .missingID) }
                guard let version = indices[indexName]?.versions.removeValue(forKey: key) else {
                    var outcome = result(404, .notFound)
                    outcome.version = 1
                    outcome.sequenceNumber = indices[indexName]?.takeSequenceNumber() ?? 0
                    return outcome
                }
                indices[indexName]?.documents[key] = nil
                var outcome = result(200, .deleted)
                outcome.version = version + 1
                outcome.sequenceNumber = indices[indexName]?.takeSequenceNumber() ?? 0
                return outcome
            case .create, .index:
                break
            }
            if operation.sourceProblem != nil { return result(400, .sourceRejected) }
            let documentKey = key!
            let texts = strict ? text(operation) : nil
            let id = generatedID ?? texts?.id
            if strict, operation.action == .create, let id { createCounts[id, default: 0] += 1 }
            var index = indices.removeValue(forKey: indexName) ?? Index()
            defer { indices[indexName] = index }
            if let existing = index.versions[documentKey] {
                if operation.action == .create {
                    var outcome = result(409, .conflict)
                    outcome.version = existing
                    return outcome
                }
                index.versions[documentKey] = existing + 1
                if let texts { index.documents[documentKey]?.source = texts.source }
                var outcome = result(200, .updated)
                outcome.version = existing + 1
                outcome.sequenceNumber = index.takeSequenceNumber()
                return outcome
            }
            index.versions[documentKey] = 1
            if let texts {
                index.documents[documentKey] = Document(id: id ?? texts.id, source: texts.source, order: nextOrder)
                nextOrder += 1
            }
            var outcome = result(201, .created)
            outcome.version = 1
            outcome.sequenceNumber = index.takeSequenceNumber()
            return outcome
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

        /// Why Elasticsearch would refuse `name` as an index name, or nil.
        static func indexNameProblem(_ name: String) -> String? {
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
