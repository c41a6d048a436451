package import LogshipCore

/// Field paths given numbers for a `FieldReader`: the one-segment paths first (at most 64, read
/// together in one walk of an event's fields), then the others. A step makes one from every path
/// it reads, once; the parent of each two-segment path is added, since its members are read from
/// it.
package struct FieldPathTable: Sendable {
    /// The paths, by number.
    package let paths: [FieldPath]
    /// How many of `paths`, the first, have one segment.
    let topLevelCount: Int
    private let numbers: [FieldPath: Int]

    /// Numbers the distinct paths of `requested` (and their parents).
    package init(_ requested: [FieldPath]) {
        var topLevel: [FieldPath] = []
        var others: [FieldPath] = []
        var seen = Set<FieldPath>()
        func add(_ path: FieldPath) {
            guard seen.insert(path).inserted else { return }
            if path.segments.count == 1 && topLevel.count < 64 { topLevel.append(path) } else { others.append(path) }
        }
        for path in requested {
            if path.segments.count == 2 { add(FieldPath(segments: [path.segments[0]])) }
            add(path)
        }
        paths = topLevel + others
        topLevelCount = topLevel.count
        numbers = Dictionary(uniqueKeysWithValues: paths.enumerated().map { ($1, $0) })
    }

    /// The number of `path`, which must be one of the paths the table was made from.
    package func number(of path: FieldPath) -> Int {
        guard let number = numbers[path] else { preconditionFailure("\(path) is not in the table") }
        return number
    }
}

/// The values of a `FieldPathTable`'s paths in the events of one batch, read an event at a time.
///
/// For a step that tests and reads several fields of every event (`log_to_metric`: conditions,
/// label fields, values), asking in event order. The first question about an event reads all of
/// its one-segment paths in one walk of its fields (`EventBatch.topLevelValues`); the first about a
/// member of an object held as JSON text reads every member asked for under it in one pass over
/// the text (`EventBatch.members`); later questions about the same event are answered from
/// slots. So an event's fields are read while they are in the cache, and nothing is kept per
/// event. It replaced a table of path × event cells filled a metric at a time over the whole
/// batch, whose bookkeeping was most of `log_to_metric`'s time (a quarter of a `--output null`
/// run). Valid while the batch's fields do not change: make one per batch and step (copies share
/// their cells: pass it `inout`).
package struct FieldReader {
    private enum Source {
        case topLevel
        /// A member of the one-segment path numbered `parent`; its resolved path, for a parent
        /// whose members are fields rather than JSON text.
        case member(parent: Int, path: ShortPath)
        case path(ResolvedPath)
    }

    private let sources: [Source]
    /// By number, how `read` finds it, as a plain integer (switching over `sources` copied the
    /// enum, a path with it, on every read): `topLevel`, `other`, or the parent's number for a
    /// member.
    private let parents: [Int]
    private static let topLevel = -2
    private static let other = -1
    private let topLevelCount: Int
    private var topLevelKeys: TopLevelKeys
    /// Per one-segment number: where the members read under it are in `memberNumbers` and
    /// `memberKeys` (flat: copying an inner array out of an array of arrays retained it, per
    /// event).
    private let memberGroups: [Range<Int>]
    private let memberNumbers: [Int]
    private let memberKeys: [Range<Int>]
    /// By number: the value for the event in `readFor` (`nil`: the event has none); and scratch
    /// for one pass over an object's members.
    private let cells: Cells
    /// With one one-segment path: where the last event had its key.
    private var hint = -1

    /// A reader of `table`'s paths in the events of `batch`, whose keys it resolves there.
    package init(_ table: FieldPathTable, in batch: inout EventBatch) {
        let count = table.paths.count
        topLevelCount = table.topLevelCount
        var sources: [Source] = []
        var groupNumbers = [[Int]](repeating: [], count: topLevelCount)
        var groupKeys = [[Range<Int>]](repeating: [], count: topLevelCount)
        var topLevelRanges: [Range<Int>] = []
        for (number, path) in table.paths.enumerated() {
            let resolved = batch.resolve(path)
            if number < topLevelCount {
                sources.append(.topLevel)
                topLevelRanges.append(resolved.first)
            } else if let short = resolved.short, short.count == 2,
                case let parent = table.number(of: FieldPath(segments: [path.segments[0]])), parent < topLevelCount,
                groupNumbers[parent].count < 64
            {
                sources.append(.member(parent: parent, path: short))
                groupNumbers[parent].append(number)
                groupKeys[parent].append(short.second)
            } else {
                sources.append(.path(resolved))
            }
        }
        self.sources = sources
        parents = sources.map { source in
            switch source {
            case .topLevel: Self.topLevel
            case .member(let parent, _): parent
            case .path: Self.other
            }
        }
        var start = 0
        memberGroups = groupNumbers.map { numbers in
            defer { start += numbers.count }
            return start..<(start + numbers.count)
        }
        memberNumbers = groupNumbers.flatMap { $0 }
        memberKeys = groupKeys.flatMap { $0 }
        topLevelKeys = batch.topLevelKeys(topLevelRanges)
        cells = Cells(count: count, scratch: groupNumbers.map(\.count).max() ?? 0)
    }

    /// The value of the path numbered `number` in `event` of `batch` (the batch the reader was
    /// made for), or `nil` when the event has none.
    @inline(__always)
    package mutating func value(_ number: Int, event: Int, in batch: EventBatch) -> FieldSlot? {
        precondition(number >= 0 && number < sources.count, "a path of the reader's table")
        if cells.readFor[number] == event { return cells.values[number] }
        return read(number, event: event, in: batch)
    }

    /// A value not yet read for `event`: reads it with the others read the same way.
    private mutating func read(_ number: Int, event: Int, in batch: EventBatch) -> FieldSlot? {
        let values = cells.values
        let readFor = cells.readFor
        let parent = parents[number]
        if parent == Self.topLevel {
            if topLevelCount == 1 {
                // One key (`has_fields: [timestamp]`): looked up directly, where the last event
                // had it.
                values[0] = batch.value(atKey: topLevelKeys.ranges[0], in: event, hint: &hint)
                readFor[0] = event
            } else {
                for position in 0..<topLevelCount {
                    values[position] = nil
                    readFor[position] = event
                }
                batch.topLevelValues(&topLevelKeys, in: event, into: values)
            }
        } else if parent >= 0 {
            let group = memberGroups[parent]
            for member in group {
                values[memberNumbers[member]] = nil
                readFor[memberNumbers[member]] = event
            }
            switch value(parent, event: event, in: batch) {
            case .json(let range, .object)?:
                let found = cells.scratch
                for position in 0..<group.count { found[position] = nil }
                memberKeys.withUnsafeBufferPointer { keys in
                    batch.members(UnsafeBufferPointer(rebasing: keys[group]), ofObjectAt: range, into: found)
                }
                for member in group { values[memberNumbers[member]] = found[member - group.lowerBound] }
            case .object?:
                for member in group {
                    guard case .member(_, let path) = sources[memberNumbers[member]] else { continue }
                    values[memberNumbers[member]] = batch.value(at: path, in: event)
                }
            default:
                break
            }
        } else {
            guard case .path(let path) = sources[number] else { preconditionFailure("a path") }
            values[number] = batch.value(at: path, in: event)
            readFor[number] = event
        }
        return values[number]
    }
}

/// A `FieldReader`'s cells, in memory of their own: written several times per event through
/// pointers (arrays held by the reader were checked for uniqueness on every write, and each
/// write through `values` was a call into the runtime).
private final class Cells {
    let values: UnsafeMutablePointer<FieldSlot?>
    let readFor: UnsafeMutablePointer<Int>
    let scratch: UnsafeMutablePointer<FieldSlot?>
    private let count: Int
    private let scratchCount: Int

    init(count: Int, scratch: Int) {
        self.count = count
        scratchCount = max(scratch, 1)
        values = .allocate(capacity: count)
        values.initialize(repeating: nil, count: count)
        readFor = .allocate(capacity: count)
        readFor.initialize(repeating: -1, count: count)
        self.scratch = .allocate(capacity: scratchCount)
        self.scratch.initialize(repeating: nil, count: scratchCount)
    }

    deinit {
        values.deinitialize(count: count)
        values.deallocate()
        readFor.deallocate()
        scratch.deinitialize(count: scratchCount)
        scratch.deallocate()
    }
}
