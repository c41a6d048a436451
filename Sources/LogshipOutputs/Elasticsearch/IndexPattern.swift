import LogshipCore

package import struct Foundation.Date

/// The name of the index events are written to: literal text plus date references such as
/// `logship-%{+yyyy.MM.dd}`, formatted from each event's `timestamp` in UTC.
///
/// Inside `%{+…}` the tokens `yyyy` (year), `MM` (month), `dd` (day) and `HH` (hour, 00-23) may be
/// joined by `.`, `-` or `_`. Anything else is rejected when parsing: other letters (`YYYY`, the
/// week-based year, is a common mistake), field references such as `%{[host]}`, unclosed `%{`, and
/// text Elasticsearch does not accept in an index name (upper case, `\ / * ? " < > | , # :`, space,
/// a leading `-`, `_` or `+`, `.` or `..`, more than 255 bytes).
///
/// Formatting is plain integer arithmetic; the bulk encoder caches the result per hour, so that a
/// name is formatted once per hour of event time rather than once per event.
package struct IndexPattern: Sendable, Equatable, CustomStringConvertible {
    private enum Part: Sendable, Equatable {
        case literal(String)
        case year
        case month
        case day
        case hour
    }

    private static let forbiddenCharacters: Set<Character> = [
        "\\", "/", "*", "?", "\"", "<", ">", "|", ",", "#", ":", " ",
    ]
    private static let dateSeparators: Set<Character> = [".", "-", "_"]

    /// The pattern as written.
    package let pattern: String
    private let parts: [Part]

    /// `true` when the name depends on the hour (`HH` is used); otherwise it changes at most daily.
    package var usesHour: Bool { parts.contains(.hour) }

    /// `true` when the pattern has no date references: every event goes to the same index.
    package var isConstant: Bool { parts.allSatisfy { if case .literal = $0 { true } else { false } } }

    package var description: String { pattern }

    /// Parses `pattern`; throws `ElasticsearchOutputError.invalidIndexPattern` naming the problem.
    package init(parsing pattern: String) throws(ElasticsearchOutputError) {
        func fail(_ reason: String) -> ElasticsearchOutputError {
            .invalidIndexPattern(pattern: pattern, reason: reason)
        }
        var parts: [Part] = []
        var literal = ""
        var rest = Substring(pattern)
        while let character = rest.first {
            if rest.hasPrefix("%{") {
                guard let close = rest.firstIndex(of: "}") else { throw fail("'%{' is not closed by '}'") }
                let reference = rest[rest.index(rest.startIndex, offsetBy: 2)..<close]
                guard reference.hasPrefix("+") else {
                    throw fail("'%{\(reference)}' is not supported: only date references '%{+yyyy.MM.dd}' are")
                }
                if !literal.isEmpty { parts.append(.literal(literal)) }
                literal = ""
                parts += try Self.parseDate(reference.dropFirst(), fail: fail)
                rest = rest[rest.index(after: close)...]
                continue
            }
            if character.isUppercase { throw fail("index names must be lower case, found '\(character)'") }
            if Self.forbiddenCharacters.contains(character) {
                throw fail("'\(character)' is not allowed in an index name")
            }
            literal.append(character)
            rest = rest.dropFirst()
        }
        if !literal.isEmpty { parts.append(.literal(literal)) }
        guard !parts.isEmpty else { throw fail("the pattern is empty") }
        if case .literal(let first) = parts[0], let head = first.first, "-_+".contains(head) {
            throw fail("an index name must not start with '\(head)'")
        }
        if parts == [.literal(".")] || parts == [.literal("..")] { throw fail("'.' and '..' are not index names") }
        let length = parts.reduce(0) { total, part in
            switch part {
            case .literal(let text): total + text.utf8.count
            case .year: total + 4
            case .month, .day, .hour: total + 2
            }
        }
        guard length <= 255 else { throw fail("index names are limited to 255 bytes, this one has \(length)") }
        self.pattern = pattern
        self.parts = parts
    }

    private static func parseDate(
        _ format: Substring,
        fail: (String) -> ElasticsearchOutputError
    ) throws(ElasticsearchOutputError) -> [Part] {
        guard !format.isEmpty else { throw fail("the date reference '%{+}' has no format") }
        var parts: [Part] = []
        var rest = format
        while let character = rest.first {
            if rest.hasPrefix("yyyy") {
                parts.append(.year)
                rest = rest.dropFirst(4)
            } else if rest.hasPrefix("MM") {
                parts.append(.month)
                rest = rest.dropFirst(2)
            } else if rest.hasPrefix("dd") {
                parts.append(.day)
                rest = rest.dropFirst(2)
            } else if rest.hasPrefix("HH") {
                parts.append(.hour)
                rest = rest.dropFirst(2)
            } else if dateSeparators.contains(character) {
                if case .literal(let text) = parts.last {
                    parts[parts.count - 1] = .literal(text + String(character))
                } else {
                    parts.append(.literal(String(character)))
                }
                rest = rest.dropFirst()
            } else if rest.hasPrefix("YYYY") {
                throw fail("'YYYY' is the week-based year; use 'yyyy' for the calendar year")
            } else {
                throw fail(
                    "unsupported date format text '\(rest)' in '%{+\(format)}': use yyyy, MM, dd, HH joined by . - _"
                )
            }
        }
        return parts
    }

    /// The index name for an event at `date`, in UTC.
    package func indexName(for date: Date) -> String {
        indexName(for: UTCDateTime(date))
    }

    /// The index name for the calendar fields of `time`.
    func indexName(for time: UTCDateTime) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(64)
        for part in parts {
            switch part {
            case .literal(let text): bytes.append(contentsOf: text.utf8)
            case .year: UTCDateTime.appendDigits(time.year, count: 4, to: &bytes)
            case .month: UTCDateTime.appendDigits(time.month, count: 2, to: &bytes)
            case .day: UTCDateTime.appendDigits(time.day, count: 2, to: &bytes)
            case .hour: UTCDateTime.appendDigits(time.hour, count: 2, to: &bytes)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
