import LogshipCore

extension FieldObject {
    /// Merges `other` into the object at `target` (the root when `target` is nil or empty),
    /// creating that object when absent. Existing keys are replaced only when `overwrite`; a
    /// non-object value at `target` is replaced by `other` only when `overwrite`. The merge is
    /// shallow: a key present in both takes `other`'s value as a whole.
    mutating func merge(_ other: FieldObject, at target: FieldPath?, overwrite: Bool) {
        guard let target, !target.segments.isEmpty else {
            mergeShallow(other, overwrite: overwrite)
            return
        }
        switch self[path: target] {
        case .object(var existing)?:
            existing.mergeShallow(other, overwrite: overwrite)
            self[path: target] = .object(existing)
        case nil:
            self[path: target] = .object(other)
        case .some:
            if overwrite { self[path: target] = .object(other) }
        }
    }

    private mutating func mergeShallow(_ other: FieldObject, overwrite: Bool) {
        if overwrite {
            merge(other)
        } else {
            for entry in other.entries where self[entry.key] == nil { self[entry.key] = entry.value }
        }
    }
}
