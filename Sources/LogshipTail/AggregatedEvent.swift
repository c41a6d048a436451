/// The text of one event, made of one or more lines, with the bytes it covers.
package struct AggregatedEvent: Sendable, Equatable {
    /// The lines kept, joined with `\n`.
    package var text: String
    /// Offset of the first line's first byte.
    package var startOffset: Int64
    /// Offset just past the last line read into this event (dropped lines included).
    package var endOffset: Int64
    /// Lines read into the event, dropped ones included.
    package var lineCount: Int
    /// Some text was dropped: a line over the byte limit, lines over the line limit, or an event over
    /// the byte limit.
    package var isTruncated: Bool
    /// Some line held bytes that are not valid UTF-8 (shown as U+FFFD).
    package var hasInvalidUTF8: Bool

    package init(
        text: String,
        startOffset: Int64,
        endOffset: Int64,
        lineCount: Int = 1,
        isTruncated: Bool = false,
        hasInvalidUTF8: Bool = false
    ) {
        self.text = text
        self.startOffset = startOffset
        self.endOffset = endOffset
        self.lineCount = lineCount
        self.isTruncated = isTruncated
        self.hasInvalidUTF8 = hasInvalidUTF8
    }

    /// An event of one line.
    package init(_ line: LineSplitter.Line) {
        self.init(
            text: line.text,
            startOffset: line.startOffset,
            endOffset: line.endOffset,
            isTruncated: line.isTruncated,
            hasInvalidUTF8: line.hasInvalidUTF8
        )
    }

    /// The event flags: `multiline` (more than one line), `truncated`, `invalid_utf8`, in that order.
    package var flags: [String] {
        var flags: [String] = []
        if lineCount > 1 { flags.append("multiline") }
        if isTruncated { flags.append("truncated") }
        if hasInvalidUTF8 { flags.append("invalid_utf8") }
        return flags
    }
}

extension AggregatedEvent {
    /// An event from bytes and a span, as the aggregator hands them on.
    init(_ bytes: UnsafeBufferPointer<UInt8>, _ span: EventSpan) {
        self.init(
            text: String(decoding: bytes, as: UTF8.self),
            startOffset: span.startOffset,
            endOffset: span.endOffset,
            lineCount: span.lineCount,
            isTruncated: span.isTruncated,
            hasInvalidUTF8: span.hasInvalidUTF8
        )
    }
}
