package import Foundation
package import LogshipCore

/// A timestamp layout that `parse_timestamp` understands. Each is parsed by hand from the UTF-8
/// bytes: no `DateFormatter` per event.
///
/// - `iso8601`: `yyyy-MM-ddTHH:mm:ss` (`T`, `t` or a space between date and time), an optional
///   fraction of 1 to 9 digits after `.` or `,`, then `Z`, `+hh:mm`, `+hhmm`, `+hh` (or `-`), or
///   no zone at all, which means UTC (Python's `datetime.utcnow().isoformat()`).
/// - `pythonLogging`: `yyyy-MM-dd HH:mm:ss,SSS` as Python's `logging` writes `asctime` (the
///   fraction may have 1 to 9 digits or be absent); no zone in the text, so the configured
///   offset applies (UTC by default).
/// - `unix`: seconds since 1970 as an integer, a double, or a string holding one.
/// - `unixMilliseconds` (`unix_ms`): the same in milliseconds.
///
/// Years are 0000 to 9999; fields are range-checked (day against the month's length, leap
/// years included; second up to 60 for leap seconds). Numeric values must be finite and within
/// years 0000 to 9999.
package enum TimestampFormat: String, Sendable, CaseIterable {
    /// ISO 8601 / RFC 3339 date and time.
    case iso8601
    /// Python `logging`'s `asctime`.
    case pythonLogging = "python_logging"
    /// Seconds since 1970.
    case unix
    /// Milliseconds since 1970.
    case unixMilliseconds = "unix_ms"

    /// Seconds since 1970 of 9999-12-31T23:59:59Z, the largest accepted instant.
    private static let maximumSeconds = 253_402_300_799.0
    /// Seconds since 1970 of 0000-01-01T00:00:00Z, the smallest accepted instant.
    private static let minimumSeconds = -62_167_219_200.0

    /// The instant `value` denotes in this format, or `nil` when it does not fit it.
    /// `offsetSeconds` is the zone offset assumed for `pythonLogging` (east of UTC is positive).
    package func date(from value: FieldValue, offsetSeconds: Int = 0) -> Date? {
        switch self {
        case .iso8601, .pythonLogging:
            guard case .string(let text) = value else { return nil }
            return text.utf8.withContiguousStorageIfAvailable { date(fromText: $0, offsetSeconds: offsetSeconds) }
                ?? Array(text.utf8).withUnsafeBufferPointer { date(fromText: $0, offsetSeconds: offsetSeconds) }
        case .unix, .unixMilliseconds:
            let number: Double?
            switch value {
            case .integer(let integer): number = Double(integer)
            case .double(let double): number = double
            case .string(let text): number = Double(text.trimmingCharacters(in: .whitespaces))
            default: number = nil
            }
            guard let number, number.isFinite else { return nil }
            let seconds = self == .unix ? number : number / 1000
            guard seconds >= Self.minimumSeconds && seconds <= Self.maximumSeconds else { return nil }
            return Date(timeIntervalSince1970: seconds)
        }
    }

    /// The instant the UTF-8 text `bytes` denotes in this format (`iso8601` and `pythonLogging`
    /// only; `nil` for the numeric formats).
    package func date(fromText bytes: UnsafeBufferPointer<UInt8>, offsetSeconds: Int) -> Date? {
        var cache = TimestampCache()
        return date(fromText: bytes, offsetSeconds: offsetSeconds, cache: &cache)
    }

    /// `date(fromText:offsetSeconds:)`, reusing the date and time to the minute of the last text
    /// read with `cache` when this one starts the same (see `TimestampScanner.dateTime`).
    package func date(
        fromText bytes: UnsafeBufferPointer<UInt8>,
        offsetSeconds: Int,
        cache: inout TimestampCache
    ) -> Date? {
        guard self == .iso8601 || self == .pythonLogging else { return nil }
        var scanner = TimestampScanner(bytes: bytes)
        guard let seconds = scanner.dateTime(strictPython: self == .pythonLogging, cache: &cache) else { return nil }
        var offset = offsetSeconds
        if self == .iso8601 {
            guard let zone = scanner.zoneOffset() else { return nil }
            offset = zone
        }
        guard scanner.isAtEnd else { return nil }
        return Date(timeIntervalSince1970: Double(seconds - Int64(offset)) + scanner.fraction)
    }

    /// Parses a zone offset as configured: `UTC`, `Z`, `+hh:mm`, `-hhmm`, `+hh`. Returns seconds
    /// east of UTC, or `nil` when the text is none of these or beyond ±18 hours.
    package static func offsetSeconds(from text: String) -> Int? {
        if text == "UTC" || text == "utc" { return 0 }
        guard !text.isEmpty else { return nil }
        return Array(text.utf8).withUnsafeBufferPointer { buffer in
            var scanner = TimestampScanner(bytes: buffer)
            guard let offset = scanner.zoneOffset(), scanner.isAtEnd else { return nil }
            return offset
        }
    }
}
