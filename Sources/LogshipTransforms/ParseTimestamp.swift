package import Foundation
package import LogshipCore

/// `parse_timestamp`: sets the event's timestamp from a field, trying formats in order.
///
/// - The first format that accepts the value wins (see `TimestampFormat` for the layouts).
/// - On success `event.timestamp` is set; the field itself is kept.
/// - A value no format accepts leaves the timestamp (the read time) as it is, flags the event
///   `timestamp_parse_failed` and counts a `failure`; a missing field counts as `skipped`.
/// - `timezone` (`UTC`, `+hh:mm`, `-hhmm`, ...) is the zone of `python_logging` timestamps,
///   which carry none; ISO 8601 text without a zone is always UTC.
package struct ParseTimestamp: EventTransform {
    /// The YAML type name.
    package static let typeName = "parse_timestamp"
    /// The flag set on events whose timestamp field could not be parsed.
    package static let failureFlag = "timestamp_parse_failed"

    /// The settings of `parse_timestamp`.
    package struct Configuration: Sendable {
        /// The field holding the timestamp.
        package var field: FieldPath
        /// The formats to try, in order; must not be empty.
        package var formats: [TimestampFormat]
        /// The zone of `python_logging` timestamps; nil means UTC.
        package var timezone: String?
        /// Only events matching this condition are parsed; others are left alone and not counted.
        package var when: Condition?

        /// Settings reading `timestamp`, trying `python_logging`, `iso8601`, then `unix`, in UTC.
        /// `python_logging` comes first because `iso8601` also accepts its text (space separator,
        /// comma fraction) but would read it as UTC whatever `timezone` says.
        package init(
            field: FieldPath = FieldPath("timestamp"),
            formats: [TimestampFormat] = [.pythonLogging, .iso8601, .unix],
            timezone: String? = nil,
            when: Condition? = nil
        ) {
            self.field = field
            self.formats = formats
            self.timezone = timezone
            self.when = when
        }
    }

    /// The component id, used in errors and as the `transform` label of statistics.
    package let id: String
    /// The settings, as validated by `init`.
    package let configuration: Configuration
    /// `configuration.when`, prepared once.
    private let selection: PreparedCondition?
    /// The configured zone in seconds east of UTC.
    package let offsetSeconds: Int

    /// Checks that there is a field and at least one format, and that `timezone` parses.
    package init(
        id: String = ParseTimestamp.typeName,
        configuration: Configuration = Configuration()
    )
        throws(TransformError)
    {
        guard !configuration.field.segments.isEmpty else {
            throw .invalidSetting(transform: id, setting: "field", reason: "must name a field, not the root")
        }
        guard !configuration.formats.isEmpty else {
            throw .missingSetting(
                transform: id,
                setting: "formats",
                reason: "list at least one of "
                    + TimestampFormat.allCases.map(\.rawValue).joined(separator: ", ")
            )
        }
        var offset = 0
        if let timezone = configuration.timezone {
            guard let parsed = TimestampFormat.offsetSeconds(from: timezone) else {
                throw .invalidSetting(
                    transform: id,
                    setting: "timezone",
                    reason: "'\(timezone)' is not UTC or an offset such as +02:00 or -0530"
                )
            }
            offset = parsed
        }
        self.id = id
        self.configuration = configuration
        self.selection = configuration.when.map(PreparedCondition.init)
        self.offsetSeconds = offset
    }

    /// Sets the timestamp of every event that matches `when`; see the type's documentation.
    package func apply(to batch: inout EventBatch, statistics: inout TransformStatistics) {
        var succeeded = 0
        var failed = 0
        var skipped = 0
        let field = batch.resolve(configuration.field)
        let selected = selection?.matches(in: &batch)
        // Where the field was in the last event, and the last minute read per format: lines of
        // one service have the same shape, and many lines share a minute.
        var hint = -1
        var caches = [TimestampCache](repeating: TimestampCache(), count: configuration.formats.count)
        for event in 0..<batch.count where !batch.isDropped(event) {
            if let selected, !selected[event] { continue }
            guard let slot = batch.value(at: field, in: event, hint: &hint) else {
                skipped += 1
                continue
            }
            if let date = date(from: slot, in: batch, caches: &caches) {
                batch.records[event].timestamp = date
                succeeded += 1
            } else {
                batch.addFlag(.timestampParseFailed, to: event)
                failed += 1
            }
        }
        statistics.add(succeeded, transform: id, outcome: .success)
        statistics.add(failed, transform: id, outcome: .failure)
        statistics.add(skipped, transform: id, outcome: .skipped)
    }

    /// The instant a value of `batch` denotes in the first format that accepts it; text is read
    /// as bytes, without making a `String`.
    package func date(from slot: FieldSlot, in batch: EventBatch) -> Date? {
        var caches = [TimestampCache](repeating: TimestampCache(), count: configuration.formats.count)
        return date(from: slot, in: batch, caches: &caches)
    }

    /// `date(from:in:)` with one `TimestampCache` per format, kept from event to event.
    private func date(from slot: FieldSlot, in batch: EventBatch, caches: inout [TimestampCache]) -> Date? {
        for (position, format) in configuration.formats.enumerated() {
            let date: Date?
            switch (format, slot) {
            case (.iso8601, .text), (.iso8601, .jsonString), (.pythonLogging, .text), (.pythonLogging, .jsonString):
                date =
                    batch.withText(slot) {
                        format.date(fromText: $0, offsetSeconds: offsetSeconds, cache: &caches[position])
                    } ?? nil
            case (.iso8601, _), (.pythonLogging, _):
                date = nil
            default:
                date = format.date(from: batch.value(slot), offsetSeconds: offsetSeconds)
            }
            if let date { return date }
        }
        return nil
    }

    /// The instant `value` denotes in the first format that accepts it.
    package func date(from value: FieldValue) -> Date? {
        for format in configuration.formats {
            if let date = format.date(from: value, offsetSeconds: offsetSeconds) { return date }
        }
        return nil
    }
}
