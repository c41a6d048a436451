package import LogshipCore

/// The values of some field paths for the events of one batch, each looked up at most once per
/// event and path however many conditions, labels and values ask for it.
///
/// `log_to_metric` asks for the same fields again and again: every metric of the Aetherra
/// contract tests `type` and `metric`, and several read members of `labels`. Here each answer is
/// kept in a flat table of cells (path × event), filled as events ask, and the lookups are
/// grouped: the one-segment paths of an event are all found in one walk of its fields, and the
/// members asked for under a parent held as JSON text (`labels.method`, `labels.endpoint`) in
/// one pass over that text. Valid while the batch's fields do not change: make one per batch
/// and step.
package struct FieldLookups {
    private var columns: [FieldPath: Int] = [:]
    // Per column, in plain arrays so that a lookup copies no reference-counted value.
    private var paths: [ResolvedPath] = []
    private var shortPaths: [ShortPath?] = []
    /// For a two-segment path: the column of its first segment; otherwise -1.
    private var parents: [Int] = []
    /// Whether the column is one of `topLevelColumns`.
    private var isTopLevel: [Bool] = []
    /// For a one-segment path: the two-segment columns under it, and their second keys.
    private var childColumns: [[Int]] = []
    private var childKeys: [[Range<Int>]] = []
    /// The columns of one-segment paths (at most 64), found together in one walk of an event's
    /// fields, and their keys prepared for that (made again when a column is added).
    private var topLevelColumns: [Int] = []
    private var topLevelKeys: TopLevelKeys?
    /// `cells[column * events + event]`: `.none` until looked up, then the value or `nil`.
    private var cells: [FieldSlot??] = []
    /// Results of `equals` comparisons over the whole batch, by column and expected value (few:
    /// searched in order).
    private var equalsResults: [(column: Int, value: FieldValue, matched: [Bool])] = []
    /// Scratch for one walk's results, by position among the keys looked up together.
    private var found: [FieldSlot?] = []
    private let events: Int

    /// Lookups for the events of `batch`.
    package init(for batch: EventBatch) {
        events = batch.count
    }

    /// The column of `path`, resolved in `batch` the first time.
    package mutating func column(_ path: FieldPath, in batch: inout EventBatch) -> Int {
        if let column = columns[path] { return column }
        let resolved = batch.resolve(path)
        var parent = -1
        if resolved.count == 2, let first = path.segments.first {
            let parentColumn = column(FieldPath(segments: [first]), in: &batch)
            if childColumns[parentColumn].count < 64 { parent = parentColumn }
        }
        let column = paths.count
        columns[path] = column
        paths.append(resolved)
        shortPaths.append(resolved.short)
        parents.append(parent)
        childColumns.append([])
        childKeys.append([])
        if parent >= 0 {
            childColumns[parent].append(column)
            childKeys[parent].append(resolved.second)
        }
        let topLevel = resolved.count == 1 && topLevelColumns.count < 64
        isTopLevel.append(topLevel)
        if topLevel {
            topLevelColumns.append(column)
            topLevelKeys = nil
        }
        cells.append(contentsOf: repeatElement(.none, count: events))
        return column
    }

    /// Whether each event's value at `column` equals `value`, when a condition has worked it out
    /// for this batch already.
    package func equalsResult(column: Int, value: FieldValue) -> [Bool]? {
        equalsResults.first { $0.column == column && $0.value == value }?.matched
    }

    /// Keeps `matched` for `equalsResult(column:value:)`.
    package mutating func keepEqualsResult(_ matched: [Bool], column: Int, value: FieldValue) {
        equalsResults.append((column, value, matched))
    }

    /// The value of `column`'s path in `event` of `batch` (the batch these lookups were made for).
    @inline(__always)
    package mutating func value(_ column: Int, event: Int, in batch: EventBatch) -> FieldSlot? {
        let cell = column * events + event
        if case .some(let known) = cells[cell] { return known }
        return lookUp(column, event: event, in: batch)
    }

    /// A miss: fills the cells of every column found in the same walk. No closure here: one that
    /// captured `batch` retained and released its buffers on every miss, a third of
    /// `log_to_metric`'s time in profiles.
    private mutating func lookUp(_ column: Int, event: Int, in batch: EventBatch) -> FieldSlot? {
        let cell = column * events + event
        if isTopLevel[column] {
            // Every one-segment path asked for, in one walk of the event's fields.
            if topLevelKeys == nil { topLevelKeys = batch.topLevelKeys(topLevelColumns.map { paths[$0].first }) }
            let count = topLevelColumns.count
            resetFound(count)
            // Columns added since the event's last walk are looked for; those it found are kept.
            var known: UInt64 = 0
            for position in 0..<count {
                if case .some = cells[topLevelColumns[position] * events + event] { known |= 1 << UInt64(position) }
            }
            batch.topLevelValues(&topLevelKeys!, in: event, into: &found, skipping: known)
            for position in 0..<count where known & (1 << UInt64(position)) == 0 {
                cells[topLevelColumns[position] * events + event] = .some(found[position])
            }
            return cells[cell] ?? nil
        }
        let parent = parents[column]
        if parent >= 0, case .json(let range, .object)? = value(parent, event: event, in: batch) {
            // All the members asked for under this parent, in one pass over its text.
            let count = childColumns[parent].count
            resetFound(count)
            batch.members(childKeys[parent], ofObjectAt: range, into: &found)
            for position in 0..<count {
                cells[childColumns[parent][position] * events + event] = .some(found[position])
            }
            return cells[cell] ?? nil
        }
        let value =
            if let short = shortPaths[column] {
                batch.value(at: short, in: event)
            } else {
                batch.value(at: paths[column], in: event)
            }
        cells[cell] = .some(value)
        return value
    }

    /// Makes `found[0..<count]` all `nil`.
    private mutating func resetFound(_ count: Int) {
        if found.count < count { found = Array(repeating: nil, count: count) }
        for position in 0..<count { found[position] = nil }
    }
}
