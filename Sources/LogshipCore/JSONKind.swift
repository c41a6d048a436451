/// The kind of a JSON value found by `JSONScanner`.
/// (`public` only so that `EventBatch`'s and `MetricUpdateBatch`'s inlinable members can use it.)
public enum JSONKind: UInt8, Sendable, Equatable {
    case string
    case number
    case object
    case array
    case `true`
    case `false`
    case null
}

/// One member of a JSON object as `JSONScanner` finds it: where its key and value are, not what
/// they are. Ranges are offsets into the scanned bytes.
package struct JSONMember: Sendable, Equatable {
    /// The key's bytes between its quotes, escapes as written.
    package var key: Range<Int>
    /// The key contains a backslash escape (its bytes are not its text).
    package var keyHasEscapes: Bool
    /// For a string: the bytes between its quotes, escapes as written; otherwise the value's text.
    package var value: Range<Int>
    /// What the value is.
    package var kind: JSONKind
    /// For a string: it contains a backslash escape.
    package var valueHasEscapes: Bool

    package init(key: Range<Int>, keyHasEscapes: Bool, value: Range<Int>, kind: JSONKind, valueHasEscapes: Bool) {
        self.key = key
        self.keyHasEscapes = keyHasEscapes
        self.value = value
        self.kind = kind
        self.valueHasEscapes = valueHasEscapes
    }
}
