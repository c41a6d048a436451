package import LogshipCore

/// How each document's action line is made: the action, the index it goes to and its `_id`.
///
/// - `create` (the default) lets Elasticsearch refuse a document it already has (409, taken as
///   delivered): with ids from the source, a batch sent twice stores nothing twice. `index`
///   overwrites instead (same effect on a resend, and updates are counted as such). Data streams
///   take `create` only.
/// - The index is `index` formatted for the event; an event whose name cannot be made (a missing
///   field, a value no index name may have) goes to `fallback`, which has no field references,
///   and is counted.
/// - `_id`: `source` (the default), from the file identity and offset (`EventSource.documentID`):
///   the same line always gets the same id, so resends after a crash or a retry are answered 409;
///   `field`, a field of the event (an id the application already gives its events), the source
///   id when the field is missing or not a string or number; `none`, Elasticsearch makes one
///   (faster to index, but a resend stores the document again).
package struct BulkAction: Sendable, Equatable {
    package enum Kind: String, Sendable, Equatable, CaseIterable {
        case create
        case index
    }

    package enum DocumentID: Sendable, Equatable {
        case source
        case field(FieldPath)
        case none
    }

    package var kind: Kind
    package var index: IndexPattern
    package var fallback: IndexPattern
    package var documentID: DocumentID

    package init(
        kind: Kind = .create,
        index: IndexPattern,
        fallback: IndexPattern? = nil,
        documentID: DocumentID = .source
    ) {
        self.kind = kind
        self.index = index
        // A constant, valid name: parsing cannot fail.
        self.fallback = fallback ?? (try! IndexPattern(parsing: Self.defaultFallback))
        self.documentID = documentID
    }

    /// Where events go whose index name cannot be made, unless `fallback_index` says otherwise.
    package static let defaultFallback = "logship-fallback-%{+yyyy.MM.dd}"
}
