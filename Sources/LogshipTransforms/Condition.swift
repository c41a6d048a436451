import Glibc
package import LogshipCore

import struct Foundation.Date

/// A Filebeat-style condition, as used by `when:`.
///
/// - `equals`: every path holds a value equal to the given one. Strings compare as text,
///   numbers numerically (`1` equals `1.0`), booleans as booleans; a string and a number are
///   equal when the string parses as that number (`"500"` equals `500`), since whether YAML or
///   the log quoted a number is rarely meaningful. Null, arrays and objects never match.
/// - `contains`: every path holds a string containing the substring (case-sensitive), or an
///   array with at least one such string.
/// - `regexp`: every path holds a string in which the pattern matches somewhere (anchor with
///   `^`/`$` to match the whole value).
/// - `range`: every path holds a number (or a string that parses as one, like `equals`) within
///   the bounds (`gt`, `gte`, `lt`, `lte`; Filebeat's `range`).
/// - `hasFields`: every path is present (a `null` value counts as present).
/// - `and` / `or` / `not`: combinations; an empty `and` is true, an empty `or` is false.
///
/// A missing field makes `equals`, `contains`, `regexp` and `range` false.
package indirect enum Condition: Sendable {
    /// Every path holds a value equal to the given one.
    case equals([(path: FieldPath, value: FieldValue)])
    /// Every path holds a string (or an array with a string) containing the substring.
    case contains([(path: FieldPath, substring: String)])
    /// Every path holds a string in which the pattern matches.
    case regexp([(path: FieldPath, pattern: RegexPattern)])
    /// Every path holds a number within the bounds.
    case range([(path: FieldPath, bounds: NumericRange)])
    /// Every path is present.
    case hasFields([FieldPath])
    /// All conditions hold.
    case and([Condition])
    /// At least one condition holds.
    case or([Condition])
    /// The condition does not hold.
    case not(Condition)

    /// Whether `event` satisfies the condition (for tests and single events; transforms use
    /// `matches(in:)` over their batch).
    package func matches(_ event: Event) -> Bool {
        var batch = EventBatch([event])
        return matches(in: &batch)[0]
    }

    /// Whether `fields` satisfy the condition.
    package func matches(_ fields: FieldObject) -> Bool {
        matches(Event(fields: fields, timestamp: Date(timeIntervalSince1970: 0)))
    }

    /// Whether each event of `batch` satisfies the condition (for tests and one-off checks:
    /// transforms prepare their `when` once, as `PreparedCondition`). `batch` only gains keys.
    package func matches(in batch: inout EventBatch) -> [Bool] {
        PreparedCondition(self).matches(in: &batch)
    }

    // MARK: Leaves, tested by `EventConditions`

    /// `regexp`: whether `pattern` matches in a string value, searching with `matcher`.
    static func matches(
        _ slot: FieldSlot,
        _ pattern: RegexPattern,
        using matcher: RegularExpression.Matcher,
        in batch: EventBatch
    ) -> Bool {
        batch.withText(slot) { pattern.matches($0, using: matcher) } ?? false
    }

    /// `contains`: whether a string value, or a string of an array value, contains `substring`.
    static func contains(_ slot: FieldSlot, _ substring: String, in batch: EventBatch) -> Bool {
        if let found = batch.withText(slot, { contains($0, substring) }) { return found }
        guard case .array(let values) = batch.value(slot) else { return false }
        return values.contains { value in
            guard case .string(var text) = value else { return false }
            return text.withUTF8 { contains($0, substring) }
        }
    }

    /// `equals`: whether a value in `batch` equals `expected` (`equal(_:_:)`, strings compared
    /// as bytes without decoding).
    static func equal(_ slot: FieldSlot, _ expected: FieldValue, in batch: EventBatch) -> Bool {
        switch (slot, expected) {
        case (.text, .string(let text)), (.jsonString, .string(let text)):
            var text = text
            return text.withUTF8 { expectedBytes in
                batch.withText(slot) { $0.elementsEqual(expectedBytes) } ?? false
            }
        case (.object, _), (.json(_, .object), _), (.json(_, .array), _):
            return false
        default:
            return equal(batch.value(slot), expected)
        }
    }

    private static func equal(_ actual: FieldValue, _ expected: FieldValue) -> Bool {
        switch (actual, expected) {
        case (.string(let left), .string(let right)): return left == right
        case (.bool(let left), .bool(let right)): return left == right
        case (.integer(let left), .integer(let right)): return left == right
        case (.integer, .double), (.double, .integer), (.double, .double), (.string, .integer), (.string, .double),
            (.integer, .string), (.double, .string):
            guard let left = actual.numberValue, let right = expected.numberValue else { return false }
            return left == right
        default: return false
        }
    }

    /// `range`: whether a value is a number (or a string that parses as one) within `bounds`.
    static func inRange(_ slot: FieldSlot, _ bounds: NumericRange, in batch: EventBatch) -> Bool {
        batch.number(slot).map(bounds.contains) ?? false
    }

    /// Substring search on the UTF-8 bytes (no Unicode normalisation, unlike `String.contains`).
    private static func contains(_ haystack: UnsafeBufferPointer<UInt8>, _ substring: String) -> Bool {
        var substring = substring
        return substring.withUTF8 { needle in
            guard !needle.isEmpty else { return true }
            guard let base = haystack.baseAddress, let needleBase = needle.baseAddress,
                haystack.count >= needle.count
            else { return false }
            let first = Int32(needle[0])
            var start = 0
            let last = haystack.count - needle.count
            while start <= last {
                guard let found = memchr(base + start, first, last - start + 1) else { return false }
                let position = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
                if memcmp(base + position, needleBase, needle.count) == 0 { return true }
                start = position + 1
            }
            return false
        }
    }
}

/// The bounds of a `range` condition; a missing bound does not limit.
package struct NumericRange: Sendable, Equatable {
    /// `gt`: the value must be above it.
    package var above: Double?
    /// `gte`: the value must be at least it.
    package var atLeast: Double?
    /// `lt`: the value must be below it.
    package var below: Double?
    /// `lte`: the value must be at most it.
    package var atMost: Double?

    package init(above: Double? = nil, atLeast: Double? = nil, below: Double? = nil, atMost: Double? = nil) {
        self.above = above
        self.atLeast = atLeast
        self.below = below
        self.atMost = atMost
    }

    /// Whether `value` is within every bound given.
    package func contains(_ value: Double) -> Bool {
        (above.map { value > $0 } ?? true) && (atLeast.map { value >= $0 } ?? true)
            && (below.map { value < $0 } ?? true) && (atMost.map { value <= $0 } ?? true)
    }
}

extension Condition {
    /// The condition without the test `path == text` where it is required (in `equals`, or in an
    /// `equals` of an `and`); `nil` when nothing else is left to test. For a caller that knows
    /// the test holds (`log_to_metric`'s dispatch on a field).
    package func removingEquality(of path: FieldPath, to text: String) -> Condition? {
        switch self {
        case .equals(let pairs):
            let rest = pairs.filter { pair in
                guard pair.path == path, case .string(let value) = pair.value else { return true }
                return value != text
            }
            return rest.isEmpty ? nil : .equals(rest)
        case .and(let parts):
            let rest = parts.compactMap { $0.removingEquality(of: path, to: text) }
            if rest.isEmpty { return nil }
            return rest.count == 1 ? rest[0] : .and(rest)
        default:
            return self
        }
    }
}
