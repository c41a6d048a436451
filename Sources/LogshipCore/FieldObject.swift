/// An object whose keys keep their insertion order, so that shipped documents are byte-for-byte
/// reproducible. Lookups are linear: log events have tens of keys, not thousands.
package struct FieldObject: Sendable, Equatable {
    /// The key-value pairs in insertion order; keys are unique.
    package private(set) var entries: [(key: String, value: FieldValue)]

    package init() { self.entries = [] }

    package init(_ pairs: [(String, FieldValue)]) {
        self.entries = []
        for (key, value) in pairs { self[key] = value }
    }

    package var isEmpty: Bool { entries.isEmpty }
    package var count: Int { entries.count }

    /// Reads or replaces the value under `key`; assigning `nil` removes the key. A new key is
    /// appended at the end.
    package subscript(key: String) -> FieldValue? {
        get {
            for entry in entries where entry.key == key { return entry.value }
            return nil
        }
        set {
            if let index = entries.firstIndex(where: { $0.key == key }) {
                if let newValue { entries[index].value = newValue } else { entries.remove(at: index) }
            } else if let newValue {
                entries.append((key, newValue))
            }
        }
    }

    /// Copies every key of `other` into this object, replacing values under keys both have.
    package mutating func merge(_ other: FieldObject) {
        for entry in other.entries { self[entry.key] = entry.value }
    }

    package static func == (lhs: FieldObject, rhs: FieldObject) -> Bool {
        lhs.entries.count == rhs.entries.count
            && zip(lhs.entries, rhs.entries).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }
}

extension FieldObject: ExpressibleByDictionaryLiteral {
    package init(dictionaryLiteral elements: (String, FieldValue)...) {
        self.init(elements)
    }
}
