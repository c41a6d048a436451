package import LogshipCore

package import struct Foundation.Date

/// The name of the index events are written to: literal text, date references such as
/// `logship-%{+yyyy.MM.dd}`, formatted from each event's `timestamp` in UTC, and field references
/// such as `logs-%{[service]}-%{+yyyy.MM}` (Logstash's and Filebeat's syntax: `%{[labels][app]}`
/// and `%{[labels.app]}` both name `labels.app`).
///
/// Inside `%{+…}` the tokens `yyyy` (year), `MM` (month), `dd` (day) and `HH` (hour, 00-23) may be
/// joined by `.`, `-` or `_`. Anything else is rejected when parsing: other letters (`YYYY`, the
/// week-based year, is a common mistake), unclosed `%{`, and literal text Elasticsearch does not
/// accept in an index name (upper case, `\ / * ? " < > | , # :`, space, a leading `-`, `_` or `+`,
/// `.` or `..`, more than 255 bytes).
///
/// A field's value (a string, number or boolean) is lower-cased; when it is missing, another kind
/// of value, or would make a name Elasticsearch refuses (one of the characters above, a leading
/// `-`, `_` or `+`, over 255 bytes), `appendName` says so and the encoder uses the fallback index.
///
/// Formatting is plain integer arithmetic; the bulk encoder caches the result per hour, so that a
/// name without field references is formatted once per hour of event time rather than once per
/// event.
package struct IndexPattern: Sendable, Equatable, CustomStringConvertible {
    private enum Part: Sendable, Equatable {
        case literal(String)
        case year
        case month
        case day
        case hour
        case field(FieldPath)
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

    /// `true` when the pattern has no date or field references: every event goes to one index.
    package var isConstant: Bool { parts.allSatisfy { if case .literal = $0 { true } else { false } } }

    /// `true` when the name depends on fields of the event (`%{[field]}`).
    package var hasFields: Bool { parts.contains { if case .field = $0 { true } else { false } } }

    /// The fields the name refers to, in order.
    package var fieldPaths: [FieldPath] {
        parts.compactMap { if case .field(let path) = $0 { path } else { nil } }
    }

    /// `true` when the name depends on the event's date (`%{+…}`).
    package var usesDate: Bool { parts.contains { [.year, .month, .day, .hour].contains($0) } }

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
                if !literal.isEmpty { parts.append(.literal(literal)) }
                literal = ""
                if reference.hasPrefix("[") {
                    parts.append(.field(try Self.parseField(reference, fail: fail)))
                } else if reference.hasPrefix("+") {
                    parts += try Self.parseDate(reference.dropFirst(), fail: fail)
                } else {
                    throw fail(
                        "'%{\(reference)}' is neither a date '%{+yyyy.MM.dd}' nor a field '%{[service]}' reference"
                    )
                }
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
            case .field: total
            }
        }
        guard length <= 255 else { throw fail("index names are limited to 255 bytes, this one has \(length)") }
        self.pattern = pattern
        self.parts = parts
    }

    /// `[labels][app]` or `[labels.app]`: the path `labels.app`.
    private static func parseField(
        _ reference: Substring,
        fail: (String) -> ElasticsearchOutputError
    ) throws(ElasticsearchOutputError) -> FieldPath {
        var segments: [String] = []
        var rest = reference
        while !rest.isEmpty {
            guard rest.first == "[", let close = rest.firstIndex(of: "]") else {
                throw fail("'%{\(reference)}' is not a field reference such as '%{[service]}' or '%{[labels][app]}'")
            }
            let name = rest[rest.index(after: rest.startIndex)..<close]
            let parts = name.split(separator: ".", omittingEmptySubsequences: false)
            guard !name.isEmpty, !parts.contains(where: \.isEmpty) else {
                throw fail("'%{\(reference)}' names an empty field")
            }
            segments += parts.map(String.init)
            rest = rest[rest.index(after: close)...]
        }
        return FieldPath(segments: segments)
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

    /// The index name for the calendar fields of `time` (field references left out).
    func indexName(for time: UTCDateTime) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(64)
        for part in parts { Self.append(part, time: time, to: &bytes) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends a literal or date part for `time`; a field reference appends nothing.
    private static func append(_ part: Part, time: UTCDateTime, to bytes: inout [UInt8]) {
        switch part {
        case .literal(let text): bytes.append(contentsOf: text.utf8)
        case .year: UTCDateTime.appendDigits(time.year, count: 4, to: &bytes)
        case .month: UTCDateTime.appendDigits(time.month, count: 2, to: &bytes)
        case .day: UTCDateTime.appendDigits(time.day, count: 2, to: &bytes)
        case .hour: UTCDateTime.appendDigits(time.hour, count: 2, to: &bytes)
        case .field: break
        }
    }

    /// Why an event's index name could not be made from the pattern (it goes to the fallback).
    package enum NameProblem: Sendable, Equatable, CustomStringConvertible {
        case missingField(FieldPath)
        case invalid(String)

        package var description: String {
            switch self {
            case .missingField(let path): "no string, number or boolean at '\(path)'"
            case .invalid(let name): "'\(name)' is not a valid index name"
            }
        }
    }

    /// Appends the name for event `event` of `batch` at `time` to `bytes` (which should be
    /// empty), field values lower-cased; `nil` when it is valid, else what is wrong (`bytes` then
    /// holds part of a name).
    package func appendName(
        time: UTCDateTime,
        batch: EventBatch,
        event: Int,
        to bytes: inout [UInt8]
    ) -> NameProblem? {
        for part in parts {
            guard case .field(let path) = part else {
                Self.append(part, time: time, to: &bytes)
                continue
            }
            let start = bytes.count
            guard let slot = batch.value(at: path, in: event), batch.appendLabelText(slot, to: &bytes),
                bytes.count > start
            else { return .missingField(path) }
            if !Self.lowercase(&bytes, from: start) { return .invalid(String(decoding: bytes, as: UTF8.self)) }
        }
        guard Self.isValidName(bytes) else { return .invalid(String(decoding: bytes, as: UTF8.self)) }
        return nil
    }

    /// Lower-cases `bytes[start...]` (ASCII in place; other text through `String`); `false` when
    /// the text has a character no index name may have.
    private static func lowercase(_ bytes: inout [UInt8], from start: Int) -> Bool {
        var ascii = true
        for position in start..<bytes.count {
            let byte = bytes[position]
            if byte >= 0x80 {
                ascii = false
            } else if byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") {
                bytes[position] = byte + 32
            } else if forbiddenBytes.contains(byte) || byte < 0x20 {
                return false
            }
        }
        if !ascii {
            let lowered = String(decoding: bytes[start...], as: UTF8.self).lowercased()
            bytes.replaceSubrange(start..., with: lowered.utf8)
        }
        return true
    }

    /// Elasticsearch's rules for a whole name: not empty, at most 255 bytes, not `.` or `..`, no
    /// leading `-`, `_` or `+` (characters are checked as the name is made).
    private static func isValidName(_ name: [UInt8]) -> Bool {
        guard let first = name.first, name.count <= 255 else { return false }
        if first == UInt8(ascii: "-") || first == UInt8(ascii: "_") || first == UInt8(ascii: "+") { return false }
        return name != [UInt8(ascii: ".")] && name != [UInt8(ascii: "."), UInt8(ascii: ".")]
    }

    private static let forbiddenBytes = Set(forbiddenCharacters.map { $0.asciiValue ?? 0 })
}
