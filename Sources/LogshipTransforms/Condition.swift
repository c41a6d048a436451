package import LogshipCore

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
/// - `hasFields`: every path is present (a `null` value counts as present).
/// - `and` / `or` / `not`: combinations; an empty `and` is true, an empty `or` is false.
///
/// A missing field makes `equals`, `contains` and `regexp` false.
package indirect enum Condition: Sendable {
    /// Every path holds a value equal to the given one.
    case equals([(path: FieldPath, value: FieldValue)])
    /// Every path holds a string (or an array with a string) containing the substring.
    case contains([(path: FieldPath, substring: String)])
    /// Every path holds a string in which the pattern matches.
    case regexp([(path: FieldPath, pattern: RegexPattern)])
    /// Every path is present.
    case hasFields([FieldPath])
    /// All conditions hold.
    case and([Condition])
    /// At least one condition holds.
    case or([Condition])
    /// The condition does not hold.
    case not(Condition)

    /// Whether `event` satisfies the condition.
    package func matches(_ event: Event) -> Bool {
        matches(event.fields)
    }

    /// Whether `fields` satisfy the condition.
    package func matches(_ fields: FieldObject) -> Bool {
        switch self {
        case .equals(let pairs):
            return pairs.allSatisfy { pair in
                guard let value = fields[path: pair.path] else { return false }
                return Self.equal(value, pair.value)
            }
        case .contains(let pairs):
            return pairs.allSatisfy { pair in
                switch fields[path: pair.path] {
                case .string(let text)?: return Self.contains(text, pair.substring)
                case .array(let values)?:
                    return values.contains { value in
                        if case .string(let text) = value { return Self.contains(text, pair.substring) }
                        return false
                    }
                default: return false
                }
            }
        case .regexp(let pairs):
            return pairs.allSatisfy { pair in
                guard case .string(let text)? = fields[path: pair.path] else { return false }
                return pair.pattern.matches(text)
            }
        case .hasFields(let paths):
            return paths.allSatisfy { fields[path: $0] != nil }
        case .and(let conditions):
            return conditions.allSatisfy { $0.matches(fields) }
        case .or(let conditions):
            return conditions.contains { $0.matches(fields) }
        case .not(let condition):
            return !condition.matches(fields)
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

    /// Substring search on the UTF-8 bytes (no Unicode normalisation, unlike `String.contains`).
    private static func contains(_ text: String, _ substring: String) -> Bool {
        let needle = substring.utf8
        guard let first = needle.first else { return true }
        let haystack = text.utf8
        guard haystack.count >= needle.count else { return false }
        var start = haystack.startIndex
        let last = haystack.index(haystack.endIndex, offsetBy: -needle.count)
        while start <= last {
            if haystack[start] == first && haystack[start...].starts(with: needle) { return true }
            start = haystack.index(after: start)
        }
        return false
    }
}
