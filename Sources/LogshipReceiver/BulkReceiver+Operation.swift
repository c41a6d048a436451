extension BulkReceiver {
    /// One action of a bulk request with its source line. Ranges are byte offsets into the
    /// (decompressed) request body, which outlives the operation; text lives in the
    /// `BulkRequest`, so that an operation is plain data (copied without reference counting).
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
            /// No `_id` (or `null`): generated for `create` and `index` when applied.
            case none
            /// The bytes of a string without escapes, or of a number or boolean: already valid
            /// JSON string content.
            case raw(Range<Int>)
            /// `BulkRequest.texts[n]`: a string that had escapes, decoded, or a generated id.
            case text(Int)
        }

        /// Why a source line is refused (a 400 `document_parsing_exception` item).
        enum SourceProblem: Sendable, Equatable {
            /// Not a JSON object: by the first and last bytes, or (strict) not valid JSON.
            case notObject
            /// Strict mode: `BulkRequest.duplicateKeys[n]` names the key given twice.
            case duplicateKey(Int)
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
}
