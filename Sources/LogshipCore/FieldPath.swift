/// A dotted path into an event's fields, such as `labels.endpoint` or `log.file.path`.
///
/// Keys that themselves contain dots cannot be addressed; an empty path addresses the root object.
package struct FieldPath: Sendable, Hashable, CustomStringConvertible {
    /// The path's segments, outermost first.
    package let segments: [String]
    /// The UTF-8 of each segment, for comparing with keys in an `EventBatch`.
    package let utf8Segments: [[UInt8]]

    /// Splits `text` on dots. Empty segments (`a..b`, a trailing dot) are dropped.
    package init(_ text: String) {
        self.init(segments: text.split(separator: ".", omittingEmptySubsequences: true).map(String.init))
    }

    package init(segments: [String]) {
        self.segments = segments
        self.utf8Segments = segments.map { Array($0.utf8) }
    }

    package static func == (lhs: FieldPath, rhs: FieldPath) -> Bool { lhs.segments == rhs.segments }

    package func hash(into hasher: inout Hasher) { hasher.combine(segments) }

    package var description: String { segments.joined(separator: ".") }
}

extension FieldObject {
    /// The value at `path`, or `nil` where any segment is missing or not an object.
    package subscript(path path: FieldPath) -> FieldValue? {
        get {
            guard let first = path.segments.first else { return .object(self) }
            var current = self[first]
            for segment in path.segments.dropFirst() {
                guard case .object(let object)? = current else { return nil }
                current = object[segment]
            }
            return current
        }
        set {
            guard let first = path.segments.first else {
                if case .object(let object)? = newValue { self = object }
                return
            }
            if path.segments.count == 1 {
                self[first] = newValue
                return
            }
            var child = self[first]?.objectValue ?? FieldObject()
            child[path: FieldPath(segments: Array(path.segments.dropFirst()))] = newValue
            self[first] = .object(child)
        }
    }
}
