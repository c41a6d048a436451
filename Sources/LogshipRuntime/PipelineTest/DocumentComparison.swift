package import LogshipCore

/// Compares expected documents with the documents a pipeline made, and says how they differ.
///
/// Documents are shown one per line as compact JSON with the keys of every object sorted, so that
/// a document reads the same whatever order its fields were added in. Numbers compare by value:
/// `1` equals `1.0`. Arrays compare item by item and must have the same length, in both modes.
package enum DocumentComparison {
    /// The most differences listed for one document.
    package static let maximumDifferences = 10

    /// `value` with the keys of every object sorted.
    package static func sorted(_ value: FieldValue) -> FieldValue {
        switch value {
        case .object(let object):
            return .object(FieldObject(object.entries.sorted { $0.key < $1.key }.map { ($0.key, sorted($0.value)) }))
        case .array(let items): return .array(items.map(sorted))
        default: return value
        }
    }

    /// One line of compact JSON, keys sorted.
    package static func text(_ value: FieldValue) -> String { sorted(value).jsonText }

    /// Whether `actual` matches `expected`.
    package static func matches(
        _ expected: FieldValue,
        _ actual: FieldValue,
        match: DocumentsExpectation.Match
    ) -> Bool {
        differences(expected, actual, match: match, limit: 1).isEmpty
    }

    /// Where `actual` differs from `expected`, one message per place (`labels.status: expected
    /// "200", found 200`), at most `limit`.
    package static func differences(
        _ expected: FieldValue,
        _ actual: FieldValue,
        match: DocumentsExpectation.Match,
        limit: Int = maximumDifferences
    ) -> [String] {
        var found: [String] = []
        collect(expected, actual, path: "", match: match, into: &found, limit: limit)
        return found
    }

    /// `actual` with only the keys `expected` has (inside objects too): what a subset test looked
    /// at, to show beside what it expected.
    package static func projection(of actual: FieldValue, onto expected: FieldValue) -> FieldValue {
        switch (expected, actual) {
        case (.object(let wanted), .object(let object)):
            var result = FieldObject()
            for entry in wanted.entries {
                if let value = object[entry.key] { result[entry.key] = projection(of: value, onto: entry.value) }
            }
            return .object(result)
        case (.array(let wanted), .array(let items)) where wanted.count == items.count:
            return .array(zip(wanted, items).map { projection(of: $1, onto: $0) })
        default:
            return actual
        }
    }

    private static func collect(
        _ expected: FieldValue,
        _ actual: FieldValue,
        path: String,
        match: DocumentsExpectation.Match,
        into found: inout [String],
        limit: Int
    ) {
        guard found.count < limit else { return }
        func join(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
        let place = path.isEmpty ? "the document" : path
        switch (expected, actual) {
        case (.object(let wanted), .object(let object)):
            for entry in wanted.entries {
                guard let value = object[entry.key] else {
                    if found.count < limit {
                        found.append("\(join(entry.key)): missing (expected \(text(entry.value)))")
                    }
                    continue
                }
                collect(entry.value, value, path: join(entry.key), match: match, into: &found, limit: limit)
            }
            guard match == .exact else { return }
            for entry in object.entries where wanted[entry.key] == nil && found.count < limit {
                found.append("\(join(entry.key)): not expected (found \(text(entry.value)))")
            }
        case (.array(let wanted), .array(let items)):
            guard wanted.count == items.count else {
                found.append("\(place): expected \(wanted.count) items, found \(items.count)")
                return
            }
            for (index, (item, value)) in zip(wanted, items).enumerated() {
                collect(item, value, path: "\(path)[\(index)]", match: match, into: &found, limit: limit)
            }
        default:
            if !equal(expected, actual) { found.append("\(place): expected \(text(expected)), found \(text(actual))") }
        }
    }

    /// Scalars (and whole values) equal, numbers by value.
    private static func equal(_ lhs: FieldValue, _ rhs: FieldValue) -> Bool {
        switch (lhs, rhs) {
        case (.integer(let a), .double(let b)), (.double(let b), .integer(let a)): return Double(a) == b
        default: return sorted(lhs) == sorted(rhs)
        }
    }
}
