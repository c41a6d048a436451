package import LogshipCore
package import Yams

/// A mapping being read. Keys that are read are remembered; `finish()` reports every key that
/// was never read as unknown, with a suggestion when it looks like a known key misspelt.
package final class ConfigMapping {
    package let value: ConfigValue
    private let pairs: [(key: String, keyNode: Node, value: Node)]
    private var known: [String] = []
    private let errorCountAtStart: Int

    package init(value: ConfigValue) {
        self.value = value
        self.errorCountAtStart = value.reader.errors.count
        var pairs: [(String, Node, Node)] = []
        if case .mapping(let mapping) = value.node {
            for (keyNode, valueNode) in mapping {
                let key = keyNode.string ?? "\(keyNode)"
                if pairs.contains(where: { $0.0 == key }) {
                    value.reader.report("duplicate key '\(key)'", at: keyNode, path: Self.join(value.path, key))
                }
                pairs.append((key, keyNode, valueNode))
            }
        }
        self.pairs = pairs
    }

    private static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The value under `key`, if present. Marks the key as known.
    package subscript(key: String) -> ConfigValue? {
        if !known.contains(key) { known.append(key) }
        guard let pair = pairs.first(where: { $0.key == key }) else { return nil }
        return ConfigValue(reader: value.reader, node: pair.value, path: Self.join(value.path, key))
    }

    /// The value under `key`, or a report that it is missing.
    package func required(_ key: String) -> ConfigValue? {
        guard let found = self[key] else {
            value.report("missing required key '\(key)'")
            return nil
        }
        return found
    }

    /// Whether any problem was reported since this mapping was opened (in it or below it).
    package var hasErrors: Bool { value.reader.errors.count > errorCountAtStart }

    /// The keys present, in file order.
    package var keys: [String] { pairs.map(\.key) }

    /// The value at a key path below this mapping, such as `hosts[1]` or `metrics[2].name`,
    /// without marking anything as read; `nil` when the path does not lead to a value.
    package func value(at keyPath: String) -> ConfigValue? {
        var node = value.node
        var path = value.path
        for segment in keyPath.split(separator: ".") {
            let parts = segment.split(separator: "[")
            guard let key = parts.first.map(String.init), !segment.hasPrefix("[") else { return nil }
            guard case .mapping(let mapping) = node, let child = mapping.first(where: { $0.key.string == key })?.value
            else { return nil }
            node = child
            path = Self.join(path, key)
            for part in parts.dropFirst() {
                guard part.hasSuffix("]"), let index = Int(part.dropLast()), case .sequence(let sequence) = node,
                    sequence.indices.contains(index)
                else { return nil }
                node = sequence[index]
                path += "[\(index)]"
            }
        }
        return ConfigValue(reader: value.reader, node: node, path: path)
    }

    /// Reads every pair as a field value (for static fields and similar free-form maps).
    package func fieldObject() -> FieldObject {
        var object = FieldObject()
        for pair in pairs {
            if !known.contains(pair.key) { known.append(pair.key) }
            let child = ConfigValue(reader: value.reader, node: pair.value, path: Self.join(value.path, pair.key))
            if let fieldValue = child.fieldValue { object[pair.key] = fieldValue }
        }
        return object
    }

    /// Reports every key that no reader asked for.
    package func finish() {
        for pair in pairs where !known.contains(pair.key) {
            var message = "unknown key '\(pair.key)'"
            if let suggestion = Self.closest(to: pair.key, in: known) { message += " (did you mean '\(suggestion)'?)" }
            if !known.isEmpty { message += "; known keys: \(known.sorted().joined(separator: ", "))" }
            value.reader.report(message, at: pair.keyNode, path: Self.join(value.path, pair.key))
        }
    }

    /// The known key within edit distance 2 of `key`, if any.
    private static func closest(to key: String, in candidates: [String]) -> String? {
        candidates.map { ($0, editDistance(key, $0)) }.filter { $0.1 <= 2 }.min { $0.1 < $1.1 }?.0
    }

    private static func editDistance(_ lhs: String, _ rhs: String) -> Int {
        let a = Array(lhs)
        let b = Array(rhs)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
