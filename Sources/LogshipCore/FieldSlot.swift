/// The value of one field of an event in an `EventBatch`: a reference into the batch's bytes or
/// field table, or a small inline value. Nothing here allocates.
/// (`public` only so that `EventBatch`'s and `MetricUpdateBatch`'s inlinable members can use it.)
public enum FieldSlot: Sendable, Equatable {
    /// UTF-8 text in the batch's bytes (valid UTF-8, not escaped); escaped when encoded.
    case text(Range<Int>)
    /// The bytes between the quotes of a JSON string as it was read; `escaped` when they contain
    /// a backslash escape (then they are not the text itself). Copied into JSON verbatim.
    case jsonString(Range<Int>, escaped: Bool)
    /// The text of a validated JSON number, object, array, `true`, `false` or `null`, copied into
    /// JSON verbatim and looked into (objects) without being decoded.
    case json(Range<Int>, JSONKind)
    /// A whole number.
    case integer(Int64)
    /// A floating-point number.
    case double(Double)
    /// A boolean.
    case bool(Bool)
    /// JSON `null`.
    case null
    /// An object whose members are fields in the batch's field table, first to last (`-1` when
    /// empty).
    case object(first: Int, last: Int)

    /// An empty object.
    package static let emptyObject = FieldSlot.object(first: -1, last: -1)

    /// Whether the value is an object, kept as fields or as JSON text.
    package var isObject: Bool {
        switch self {
        case .object, .json(_, .object): return true
        default: return false
        }
    }
}

/// One field of an event: a key and a value. Its place in its object's list, and its key's tag,
/// are in `EventBatch.links` at the same index.
package struct Field: Sendable, Equatable {
    /// The key's UTF-8 bytes in the batch (unescaped).
    package var key: Range<Int>
    /// The value. Replacing it clears `isVerbatim`.
    package var value: FieldSlot {
        didSet { isVerbatim = false }
    }
    /// The field is a member of a JSON object exactly as `parse_json` read it, its key and value
    /// ranges in that object's text (see `EventBatch.markVerbatim`). Fits in the padding.
    package internal(set) var isVerbatim = false

    package init(key: Range<Int>, value: FieldSlot) {
        self.key = key
        self.value = value
    }
}

/// What a walk through an object's fields needs of each field, apart from `Field` and packed in 8
/// bytes: the walk chases `next` from field to field and compares tags, and with 56-byte fields
/// it stalled on a cache miss at nearly every step (7% of a `--output null` run in one walk).
package struct FieldLink: Sendable, Equatable {
    /// The key's length and first and last bytes (`EventBatch.keyTag`): a lookup passes over
    /// fields whose tag differs without reading their key's bytes.
    package let tag: UInt32
    /// The next field of the same object, `-1` for the last.
    package var next: Int32

    package init(tag: UInt32, next: Int32 = -1) {
        self.tag = tag
        self.next = next
    }
}
