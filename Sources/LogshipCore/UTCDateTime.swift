package import struct Foundation.Date

/// A UTC calendar date and time with millisecond precision, computed with integer arithmetic
/// (proleptic Gregorian calendar) instead of `DateFormatter`, which is far too slow per event.
///
/// Dates are clamped to years 0000 through 9999 so that the formatted text always has four year
/// digits; non-finite times count as the epoch.
package struct UTCDateTime: Sendable, Equatable {
    package var year: Int
    package var month: Int
    package var day: Int
    package var hour: Int
    package var minute: Int
    package var second: Int
    package var millisecond: Int

    /// Milliseconds since 1970 of 0000-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z.
    private static let minimumMilliseconds: Int64 = -62_167_219_200_000
    private static let maximumMilliseconds: Int64 = 253_402_300_799_999

    /// Milliseconds since 1970, rounded down and clamped to the supported range. The time is first
    /// rounded to the nearest microsecond, so that binary fractions just below a whole millisecond
    /// (`3599.999` is stored as `3599.99899…`) do not lose one.
    package static func milliseconds(since1970 date: Date) -> Int64 {
        let value = ((date.timeIntervalSince1970 * 1_000_000).rounded() / 1000).rounded(.down)
        guard value.isFinite else { return 0 }
        if value <= Double(minimumMilliseconds) { return minimumMilliseconds }
        if value >= Double(maximumMilliseconds) { return maximumMilliseconds }
        return Int64(value)
    }

    package init(_ date: Date) {
        self.init(millisecondsSince1970: Self.milliseconds(since1970: date))
    }

    /// Splits `millisecondsSince1970` (clamped to the supported range) into calendar fields.
    package init(millisecondsSince1970 value: Int64) {
        let milliseconds = min(max(value, Self.minimumMilliseconds), Self.maximumMilliseconds)
        let days = Int((milliseconds >= 0 ? milliseconds : milliseconds - 86_399_999) / 86_400_000)
        let withinDay = Int(milliseconds - Int64(days) * 86_400_000)
        // Howard Hinnant's civil_from_days.
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        self.day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        self.month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        self.year = yearOfEra + era * 400 + (self.month <= 2 ? 1 : 0)
        self.hour = withinDay / 3_600_000
        self.minute = withinDay / 60_000 % 60
        self.second = withinDay / 1000 % 60
        self.millisecond = withinDay % 1000
    }

    /// Appends `yyyy-MM-ddTHH:mm:ss.SSSZ`.
    package func appendISO8601(to bytes: inout [UInt8]) {
        append(to: &bytes)
        bytes.append(UInt8(ascii: "Z"))
    }

    /// Appends `yyyy-MM-dd<separator>HH:mm:ss<fraction>SSS` with no zone: `T` and `.` give ISO
    /// 8601, a space and `,` give Python's logging format.
    package func append(
        to bytes: inout [UInt8],
        separator: UInt8 = UInt8(ascii: "T"),
        fraction: UInt8 = UInt8(ascii: ".")
    ) {
        Self.appendDigits(year, count: 4, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        Self.appendDigits(month, count: 2, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        Self.appendDigits(day, count: 2, to: &bytes)
        bytes.append(separator)
        Self.appendDigits(hour, count: 2, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        Self.appendDigits(minute, count: 2, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        Self.appendDigits(second, count: 2, to: &bytes)
        bytes.append(fraction)
        Self.appendDigits(millisecond, count: 3, to: &bytes)
    }

    /// Appends the last `count` decimal digits of the non-negative `value`, zero-padded.
    package static func appendDigits(_ value: Int, count: Int, to bytes: inout [UInt8]) {
        bytes.appendJSON(atMost: count) { $0.writeDigits(value, count: count) }
    }
}
