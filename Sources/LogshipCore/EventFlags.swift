/// What went wrong or was special about an event, shipped under `log.flags` so that operators can
/// find damaged events. Written in the order of `allNames`.
/// (`public` only so that `EventBatch`'s and `MetricUpdateBatch`'s inlinable members can use it.)
public struct EventFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8

    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Joined from several lines.
    package static let multiline = EventFlags(rawValue: 1 << 0)
    /// Some text was dropped (a line or event over its byte or line limit).
    package static let truncated = EventFlags(rawValue: 1 << 1)
    /// Some bytes were not valid UTF-8 and were replaced by U+FFFD.
    package static let invalidUTF8 = EventFlags(rawValue: 1 << 2)
    /// The text looked like JSON but did not parse.
    package static let jsonParseFailed = EventFlags(rawValue: 1 << 3)
    /// The timestamp field did not parse.
    package static let timestampParseFailed = EventFlags(rawValue: 1 << 4)
    /// A `filter` dropped it: not shipped, not counted in metrics, acknowledged. Never written
    /// (not in `allNames`).
    @usableFromInline package static let dropped = EventFlags(rawValue: 1 << 5)

    /// Every flag with its name, in the order they are written.
    package static let allNames: [(flag: EventFlags, name: String)] = [
        (.multiline, "multiline"), (.truncated, "truncated"), (.invalidUTF8, "invalid_utf8"),
        (.jsonParseFailed, "json_parse_failed"), (.timestampParseFailed, "timestamp_parse_failed"),
    ]

    /// The flags named in `names`; unknown names are ignored.
    package init(names: some Sequence<String>) {
        self = []
        for name in names {
            if let entry = Self.allNames.first(where: { $0.name == name }) { insert(entry.flag) }
        }
    }

    /// The names of the flags set, in writing order.
    package var names: [String] { Self.allNames.filter { contains($0.flag) }.map(\.name) }
}
