import LogshipTail
import Testing

@Suite struct MultilineAggregatorTests {
    private let base = ContinuousClock.now

    /// Lines with offsets as a splitter would give them.
    private func lines(_ texts: [String]) -> [LineSplitter.Line] {
        var offset: Int64 = 0
        return texts.map { text in
            defer { offset += Int64(text.utf8.count + 1) }
            return LineSplitter.Line(text: text, startOffset: offset, endOffset: offset + Int64(text.utf8.count + 1))
        }
    }

    private func feed(
        _ texts: [String],
        into aggregator: inout MultilineAggregator
    ) -> [AggregatedEvent] {
        lines(texts).flatMap { aggregator.append($0, now: base) }
    }

    @Test func negatedDatePatternJoinsContinuationLinesAfter() throws {
        var aggregator = try MultilineAggregator(
            configuration: MultilineConfiguration(pattern: #"^\d{4}-\d{2}-\d{2}"#, negate: true, match: .after),
            maximumBytes: 1 << 20
        )
        let events = feed(["2024-01-01 first", "  at a", "  at b", "2024-01-02 second"], into: &aggregator)
        #expect(
            events == [
                AggregatedEvent(text: "2024-01-01 first\n  at a\n  at b", startOffset: 0, endOffset: 31, lineCount: 3)
            ]
        )
        #expect(events.first?.flags == ["multiline"])
        let last = aggregator.flush()
        #expect(last == AggregatedEvent(text: "2024-01-02 second", startOffset: 31, endOffset: 49))
        #expect(last?.flags == [])
        #expect(aggregator.flush() == nil)
    }

    @Test func pythonTracebackAndJSONLinesStartEvents() throws {
        var aggregator = try MultilineAggregator(
            configuration: MultilineConfiguration(pattern: #"^(\d{4}-\d{2}-\d{2}|\{)"#, negate: true, match: .after),
            maximumBytes: 1 << 20
        )
        let events = feed(
            [
                "2024-01-01 12:00:00 ERROR failed", "Traceback (most recent call last):",
                "  File \"app.py\", line 3, in <module>", "ValueError: bad", #"{"level": "info"}"#,
                "2024-01-01 12:00:01 INFO ok",
            ],
            into: &aggregator
        )
        #expect(
            events.map(\.text) == [
                "2024-01-01 12:00:00 ERROR failed\nTraceback (most recent call last):\n"
                    + "  File \"app.py\", line 3, in <module>\nValueError: bad",
                #"{"level": "info"}"#,
            ]
        )
        #expect(events.map(\.lineCount) == [4, 1])
        #expect(aggregator.flush()?.text == "2024-01-01 12:00:01 INFO ok")
    }

    @Test func continuationLinesBeforeAnyStartFormTheirOwnEvent() throws {
        var aggregator = try MultilineAggregator(
            configuration: MultilineConfiguration(pattern: #"^\d"#, negate: true, match: .after),
            maximumBytes: 1 << 20
        )
        let events = feed(["  orphan", "  orphan 2", "1 start"], into: &aggregator)
        #expect(events.map(\.text) == ["  orphan\n  orphan 2"])
    }

    @Test func matchBeforeJoinsALineWithTheNextOne() throws {
        var aggregator = try MultilineAggregator(
            configuration: MultilineConfiguration(pattern: #"\\$"#, negate: false, match: .before),
            maximumBytes: 1 << 20
        )
        var events: [AggregatedEvent] = []
        for line in lines(["a \\", "b \\", "c", "d"]) {
            events += aggregator.append(line, now: base)
            if line.text == "c" { #expect(events.map(\.text) == ["a \\\nb \\\nc"]) }
        }
        #expect(events.map(\.text) == ["a \\\nb \\\nc", "d"])
        #expect(events.map(\.startOffset) == [0, 10])
        #expect(events.map(\.endOffset) == [10, 12])
        #expect(!aggregator.hasPending)
    }

    @Test func dropsLinesBeyondTheMaximumButCoversTheirOffsets() throws {
        var aggregator = try MultilineAggregator(
            configuration: MultilineConfiguration(pattern: #"^ "#, match: .after, maximumLines: 3),
            maximumBytes: 1 << 20
        )
        let events = feed(["start", " 1", " 2", " 3", " 4", "next"], into: &aggregator)
        #expect(
            events == [
                AggregatedEvent(text: "start\n 1\n 2", startOffset: 0, endOffset: 18, lineCount: 5, isTruncated: true)
            ]
        )
        #expect(events.first?.flags == ["multiline", "truncated"])
    }

    @Test func boundsTheEventBytes() throws {
        var aggregator = try MultilineAggregator(
            configuration: MultilineConfiguration(pattern: #"^ "#, match: .after),
            maximumBytes: 10
        )
        let events = feed(["start", " abcdefgh", " more", "next"], into: &aggregator)
        #expect(events.map(\.text) == ["start\n abc"])
        #expect(events.map(\.isTruncated) == [true])
        #expect(events.map(\.endOffset) == [22])
    }

    /// `byteLimit` (the input's memory budget) cuts the text like `maximumBytes` does, and counts
    /// the cut; offsets still cover every line.
    @Test func aLoweredByteLimitCutsTheTextAndCountsTheCut() throws {
        var aggregator = try MultilineAggregator(
            configuration: MultilineConfiguration(pattern: #"^ "#, match: .after),
            maximumBytes: 100
        )
        aggregator.byteLimit = 10
        let events = feed(["start", " abcdefgh", " more", "next"], into: &aggregator)
        #expect(events.map(\.text) == ["start\n abc"])
        #expect(events.map(\.isTruncated) == [true])
        #expect(events.map(\.endOffset) == [22])
        #expect(aggregator.limitCuts == 1)
        aggregator.byteLimit = 100
        #expect(feed([" one", "after"], into: &aggregator).map(\.text) == ["next\n one"])
        #expect(aggregator.limitCuts == 1)
        #expect(aggregator.heldBytes > 0)
        _ = aggregator.flush()
        aggregator.releaseSpareCapacity()
        #expect(aggregator.heldBytes == 0)
    }

    @Test func flushesAfterTheTimeoutSinceTheLastLine() throws {
        var aggregator = try MultilineAggregator(
            configuration: MultilineConfiguration(pattern: #"^ "#, match: .after, timeout: .seconds(5)),
            maximumBytes: 1 << 20
        )
        #expect(aggregator.deadline == nil)
        let input = lines(["start", " more"])
        #expect(aggregator.append(input[0], now: base).isEmpty)
        #expect(aggregator.deadline == base + .seconds(5))
        #expect(aggregator.append(input[1], now: base + .seconds(3)).isEmpty)
        #expect(aggregator.deadline == base + .seconds(8))
        #expect(aggregator.flushIfExpired(now: base + .seconds(7)) == nil)
        let event = aggregator.flushIfExpired(now: base + .seconds(8))
        #expect(event?.text == "start\n more")
        #expect(aggregator.deadline == nil)
        #expect(aggregator.flushIfExpired(now: base + .seconds(100)) == nil)
    }

    @Test func carriesLineFlags() throws {
        var aggregator = try MultilineAggregator(
            configuration: MultilineConfiguration(pattern: #"^ "#, match: .after),
            maximumBytes: 1 << 20
        )
        _ = aggregator.append(LineSplitter.Line(text: "a", startOffset: 0, endOffset: 2), now: base)
        _ = aggregator.append(
            LineSplitter.Line(text: " \u{FFFD}", startOffset: 2, endOffset: 6, isTruncated: true, hasInvalidUTF8: true),
            now: base
        )
        #expect(aggregator.flush()?.flags == ["multiline", "truncated", "invalid_utf8"])
    }

    @Test func invalidPatternIsReportedByValidation() {
        let configuration = MultilineConfiguration(pattern: "(unclosed", negate: false, match: .after)
        #expect(throws: TailError.self) { try configuration.validate() }
        let input = FileInputConfiguration(id: "app", paths: ["/tmp/*.log"], multiline: configuration)
        do {
            try input.validate()
            Issue.record("validation accepted a bad pattern")
        } catch {
            #expect("\(error)".contains("app"))
            #expect("\(error)".contains("(unclosed"))
        }
        #expect(throws: TailError.self) { try MultilineAggregator(configuration: configuration, maximumBytes: 10) }
    }
}
