extension BulkReceiver {
    /// The result of one bulk item, before it is written as JSON. Plain data.
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
    /// Memory: per document, its id fingerprint and version (24 bytes, in a table at most 70%
    /// full); in strict mode also its id and source text. The request log keeps the last
    /// `maximumRecordedRequests` records, with their items in strict mode only.
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
            var versions = VersionTable()
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
            guard let first = faults.first else { return nil }
            // A size limit stays until the faults are cleared.
            if case .tooLarge = first { return first }
            return faults.removeFirst()
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

        /// Applies the operations of `request` in order, as Elasticsearch would; the first
        /// `forced.count` are answered with those statuses instead (a 2xx there: applied as
        /// usual). Ids generated for actions without
        /// one are given to their operations. Each index the request names is looked up once.
        ///
        /// - Parameter body: the request body the operations' ranges point into.
        mutating func apply(
            _ request: inout BulkRequest,
            body: UnsafeBufferPointer<UInt8>,
            forced: [Int]
        ) -> [ItemResult] {
            let problems = request.indexNames.map { Self.indexNameProblem($0) }
            var taken: [Index?] = Array(repeating: nil, count: request.indexNames.count)
            var results: [ItemResult] = []
            results.reserveCapacity(request.operations.count)
            // How many documents ahead the version table's slots are fetched.
            let distance = 8
            for position in request.operations.indices {
                let operation = request.operations[position]
                let actionNeedsID = operation.action == .create || operation.action == .index
                if operation.key == nil && actionNeedsID {
                    let id = generateID()
                    request.operations[position].id = request.add(id)
                    request.operations[position].key = DocumentKey(id)
                }
                if position < forced.count, !(200..<300).contains(forced[position]) {
                    results.append(ItemResult(status: forced[position], outcome: .injected))
                    continue
                }
                guard let number = operation.index, !request.indexNames[number].isEmpty else {
                    results.append(ItemResult(status: 400, outcome: .missingIndex))
                    continue
                }
                if problems[number] != nil {
                    results.append(ItemResult(status: 400, outcome: .invalidIndexName))
                    continue
                }
                if taken[number] == nil {
                    taken[number] = indices.removeValue(forKey: request.indexNames[number]) ?? Index()
                }
                let ahead = position + distance
                let aheadKey =
                    ahead < request.operations.count && request.operations[ahead].index == number
                    ? request.operations[ahead].key : nil
                results.append(
                    apply(
                        request.operations[position],
                        to: &taken[number]!,
                        prefetching: aheadKey,
                        request: request,
                        body: body
                    )
                )
            }
            for (number, index) in taken.enumerated() {
                if let index { indices[request.indexNames[number]] = index }
            }
            return results
        }

        /// Applies `operation` to `index`, after starting to fetch the table slot of the document
        /// `prefetching` a few operations later (in place: a copy of `index` would retain its
        /// tables).
        private mutating func apply(
            _ operation: Operation,
            to index: inout Index,
            prefetching: DocumentKey?,
            request: BulkRequest,
            body: UnsafeBufferPointer<UInt8>
        ) -> ItemResult {
            if let prefetching { index.versions.prefetch(prefetching) }
            switch operation.action {
            case .update:
                return ItemResult(status: 400, outcome: .updateUnsupported)
            case .delete:
                guard let key = operation.key else { return ItemResult(status: 400, outcome: .missingID) }
                guard let version = index.versions.removeVersion(for: key) else {
                    return ItemResult(
                        status: 404,
                        outcome: .notFound,
                        version: 1,
                        sequenceNumber: index.takeSequenceNumber()
                    )
                }
                index.documents[key] = nil
                return ItemResult(
                    status: 200,
                    outcome: .deleted,
                    version: version + 1,
                    sequenceNumber: index.takeSequenceNumber()
                )
            case .create, .index:
                break
            }
            if operation.sourceProblem != nil { return ItemResult(status: 400, outcome: .sourceRejected) }
            let key = operation.key!
            if strict && operation.action == .create {
                createCounts[request.idText(operation, body: body), default: 0] += 1
            }
            if let existing = index.versions.version(of: key) {
                if operation.action == .create {
                    return ItemResult(status: 409, outcome: .conflict, version: existing)
                }
                index.versions.setVersion(existing + 1, for: key)
                if strict { index.documents[key]?.source = request.sourceText(operation, body: body) }
                return ItemResult(
                    status: 200,
                    outcome: .updated,
                    version: existing + 1,
                    sequenceNumber: index.takeSequenceNumber()
                )
            }
            index.versions.setVersion(1, for: key)
            if strict {
                index.documents[key] = Document(
                    id: request.idText(operation, body: body),
                    source: request.sourceText(operation, body: body),
                    order: nextOrder
                )
                nextOrder += 1
            }
            return ItemResult(status: 201, outcome: .created, version: 1, sequenceNumber: index.takeSequenceNumber())
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
