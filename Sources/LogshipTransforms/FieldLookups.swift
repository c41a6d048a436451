package import LogshipCore

/// The values of some field paths for the events of one batch, each looked up at most once per
/// event and path however many conditions, labels and values ask for it.
///
/// `log_to_metric` asks for the same fields again and again: every metric of the Aetherra
/// contract tests `type` and `metric`, and several read `labels.endpoint`. A lookup walks the
/// event's fields; here the walk happens once and the answer is kept in a flat table of cells
/// (path × event), filled as events ask. Valid while the batch's fields do not change: make one
/// per batch and step.
package struct FieldLookups {
    private var columns: [FieldPath: Int] = [:]
    private var paths: [ResolvedPath] = []
    private var shortPaths: [ShortPath?] = []
    /// `cells[column * events + event]`: `.none` until looked up, then the value or `nil`.
    private var cells: [FieldSlot??] = []
    private let events: Int

    /// Lookups for the events of `batch`.
    package init(for batch: EventBatch) {
        events = batch.count
    }

    /// The column of `path`, resolved in `batch` the first time.
    package mutating func column(_ path: FieldPath, in batch: inout EventBatch) -> Int {
        if let column = columns[path] { return column }
        let resolved = batch.resolve(path)
        let column = paths.count
        columns[path] = column
        paths.append(resolved)
        shortPaths.append(resolved.short)
        cells.append(contentsOf: repeatElement(.none, count: events))
        return column
    }

    /// The value of `column`'s path in `event` of `batch` (the batch these lookups were made for).
    @inline(__always)
    package mutating func value(_ column: Int, event: Int, in batch: EventBatch) -> FieldSlot? {
        let cell = column * events + event
        if case .some(let known) = cells[cell] { return known }
        let value =
            if let short = shortPaths[column] {
                batch.value(at: short, in: event)
            } else {
                batch.value(at: paths[column], in: event)
            }
        cells[cell] = .some(value)
        return value
    }
}
