package import LogshipCore

/// Conditions whose paths are numbers of a `FieldPathTable`, tested one event at a time through a
/// `FieldReader`, for a step that reads everything it needs of an event at once
/// (`log_to_metric`). The leaves are `Condition`'s own, so the rules are the same; `and` and `or`
/// stop at the first part that decides.
///
/// The conditions are kept as plain nodes in one array, in prefix order, with the expected
/// values beside them: a tree of enums holding arrays retained and released its parts on every
/// test, which cost more than the tests themselves.
package struct EventConditions: Sendable {
    private enum Kind: Sendable {
        case all, any, not, equals, contains, regexp, range, present
    }

    private struct Node: Sendable {
        var kind: Kind
        /// The nodes of its subtree, itself included.
        var size = 1
        /// The path tested (leaves).
        var path = -1
        /// `equals`: the index of the expected value in `values`; `contains`: of the substring in
        /// `substrings`; `regexp`: of the pattern in `patterns`.
        var constant = -1
        /// `equals` a string: its UTF-8 in `texts`.
        var text: Range<Int>?
    }

    private var nodes: [Node] = []
    private var values: [FieldValue] = []
    private var texts: [UInt8] = []
    private var substrings: [String] = []
    private var ranges: [NumericRange] = []
    /// The patterns of the `regexp` leaves: the caller makes one matcher of each per batch, in
    /// this order, for `matches`.
    package private(set) var patterns: [RegexPattern] = []
    /// The roots `add` returned, each condition once.
    package private(set) var roots: [Int] = []

    package init() {}

    /// Adds `condition`, its paths numbered in `table` (made from `condition.paths`, among
    /// others); returns the root to test with `matches`: the same root for a condition written
    /// the same as one added before.
    package mutating func add(_ condition: Condition, table: FieldPathTable) -> Int {
        let counts = (values.count, texts.count, substrings.count, patterns.count, ranges.count)
        let root = append(condition, table: table)
        // A condition written again (every metric of one log metric tests the same fields) is
        // the same root, so that callers can test it once per event.
        if let earlier = roots.first(where: { same(root, $0) }) {
            nodes.removeSubrange(root...)
            values.removeSubrange(counts.0...)
            texts.removeSubrange(counts.1...)
            substrings.removeSubrange(counts.2...)
            patterns.removeSubrange(counts.3...)
            ranges.removeSubrange(counts.4...)
            return earlier
        }
        roots.append(root)
        return root
    }

    /// Appends the nodes of `condition`; returns its root.
    private mutating func append(_ condition: Condition, table: FieldPathTable) -> Int {
        let root = nodes.count
        nodes.append(Node(kind: condition.isAny ? .any : condition.isNot ? .not : .all))
        switch condition {
        case .equals(let pairs):
            for pair in pairs {
                var node = Node(kind: .equals, path: table.number(of: pair.path), constant: values.count)
                values.append(pair.value)
                if case .string(let text) = pair.value {
                    node.text = texts.count..<(texts.count + text.utf8.count)
                    texts.append(contentsOf: text.utf8)
                }
                nodes.append(node)
            }
        case .contains(let pairs):
            for pair in pairs {
                nodes.append(Node(kind: .contains, path: table.number(of: pair.path), constant: substrings.count))
                substrings.append(pair.substring)
            }
        case .regexp(let pairs):
            for pair in pairs {
                nodes.append(Node(kind: .regexp, path: table.number(of: pair.path), constant: patterns.count))
                patterns.append(pair.pattern)
            }
        case .range(let pairs):
            for pair in pairs {
                nodes.append(Node(kind: .range, path: table.number(of: pair.path), constant: ranges.count))
                ranges.append(pair.bounds)
            }
        case .hasFields(let paths):
            for path in paths { nodes.append(Node(kind: .present, path: table.number(of: path))) }
        case .and(let conditions), .or(let conditions):
            for condition in conditions { _ = append(condition, table: table) }
        case .not(let condition):
            _ = append(condition, table: table)
        }
        nodes[root].size = nodes.count - root
        if nodes[root].kind == .all && nodes[root].size == 2 {
            // One test (`has_fields: [timestamp]`, one `equals` pair): the test alone, a level
            // of recursion less for every event.
            nodes[root] = nodes[root + 1]
            nodes.removeLast()
        }
        return root
    }

    /// Whether the conditions at `first` and `second` are written the same.
    private func same(_ first: Int, _ second: Int) -> Bool {
        guard nodes[first].size == nodes[second].size else { return false }
        for offset in 0..<nodes[first].size {
            let (a, b) = (nodes[first + offset], nodes[second + offset])
            guard a.kind == b.kind, a.size == b.size, a.path == b.path else { return false }
            switch a.kind {
            case .equals: guard values[a.constant] == values[b.constant] else { return false }
            case .contains: guard substrings[a.constant] == substrings[b.constant] else { return false }
            case .regexp: guard patterns[a.constant].source == patterns[b.constant].source else { return false }
            case .range: guard ranges[a.constant] == ranges[b.constant] else { return false }
            case .all, .any, .not, .present: break
            }
        }
        return true
    }

    /// Whether `event` of `batch` satisfies the condition whose root `add` returned; `matchers`
    /// holds a matcher of each of `patterns`, in order.
    package func matches(
        _ root: Int,
        event: Int,
        reader: inout FieldReader,
        matchers: [RegularExpression.Matcher],
        in batch: EventBatch
    ) -> Bool {
        let node = nodes[root]
        switch node.kind {
        case .all, .any:
            let decides = node.kind == .any
            var child = root + 1
            while child < root + node.size {
                if matches(child, event: event, reader: &reader, matchers: matchers, in: batch) == decides {
                    return decides
                }
                child += nodes[child].size
            }
            return !decides
        case .not:
            return !matches(root + 1, event: event, reader: &reader, matchers: matchers, in: batch)
        case .present:
            return reader.value(node.path, event: event, in: batch) != nil
        case .equals:
            guard let slot = reader.value(node.path, event: event, in: batch) else { return false }
            switch (slot, node.text) {
            case (.text, let text?), (.jsonString(_, escaped: false), let text?):
                return texts.withUnsafeBufferPointer { batch.textEquals(slot, UnsafeBufferPointer(rebasing: $0[text])) }
            default:
                break
            }
            return Condition.equal(slot, values[node.constant], in: batch)
        case .contains:
            guard let slot = reader.value(node.path, event: event, in: batch) else { return false }
            return Condition.contains(slot, substrings[node.constant], in: batch)
        case .regexp:
            guard let slot = reader.value(node.path, event: event, in: batch) else { return false }
            return Condition.matches(slot, patterns[node.constant], using: matchers[node.constant], in: batch)
        case .range:
            guard let slot = reader.value(node.path, event: event, in: batch) else { return false }
            return Condition.inRange(slot, ranges[node.constant], in: batch)
        }
    }
}

extension Condition {
    fileprivate var isAny: Bool {
        if case .or = self { return true }
        return false
    }

    fileprivate var isNot: Bool {
        if case .not = self { return true }
        return false
    }

    /// Every path the condition reads, in order, with repeats.
    package var paths: [FieldPath] {
        switch self {
        case .equals(let pairs): return pairs.map(\.path)
        case .contains(let pairs): return pairs.map(\.path)
        case .regexp(let pairs): return pairs.map(\.path)
        case .range(let pairs): return pairs.map(\.path)
        case .hasFields(let paths): return paths
        case .and(let conditions), .or(let conditions): return conditions.flatMap(\.paths)
        case .not(let condition): return condition.paths
        }
    }
}

/// A `Condition` prepared once for testing the events of many batches (a transform's `when`):
/// its paths numbered, its tree compiled to `EventConditions`.
package struct PreparedCondition: Sendable {
    private let table: FieldPathTable
    private let conditions: EventConditions
    private let root: Int

    package init(_ condition: Condition) {
        table = FieldPathTable(condition.paths)
        var conditions = EventConditions()
        root = conditions.add(condition, table: table)
        self.conditions = conditions
    }

    /// Whether each event of `batch` satisfies the condition. `batch` only gains keys.
    package func matches(in batch: inout EventBatch) -> [Bool] {
        var reader = FieldReader(table, in: &batch)
        let matchers = conditions.patterns.map { $0.makeMatcher() }
        return (0..<batch.count).map { event in
            conditions.matches(root, event: event, reader: &reader, matchers: matchers, in: batch)
        }
    }
}
