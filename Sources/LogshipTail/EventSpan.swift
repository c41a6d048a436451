package import LogshipCore

/// Where an event's lines are in its file and what happened to them: an `AggregatedEvent`
/// without its text, as the hot path hands it on beside the text's bytes.
package struct EventSpan: Sendable, Equatable {
    /// Offset of the first line's first byte.
    package var startOffset: Int64
    /// Offset just past the last line read into this event (dropped lines included).
    package var endOffset: Int64
    /// Lines read into the event, dropped ones included.
    package var lineCount: Int
    /// Some text was dropped.
    package var isTruncated: Bool
    /// Some line held bytes that are not valid UTF-8 (shown as U+FFFD).
    package var hasInvalidUTF8: Bool

    /// The span of one line.
    package init(_ line: LineSplitter.LineInfo) {
        self.startOffset = line.startOffset
        self.endOffset = line.endOffset
        self.lineCount = 1
        self.isTruncated = line.isTruncated
        self.hasInvalidUTF8 = line.hasInvalidUTF8
    }

    /// The event flags: `multiline` (more than one line), `truncated`, `invalid_utf8`.
    package var flags: EventFlags {
        // Bit by bit rather than from `[]`: the empty literal went through the standard library's
        // unspecialised `SetAlgebra.init(_:)`, 2% of `logship bench`'s CPU, once per event.
        var raw: UInt8 = 0
        if lineCount > 1 { raw |= EventFlags.multiline.rawValue }
        if isTruncated { raw |= EventFlags.truncated.rawValue }
        if hasInvalidUTF8 { raw |= EventFlags.invalidUTF8.rawValue }
        return EventFlags(rawValue: raw)
    }
}
