package import struct Foundation.Date

/// One log event: a line, or several joined by multiline, with the fields parsers added.
package struct Event: Sendable, Equatable {
    /// The event's fields. The raw text is under `message` until a parser replaces it.
    package var fields: FieldObject
    /// When the event happened, once a parser found out; otherwise when it was read.
    package var timestamp: Date
    /// Where it was read from; `nil` for events that did not come from a file.
    package var source: EventSource?
    /// Flags set along the way (`truncated`, `json_parse_failed`, `multiline`), shipped under
    /// `log.flags` so that operators can find damaged events.
    package var flags: [String]

    package init(fields: FieldObject, timestamp: Date, source: EventSource? = nil, flags: [String] = []) {
        self.fields = fields
        self.timestamp = timestamp
        self.source = source
        self.flags = flags
    }

    /// An event holding `message` as its only field.
    package init(message: String, timestamp: Date, source: EventSource? = nil, flags: [String] = []) {
        self.init(fields: ["message": .string(message)], timestamp: timestamp, source: source, flags: flags)
    }

    /// The `message` field's text, if it is a string.
    package var message: String? { fields["message"]?.stringValue }

    /// Adds `flag` once.
    package mutating func addFlag(_ flag: String) {
        if !flags.contains(flag) { flags.append(flag) }
    }
}
