/// A line diff of expected text against actual text, printed the way `diff -u` does: hunks
/// headed `@@ -line,count +line,count @@`, expected lines as `- `, actual lines as `+ `, and
/// up to `context` unchanged lines around each change as `  `.
///
/// The lines common to both ends are set aside first; the rest is matched by a longest common
/// subsequence, whose table has a cell per pair of lines. Beyond `maximumCells` cells (4 million:
/// two texts of 2,000 differing lines) the middle is shown as removed and then added, unmatched.
package enum LineDiff {
    /// One line of the diff.
    package enum Line: Sendable, Equatable {
        case same(String)
        case removed(String)
        case added(String)
    }

    /// The most cells of the longest-common-subsequence table.
    package static let maximumCells = 4_000_000

    /// Every line of both texts, in diff order.
    package static func lines(expected: [String], actual: [String]) -> [Line] {
        var prefix = 0
        while prefix < expected.count, prefix < actual.count, expected[prefix] == actual[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < expected.count - prefix, suffix < actual.count - prefix,
            expected[expected.count - 1 - suffix] == actual[actual.count - 1 - suffix]
        {
            suffix += 1
        }
        let old = Array(expected[prefix..<(expected.count - suffix)])
        let new = Array(actual[prefix..<(actual.count - suffix)])
        var result = expected[..<prefix].map(Line.same)
        result += middle(old, new)
        result += expected[(expected.count - suffix)...].map(Line.same)
        return result
    }

    /// The hunks of the diff as printable lines; empty when the texts are equal.
    package static func render(expected: [String], actual: [String], context: Int = 2) -> [String] {
        let diff = lines(expected: expected, actual: actual)
        let changed = diff.indices.filter { if case .same = diff[$0] { false } else { true } }
        guard let first = changed.first else { return [] }
        // Runs of changes closer than twice the context share a hunk.
        var hunks: [ClosedRange<Int>] = []
        var start = first
        var end = first
        for index in changed.dropFirst() {
            if index - end > 2 * context + 1 {
                hunks.append(start...end)
                start = index
            }
            end = index
        }
        hunks.append(start...end)
        // Line numbers (1-based) of each diff line in the expected and the actual text.
        var oldNumbers: [Int] = []
        var newNumbers: [Int] = []
        var old = 1
        var new = 1
        for line in diff {
            oldNumbers.append(old)
            newNumbers.append(new)
            switch line {
            case .same:
                old += 1
                new += 1
            case .removed: old += 1
            case .added: new += 1
            }
        }
        var output: [String] = []
        for hunk in hunks {
            let range = max(0, hunk.lowerBound - context)...min(diff.count - 1, hunk.upperBound + context)
            let slice = diff[range]
            let oldCount = slice.filter { if case .added = $0 { false } else { true } }.count
            let newCount = slice.filter { if case .removed = $0 { false } else { true } }.count
            // As `diff -u`: an empty side is numbered by the line before it.
            let oldStart = oldCount == 0 ? oldNumbers[range.lowerBound] - 1 : oldNumbers[range.lowerBound]
            let newStart = newCount == 0 ? newNumbers[range.lowerBound] - 1 : newNumbers[range.lowerBound]
            output.append("@@ -\(oldStart),\(oldCount) +\(newStart),\(newCount) @@")
            for line in slice {
                switch line {
                case .same(let text): output.append("  " + text)
                case .removed(let text): output.append("- " + text)
                case .added(let text): output.append("+ " + text)
                }
            }
        }
        return output
    }

    /// The diff of two texts with no common first or last line.
    private static func middle(_ old: [String], _ new: [String]) -> [Line] {
        guard !old.isEmpty, !new.isEmpty, old.count * new.count <= maximumCells else {
            return old.map(Line.removed) + new.map(Line.added)
        }
        // lengths[i][j]: the longest common subsequence of old[i...] and new[j...], row by row.
        let width = new.count + 1
        var lengths = [Int32](repeating: 0, count: (old.count + 1) * width)
        for i in stride(from: old.count - 1, through: 0, by: -1) {
            for j in stride(from: new.count - 1, through: 0, by: -1) {
                lengths[i * width + j] =
                    old[i] == new[j]
                    ? lengths[(i + 1) * width + j + 1] + 1
                    : max(lengths[(i + 1) * width + j], lengths[i * width + j + 1])
            }
        }
        var result: [Line] = []
        var i = 0
        var j = 0
        while i < old.count, j < new.count {
            if old[i] == new[j] {
                result.append(.same(old[i]))
                i += 1
                j += 1
            } else if lengths[(i + 1) * width + j] >= lengths[i * width + j + 1] {
                result.append(.removed(old[i]))
                i += 1
            } else {
                result.append(.added(new[j]))
                j += 1
            }
        }
        result += old[i...].map(Line.removed)
        result += new[j...].map(Line.added)
        return result
    }
}
