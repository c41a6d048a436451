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
/// its `endOffset` still moves past the dropped lines. The caller may lower the byte bound for
/// the lines still to come (`byteLimit`, the input's memory budget); a cut it causes is counted in
/// `limitCuts`. A pending event is emitted by
/// `flushIfExpired(now:)` once no line arrived for `timeout`.
///
/// The hot path works on bytes: a line's bytes are matched and copied into one reused buffer, and
/// an event is handed to a closure as bytes. The `Line`/`AggregatedEvent` API, which makes
/// `String`s, is for tests.
package struct MultilineAggregator {
    /// The rules.
    package let configuration: MultilineConfiguration
    /// The most bytes of text in one event.
    package let maximumBytes: Int
    /// The most bytes of text kept from now on: `maximumBytes` unless the caller lowers it.
    package var byteLimit: Int
    /// Events cut shorter than `maximumBytes` because of `byteLimit`.
    package private(set) var limitCuts = 0
    private let pattern: LinePattern
    /// The pending event's text; reused from event to event.
    private var text: [UInt8] = []
    /// The pending event, without its text; `nil` when none is pending.
    private var pending: EventSpan?
    private var keptLines = 0
    private var isFull = false
    private var lastLineAt: ContinuousClock.Instant?

    /// - Parameters:
    ///   - configuration: the rules.
    ///   - maximumBytes: the most bytes of text in one event (the input's `maximumLineBytes`).
    /// - Throws: `TailError.invalidMultilinePattern` when the pattern does not compile.
    package init(configuration: MultilineConfiguration, maximumBytes: Int) throws {
        self.configuration = configuration
        self.maximumBytes = max(1, maximumBytes)
        self.byteLimit = self.maximumBytes
        self.pattern = LinePattern(try configuration.makeRegularExpression())
    }

    /// Whether an event is pending.
    package var hasPending: Bool { pending != nil }

    /// The memory held for the pending event's text: its buffer's capacity.
    package var heldBytes: Int { text.capacity }

    /// Frees the text buffer when no event is pending (its capacity is kept between events).
    package mutating func releaseSpareCapacity() {
        if pending == nil && text.capacity > 0 { text = [] }
    }

    /// When the pending event times out; `nil` when none is pending.
    package var deadline: ContinuousClock.Instant? {
        guard pending != nil, let lastLineAt else { return nil }
        return lastLineAt.advanced(by: configuration.timeout)
    }

    /// Adds a line (valid UTF-8 bytes, as `LineSplitter` hands them on) read at `now`; calls
    /// `emit` with each event it completed (zero, one or two), oldest first. The bytes handed to
    /// `emit` are valid only during the call.
    package mutating func append(
        _ line: UnsafeBufferPointer<UInt8>,
        _ info: LineSplitter.LineInfo,
        now: ContinuousClock.Instant,
        emit: (UnsafeBufferPointer<UInt8>, EventSpan) -> Void
    ) {
        let matches = pattern.matches(line) != configuration.negate
        switch configuration.match {
        case .after:
            if matches, pending != nil {
                join(line, info, now: now)
            } else {
                flush(emit)
                start(line, info, now: now)
            }
        case .before:
            if pending != nil { join(line, info, now: now) } else { start(line, info, now: now) }
            if !matches { flush(emit) }
        }
    }

    /// Emits the pending event if no line arrived for `timeout` before `now`.
    package mutating func flushIfExpired(
        now: ContinuousClock.Instant,
        emit: (UnsafeBufferPointer<UInt8>, EventSpan) -> Void
    ) {
        guard let deadline, deadline <= now else { return }
        flush(emit)
    }

    /// Emits the pending event, if any (end of a file that will not grow, shutdown).
    package mutating func flush(_ emit: (UnsafeBufferPointer<UInt8>, EventSpan) -> Void) {
        guard let event = pending else { return }
        pending = nil
        text.withUnsafeBufferPointer { emit($0, event) }
        text.removeAll(keepingCapacity: text.capacity <= 16 << 10)
    }

    private mutating func start(
        _ line: UnsafeBufferPointer<UInt8>,
        _ info: LineSplitter.LineInfo,
        now: ContinuousClock.Instant
    ) {
        var event = EventSpan(info)
        var kept = line
        let limit = min(maximumBytes, byteLimit)
        if kept.count > limit {
            kept = UTF8Boundary.prefix(kept, maximumBytes: limit)
            event.isTruncated = true
            if limit < maximumBytes { limitCuts += 1 }
        }
        // Usually already empty (the last event was flushed): `removeAll` on an empty array
        // still went through the generic `replaceSubrange`, once per event.
        if !text.isEmpty { text.removeAll(keepingCapacity: true) }
        reserveText(kept.count, limit: limit)
        text.append(contentsOf: kept)
        pending = event
        keptLines = 1
        // Cut: nothing more is kept, even if the limit rises before the event ends.
        isFull = kept.count < line.count
        lastLineAt = now
    }

    private mutating func join(
        _ line: UnsafeBufferPointer<UInt8>,
        _ info: LineSplitter.LineInfo,
        now: ContinuousClock.Instant
    ) {
        guard var event = pending else { return start(line, info, now: now) }
        lastLineAt = now
        event.endOffset = info.endOffset
        event.lineCount += 1
        event.isTruncated = event.isTruncated || info.isTruncated
        event.hasInvalidUTF8 = event.hasInvalidUTF8 || info.hasInvalidUTF8
        if isFull || keptLines >= configuration.maximumLines {
            event.isTruncated = true
        } else {
            let limit = min(maximumBytes, byteLimit)
            let room = limit - text.count - 1
            if line.count <= room {
                reserveText(line.count + 1, limit: limit)
                text.append(0x0A)
                text.append(contentsOf: line)
                keptLines += 1
            } else {
                if room > 0 {
                    reserveText(room + 1, limit: limit)
                    text.append(0x0A)
                    text.append(contentsOf: UTF8Boundary.prefix(line, maximumBytes: room))
                    keptLines += 1
                }
                isFull = true
                event.isTruncated = true
                if limit < maximumBytes { limitCuts += 1 }
            }
        }
        pending = event
    }

    /// Makes room for `extra` more bytes of text: the buffer grows geometrically but not past
    /// `limit` (its capacity is what the input's budget counts).
    private mutating func reserveText(_ extra: Int, limit: Int) {
        let needed = text.count + extra
        if needed > text.capacity { text.reserveCapacity(max(needed, min(limit, text.capacity * 2))) }
    }
}

extension MultilineAggregator {
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
        var text = line.text
        text.withUTF8 { bytes in
            append(bytes, line.info, now: now) { events.append(AggregatedEvent($0, $1)) }
        }
    }

    /// Emits the pending event if no line arrived for `timeout` before `now`.
    package mutating func flushIfExpired(now: ContinuousClock.Instant) -> AggregatedEvent? {
        var event: AggregatedEvent?
        flushIfExpired(now: now) { event = AggregatedEvent($0, $1) }
        return event
    }

    /// Emits the pending event, if any.
    package mutating func flush() -> AggregatedEvent? {
        var event: AggregatedEvent?
        flush { event = AggregatedEvent($0, $1) }
        return event
    }
}
