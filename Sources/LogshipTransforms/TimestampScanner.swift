/// The date, hour and minute of the last timestamp read (see `TimestampScanner.dateTime`).
package struct TimestampCache: Sendable {
    var prefix: (UInt64, UInt64) = (0, 0)
    var strictPython = false
    /// Seconds since 1970 at the start of that minute; `nil` until a timestamp was read.
    var minuteSeconds: Int64?

    package init() {}

    init(prefix: (UInt64, UInt64), strictPython: Bool, minuteSeconds: Int64) {
        self.prefix = prefix
        self.strictPython = strictPython
        self.minuteSeconds = minuteSeconds
    }
}

/// A cursor over the bytes of a textual timestamp, for `TimestampFormat`.
struct TimestampScanner {
    /// The text.
    let bytes: UnsafeBufferPointer<UInt8>
    /// The offset of the next byte to read.
    var index = 0
    /// The fraction of a second read by `dateTime`, 0 when there was none.
    var fraction: Double = 0

    /// A scanner at the start of `bytes`.
    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// Whether all bytes were read.
    var isAtEnd: Bool { index == bytes.count }

    /// Reads `yyyy-MM-dd?HH:mm:ss[.f]` and returns its seconds since 1970 as if in UTC. With
    /// `strictPython` the separator must be a space and the fraction separator a comma.
    ///
    /// `cache` holds the first 16 bytes (`yyyy-MM-dd?HH:mm`) of the last text read this way and
    /// their seconds: when this text starts with the same bytes (lines of one minute), only the
    /// seconds and the fraction are read. It is only ever filled from a valid date and time read
    /// with the same `strictPython`, so a text it accepts is one the full reading accepts.
    mutating func dateTime(strictPython: Bool, cache: inout TimestampCache) -> Int64? {
        if bytes.count >= 19, cache.strictPython == strictPython, let cached = cache.minuteSeconds,
            Self.prefix(bytes) == cache.prefix
        {
            index = 16
            guard literal(UInt8(ascii: ":")), let second = digits(2), second <= 60, fractionOfSecond(strictPython)
            else { return nil }
            return cached + Int64(second)
        }
        guard let year = digits(4), literal(UInt8(ascii: "-")), let month = digits(2), literal(UInt8(ascii: "-")),
            let day = digits(2), index < bytes.count
        else { return nil }
        let separator = bytes[index]
        if strictPython {
            guard separator == UInt8(ascii: " ") else { return nil }
        } else {
            guard separator == UInt8(ascii: "T") || separator == UInt8(ascii: "t") || separator == UInt8(ascii: " ")
            else { return nil }
        }
        index += 1
        guard let hour = digits(2), literal(UInt8(ascii: ":")), let minute = digits(2) else { return nil }
        guard (1...12).contains(month), day >= 1, day <= Self.daysInMonth(month, year: year), hour <= 23, minute <= 59
        else { return nil }
        let minuteSeconds =
            Self.daysSince1970(year: year, month: month, day: day) * 86_400 + Int64(hour * 3_600 + minute * 60)
        // A valid prefix, 16 bytes long (the fields have fixed widths): kept for the next text.
        cache = TimestampCache(prefix: Self.prefix(bytes), strictPython: strictPython, minuteSeconds: minuteSeconds)
        guard literal(UInt8(ascii: ":")), let second = digits(2), second <= 60, fractionOfSecond(strictPython)
        else { return nil }
        return minuteSeconds + Int64(second)
    }

    /// Reads an optional fraction of a second (`,` or, unless `strictPython`, `.`, then 1 to 9
    /// digits) into `fraction`; `false` when the separator has no digits or too many.
    private mutating func fractionOfSecond(_ strictPython: Bool) -> Bool {
        guard
            index < bytes.count
                && (bytes[index] == UInt8(ascii: ",") || (!strictPython && bytes[index] == UInt8(ascii: ".")))
        else { return true }
        index += 1
        // Up to ten digits are looked at (a tenth is one too many), without a bound check each:
        // this runs for every event with a timestamp.
        let start = index
        let end = min(bytes.count, start + 10)
        var value = 0
        var position = start
        let base = bytes.baseAddress!  // not empty: a separator was there
        while position < end {
            let digit = base[position] &- UInt8(ascii: "0")
            guard digit < 10 else { break }
            value = value &* 10 &+ Int(digit)
            position += 1
        }
        index = position
        let count = position - start
        guard count > 0 && count <= 9 else { return false }
        fraction = Double(value) / Self.powerOfTen(count)
        return true
    }

    /// 10^count for 1...9, exactly.
    private static func powerOfTen(_ count: Int) -> Double {
        switch count {
        case 1: 10
        case 2: 100
        case 3: 1_000
        case 4: 10_000
        case 5: 100_000
        case 6: 1_000_000
        case 7: 10_000_000
        case 8: 100_000_000
        default: 1_000_000_000
        }
    }

    /// The first 16 bytes of `bytes` (which has them) as two words.
    private static func prefix(_ bytes: UnsafeBufferPointer<UInt8>) -> (UInt64, UInt64) {
        let base = UnsafeRawPointer(bytes.baseAddress!)
        return (base.loadUnaligned(as: UInt64.self), base.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
    }

    /// Reads an optional zone: nothing (UTC), `Z`/`z`, or a sign followed by `hh`, `hh:mm` or
    /// `hhmm`, up to ±18 hours. Returns seconds east of UTC.
    mutating func zoneOffset() -> Int? {
        guard index < bytes.count else { return 0 }
        let sign: Int
        switch bytes[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            index += 1
            return 0
        case UInt8(ascii: "+"): sign = 1
        case UInt8(ascii: "-"): sign = -1
        default: return nil
        }
        index += 1
        guard let hours = digits(2) else { return nil }
        var minutes = 0
        if index < bytes.count {
            _ = literal(UInt8(ascii: ":"))
            guard let value = digits(2) else { return nil }
            minutes = value
        }
        guard hours <= 18, minutes <= 59 else { return nil }
        return sign * (hours * 3_600 + minutes * 60)
    }

    private mutating func literal(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    private mutating func digits(_ count: Int) -> Int? {
        guard index + count <= bytes.count else { return nil }
        var value = 0
        for offset in 0..<count {
            guard let digit = Self.digit(bytes[index + offset]) else { return nil }
            value = value * 10 + digit
        }
        index += count
        return value
    }

    private static func digit(_ byte: UInt8) -> Int? {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") ? Int(byte - UInt8(ascii: "0")) : nil
    }

    private static func daysInMonth(_ month: Int, year: Int) -> Int {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days from 1970-01-01 to the given proleptic Gregorian date (Howard Hinnant's algorithm).
    private static func daysSince1970(year: Int, month: Int, day: Int) -> Int64 {
        let shiftedYear = Int64(month <= 2 ? year - 1 : year)
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let monthIndex = Int64(month > 2 ? month - 3 : month + 9)
        let dayOfYear = (153 * monthIndex + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
