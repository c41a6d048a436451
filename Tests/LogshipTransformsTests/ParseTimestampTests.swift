import Foundation
import LogshipCore
import LogshipTransforms
import Testing

struct ParseTimestampTests {
    /// 2025-11-01T12:00:00Z
    static let noon = 1_761_998_400.0

    @Test(
        arguments: [
            (FieldValue.string("2025-11-01T12:00:00Z"), TimestampFormat.iso8601, noon),
            ("2025-11-01T12:00:00", .iso8601, noon),
            ("2025-11-01 12:00:00", .iso8601, noon),
            ("2025-11-01t12:00:00z", .iso8601, noon),
            ("2025-11-01T12:00:02.345678", .iso8601, noon + 2.345678),
            ("2025-11-01T12:00:02.123456789Z", .iso8601, noon + 2.123456789),
            ("2025-11-01T12:00:02,5Z", .iso8601, noon + 2.5),
            ("2025-11-01T14:00:00+02:00", .iso8601, noon),
            ("2025-11-01T06:30:00-0530", .iso8601, noon),
            ("2025-11-01T13:00:00+01", .iso8601, noon),
            ("1970-01-01T00:00:00Z", .iso8601, 0),
            ("2024-02-29T00:00:00Z", .iso8601, 1_709_164_800),
            ("1969-12-31T23:59:59Z", .iso8601, -1),
            ("2025-11-01 12:00:00,123", .pythonLogging, noon + 0.123),
            ("2025-11-01 12:00:00", .pythonLogging, noon),
            (.integer(1_761_998_400), .unix, noon),
            (.double(1_761_998_400.5), .unix, noon + 0.5),
            ("1761998400", .unix, noon),
            ("1761998400.25", .unix, noon + 0.25),
            (.integer(1_761_998_400_123), .unixMilliseconds, noon + 0.123),
            ("1761998400123", .unixMilliseconds, noon + 0.123),
        ] as [(FieldValue, TimestampFormat, Double)]
    )
    func acceptedLayouts(value: FieldValue, format: TimestampFormat, expected: Double) throws {
        let date = try #require(format.date(from: value))
        #expect(abs(date.timeIntervalSince1970 - expected) < 1e-6)
    }

    @Test(
        arguments: [
            (FieldValue.string("2025-11-01T12:00:00.1234567890Z"), TimestampFormat.iso8601),
            ("2025-11-01T12:00:00.Z", .iso8601),
            ("2025-13-01T12:00:00Z", .iso8601),
            ("2025-02-29T12:00:00Z", .iso8601),
            ("2025-04-31T12:00:00Z", .iso8601),
            ("2025-11-01T24:00:00Z", .iso8601),
            ("2025-11-01T12:60:00Z", .iso8601),
            ("2025-11-01X12:00:00Z", .iso8601),
            ("2025-11-01T12:00:00Z junk", .iso8601),
            ("2025-11-01T12:00:00+2", .iso8601),
            ("2025-11-01T12:00:00+19:00", .iso8601),
            ("2025-11-01", .iso8601),
            ("25-11-01T12:00:00", .iso8601),
            ("", .iso8601),
            (.integer(1_761_998_400), .iso8601),
            ("2025-11-01T12:00:00,123", .pythonLogging),
            ("2025-11-01 12:00:00.123", .pythonLogging),
            ("2025-11-01 12:00:00,123Z", .pythonLogging),
            ("2025-11-01 12:00:00,", .pythonLogging),
            ("not a number", .unix),
            ("2025-11-01", .unix),
            (.double(.infinity), .unix),
            (.double(1e20), .unix),
            (.bool(true), .unix),
            (.null, .unixMilliseconds),
        ] as [(FieldValue, TimestampFormat)]
    )
    func rejectedLayouts(value: FieldValue, format: TimestampFormat) {
        #expect(format.date(from: value) == nil)
    }

    /// A `TimestampCache` carried from text to text (as `parse_timestamp` does within a batch)
    /// changes no result: every text, read after every other one with either format, gives what
    /// a fresh read gives.
    @Test func readingAfterAnotherTextGivesTheSameResult() {
        let texts = [
            "2025-11-01T12:00:00Z", "2025-11-01T12:00:59.5", "2025-11-01T12:00:60", "2025-11-01T12:00:61",
            "2025-11-01T12:00", "2025-11-01T12:00:", "2025-11-01T12:00:0", "2025-11-01T12:00:00+02:00",
            "2025-11-01T12:00:00.Z", "2025-11-01T12:00:00,123", "2025-11-01 12:00:00,123", "2025-11-01 12:00:07",
            "2025-11-01 12:00:00.123", "2025-11-01 12:00:00,", "2025-11-01 12:01:00,5", "2025-13-01 12:00:00,1",
            "2025-13-01T12:00:00", "2025-02-29 12:00:00", "2024-02-29 12:00:00", "2025-11-01X12:00:00",
            "2025-11-01T12:00:00 junk", "2025-11-01t12:00:00z",
        ]
        func read(_ text: String, _ format: TimestampFormat, _ cache: inout TimestampCache) -> Date? {
            Array(text.utf8).withUnsafeBufferPointer { format.date(fromText: $0, offsetSeconds: 3_600, cache: &cache) }
        }
        for first in texts {
            for firstFormat in [TimestampFormat.iso8601, .pythonLogging] {
                for second in texts {
                    for secondFormat in [TimestampFormat.iso8601, .pythonLogging] {
                        var cache = TimestampCache()
                        _ = read(first, firstFormat, &cache)
                        var fresh = TimestampCache()
                        let expected = read(second, secondFormat, &fresh)
                        #expect(
                            read(second, secondFormat, &cache) == expected,
                            "\(second) (\(secondFormat)) after \(first) (\(firstFormat))"
                        )
                    }
                }
            }
        }
    }

    @Test func pythonLoggingUsesTheConfiguredZone() throws {
        let transform = try ParseTimestamp(configuration: .init(formats: [.pythonLogging], timezone: "+01:00"))
        let (events, _) = Fixtures.run(transform, [Fixtures.event(["timestamp": "2025-11-01 13:00:00,000"])])
        #expect(events[0].timestamp == Date(timeIntervalSince1970: Self.noon))
    }

    @Test func defaultFormatsApplyTheZoneToPythonTimestampsOnly() throws {
        let transform = try ParseTimestamp(configuration: .init(timezone: "-05:00"))
        let events = [
            Fixtures.event(["timestamp": "2025-11-01 07:00:00,000"]),
            Fixtures.event(["timestamp": "2025-11-01T12:00:00"]),
            Fixtures.event(["timestamp": .integer(1_761_998_400)]),
        ]
        let (result, statistics) = Fixtures.run(transform, events)
        #expect(result.map(\.timestamp) == Array(repeating: Date(timeIntervalSince1970: Self.noon), count: 3))
        #expect(statistics.count(transform: "parse_timestamp", outcome: .success) == 3)
    }

    @Test func formatsAreTriedInOrderAndFailuresFlagged() throws {
        let transform = try ParseTimestamp(id: "ts", configuration: .init(formats: [.pythonLogging, .iso8601]))
        let events = [
            Fixtures.event(["timestamp": "2025-11-01 12:00:00,500"]),
            Fixtures.event(["timestamp": "2025-11-01T12:00:03.000000"]),
            Fixtures.event(["timestamp": "yesterday"]),
            Fixtures.event(["message": "no timestamp"]),
        ]
        let (result, statistics) = Fixtures.run(transform, events)
        #expect(result[0].timestamp == Date(timeIntervalSince1970: Self.noon + 0.5))
        #expect(result[1].timestamp == Date(timeIntervalSince1970: Self.noon + 3))
        #expect(result[2].timestamp == Fixtures.readTime)
        #expect(result[2].flags == ["timestamp_parse_failed"])
        #expect(result[3] == events[3])
        #expect(result[0].fields == events[0].fields)
        #expect(statistics.count(transform: "ts", outcome: .success) == 2)
        #expect(statistics.count(transform: "ts", outcome: .failure) == 1)
        #expect(statistics.count(transform: "ts", outcome: .skipped) == 1)
    }

    @Test(arguments: [("UTC", 0), ("Z", 0), ("+02:00", 7_200), ("-0530", -19_800), ("+01", 3_600)])
    func zoneSettings(text: String, seconds: Int) {
        #expect(TimestampFormat.offsetSeconds(from: text) == seconds)
    }

    @Test func invalidSettingsAreRejected() {
        #expect(
            throws: TransformError.invalidSetting(
                transform: "ts",
                setting: "timezone",
                reason: "'Europe/Paris' is not UTC or an offset such as +02:00 or -0530"
            )
        ) {
            try ParseTimestamp(id: "ts", configuration: .init(timezone: "Europe/Paris"))
        }
        #expect(throws: TransformError.self) { try ParseTimestamp(configuration: .init(formats: [])) }
    }
}
