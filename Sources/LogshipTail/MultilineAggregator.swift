/// Joins lines into events by Filebeat's pattern rules; a pure state machine driven with an
/// injected time.
///
/// - `match: .after`: a line for which `pattern` matches (inverted by `negate`) is appended to the
///   pending event; any other line emits the pending event and starts a new one.
/// - `match: .before`: a line for which the pattern matches continues into the next line; a line for
///   which it does not match completes the pending event, which is emitted at once.
///
/// Bounds: at most `maximumLines` lines are kept in an event and at most `maximumBytes` bytes of text
/// (cut at a character boundary); beyond either, text is dropped, the event is flagged truncated, and
/// its `endOffset` still moves past the dropped lines. A pending event is emitted by
/// `flushIfExpired(now:)` once no line arrived for `timeout`.
package struct MultilineAggregator {
    private struct Pending {
        var event: AggregatedEvent
        var byteCount: Int
        var keptLines: Int
        var isFull: Bool
        var lastLineAt: ContinuousClock.Instant
    }

    /// The rules.
    package let configuration: MultilineConfiguration
    /// The most bytes of text in one event.
    package let maximumBytes: Int
    private let pattern: LinePattern
    private var pending: Pending?

    /// - Parameters:
    ///   - configuration: the rules.
    ///   - maximumBytes: the most bytes of text in one event (the input's `maximumLineBytes`).
    /// - Throws: `TailError.invalidMultilinePattern` when the pattern does not compile.
    package init(configuration: MultilineConfiguration, maximumBytes: Int) throws {
        self.configuration = configuration
        self.maximumBytes = max(1, maximumBytes)
        self.pattern = LinePattern(try configuration.makeRegularExpression())
    }

    /// Whether an event is pending.
    package var hasPending: Bool { pending != nil }

    /// When the pending event times out; `nil` when none is pending.
    package var deadline: ContinuousClock.Instant? {
        pending.map { $0.lastLineAt.advanced(by: configuration.timeout) }
    }

    /// Adds a line read at `now`; returns the events it completed (zero, one or two), oldest first.
    package mutating func append(_ line: LineSplitter.Line, now: ContinuousClock.Instant) -> [AggregatedEvent] {
        var events: [AggregatedEvent] = []
        append(line, now: now, into: &events)
        return events
    }

    /// Adds a line read at `now`, appending the events it completed to `events`.
    package mutating func append(
        _ line: LineSplitter.Line,
        now: ContinuousClock.Instant,
        into events: inout [AggregatedEvent]
    ) {
        let matches = self.matches(line.text)
        switch configuration.match {
        case .after:
            if matches, pending != nil {
                join(line, now: now)
            } else {
                if let event = flush() { events.append(event) }
                start(line, now: now)
            }
        case .before:
            if pending != nil { join(line, now: now) } else { start(line, now: now) }
            if !matches, let event = flush() { events.append(event) }
        }
    }

    /// Emits the pending event if no line arrived for `timeout` before `now`.
    package mutating func flushIfExpired(now: ContinuousClock.Instant) -> AggregatedEvent? {
        guard let deadline, deadline <= now else { return nil }
        return flush()
    }

    /// Emits the pending event, if any (end of a file that will not grow, shutdown).
    package mutating func flush() -> AggregatedEvent? {
        defer { pending = nil }
        return pending?.event
    }

    private func matches(_ text: String) -> Bool {
        pattern.matches(text) != configuration.negate
    }

    private mutating func start(_ line: LineSplitter.Line, now: ContinuousClock.Instant) {
        var event = AggregatedEvent(line)
        var byteCount = line.text.utf8.count
        if byteCount > maximumBytes {
            event.text = Self.prefix(line.text, maximumBytes: maximumBytes)
            event.isTruncated = true
            byteCount = event.text.utf8.count
        }
        pending = Pending(event: event, byteCount: byteCount, keptLines: 1, isFull: false, lastLineAt: now)
    }

    private mutating func join(_ line: LineSplitter.Line, now: ContinuousClock.Instant) {
        guard var state = pending else { return start(line, now: now) }
        state.lastLineAt = now
        state.event.endOffset = line.endOffset
        state.event.lineCount += 1
        state.event.isTruncated = state.event.isTruncated || line.isTruncated
        state.event.hasInvalidUTF8 = state.event.hasInvalidUTF8 || line.hasInvalidUTF8
        if state.isFull || state.keptLines >= configuration.maximumLines {
            state.event.isTruncated = true
        } else {
            let lineBytes = line.text.utf8.count
            let room = maximumBytes - state.byteCount - 1
            if lineBytes <= room {
                state.event.text.append("\n")
                state.event.text.append(line.text)
                state.byteCount += lineBytes + 1
                state.keptLines += 1
            } else {
                if room > 0 {
                    let cut = Self.prefix(line.text, maximumBytes: room)
                    state.event.text.append("\n")
                    state.event.text.append(cut)
                    state.byteCount += cut.utf8.count + 1
                    state.keptLines += 1
                }
                state.isFull = true
                state.event.isTruncated = true
            }
        }
        pending = state
    }

    private static func prefix(_ text: String, maximumBytes: Int) -> String {
        let utf8 = text.utf8
        let length = UTF8Boundary.cutIndex(utf8, maximumBytes: maximumBytes)
        return String(decoding: utf8.prefix(length), as: UTF8.self)
    }
}
