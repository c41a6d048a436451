import LogshipCore
import LogshipTransforms
import Testing

struct ParseJSONTests {
    @Test func wholeLineIsMergedAtTheRootAndLeavesMessage() throws {
        let line = Fixtures.aetherraLines[5]
        let (events, statistics) = Fixtures.run(try ParseJSON(), [Fixtures.event(line)])
        let fields = events[0].fields
        #expect(fields.entries.map(\.key) == ["timestamp", "service", "metric", "value", "labels", "type"])
        #expect(fields["message"] == nil)
        #expect(fields["value"] == .double(0.234))
        #expect(fields[path: FieldPath("labels.endpoint")] == .string("/chat"))
        #expect(events[0].flags.isEmpty)
        #expect(statistics.count(transform: "parse_json", outcome: .success) == 1)
    }

    @Test func jsonAfterATextPrefix() throws {
        let configuration = ParseJSON.Configuration(prefixField: FieldPath("log.prefix"))
        let (events, statistics) = Fixtures.run(
            try ParseJSON(configuration: configuration),
            [Fixtures.event(Fixtures.aetherraLines[6] + "  \n")]
        )
        let fields = events[0].fields
        #expect(fields["value"] == .double(1.7))
        #expect(fields[path: FieldPath("labels.status")] == .string("500"))
        #expect(fields[path: FieldPath("log.prefix")] == .string("2025-11-01 12:00:03,000 - aetherra_hub - INFO"))
        #expect(events[0].flags.isEmpty)
        #expect(statistics.count(transform: "parse_json", outcome: .success) == 1)
    }

    @Test func prefixSkipsBracesThatDoNotStartTheObject() throws {
        let (events, _) = Fixtures.run(try ParseJSON(), [Fixtures.event(#"user {id} said: {"a": {"b": 1}}"#)])
        #expect(events[0].fields[path: FieldPath("a.b")] == .integer(1))
        #expect(events[0].flags.isEmpty)
    }

    @Test func withoutAllowPrefixTextBeforeTheObjectIsSkipped() throws {
        let transform = try ParseJSON(configuration: .init(allowPrefix: false))
        let (events, statistics) = Fixtures.run(transform, [Fixtures.event(Fixtures.aetherraLines[6])])
        #expect(events[0].fields.count == 1)
        #expect(events[0].flags.isEmpty)
        #expect(statistics.count(transform: "parse_json", outcome: .skipped) == 1)
    }

    @Test(arguments: [
        #"{"a": 1"#,
        #"{"a": 1} trailing"#,
        #"{'a': 1}"#,
        #"INFO - {"a": }"#,
        "INFO - dict {a: 1}",
        "INFO - unclosed { brace",
    ])
    func invalidJSONIsKeptFlaggedAndCounted(message: String) throws {
        let original = Fixtures.event(message)
        let (events, statistics) = Fixtures.run(try ParseJSON(), [original])
        #expect(events.count == 1)
        #expect(events[0].fields == original.fields)
        #expect(events[0].flags == ["json_parse_failed"])
        #expect(statistics.count(transform: "parse_json", outcome: .failure) == 1)
        #expect(statistics.count(transform: "parse_json", outcome: .success) == 0)
    }

    @Test(arguments: [
        "2025-11-01 12:00:00,123 - aetherra_hub - INFO - Server started on port 3001",
        "Traceback (most recent call last):",
        "",
        "[1, 2, 3]",
        "42",
    ])
    func plainTextAndNonObjectsAreSkippedNotFlagged(message: String) throws {
        let (events, statistics) = Fixtures.run(try ParseJSON(), [Fixtures.event(message)])
        #expect(events[0].fields == ["message": .string(message)])
        #expect(events[0].flags.isEmpty)
        #expect(statistics.count(transform: "parse_json", outcome: .skipped) == 1)
    }

    @Test func missingOrNonStringFieldIsSkipped() throws {
        let events = [Fixtures.event(["other": "x"]), Fixtures.event(["message": 12])]
        let (result, statistics) = Fixtures.run(try ParseJSON(), events)
        #expect(result == events)
        #expect(statistics.count(transform: "parse_json", outcome: .skipped) == 2)
    }

    @Test func targetPutsTheObjectUnderAKey() throws {
        let transform = try ParseJSON(configuration: .init(target: FieldPath("json")))
        let (events, _) = Fixtures.run(transform, [Fixtures.event(#"{"message": "inner", "n": 1}"#)])
        #expect(events[0].fields["message"] == nil)
        #expect(events[0].fields["json"] == .object(["message": "inner", "n": 1]))
    }

    @Test func emptyTargetMeansTheRoot() throws {
        let transform = try ParseJSON(configuration: .init(target: FieldPath("")))
        let (events, _) = Fixtures.run(transform, [Fixtures.event(#"{"n": 1}"#)])
        #expect(events[0].fields["n"] == .integer(1))
    }

    @Test func existingKeysWinUnlessOverwriteKeys() throws {
        let event = Fixtures.event(["message": .string(#"{"level": "debug", "new": true}"#), "level": "info"])
        let (kept, _) = Fixtures.run(try ParseJSON(), [event])
        #expect(kept[0].fields["level"] == .string("info"))
        #expect(kept[0].fields["new"] == .bool(true))
        let (overwritten, _) = Fixtures.run(try ParseJSON(configuration: .init(overwriteKeys: true)), [event])
        #expect(overwritten[0].fields["level"] == .string("debug"))
    }

    @Test func logAndTimestampStayLogshipsEvenWithOverwriteKeys() throws {
        let event = Fixtures.event([
            "message": .string(#"{"log": "theirs", "@timestamp": "then", "x": 1}"#),
            "log": .object(["offset": 7]),
        ])
        let (events, _) = Fixtures.run(try ParseJSON(configuration: .init(overwriteKeys: true)), [event])
        #expect(events[0].fields["log"] == .object(["offset": 7]))
        // Kept as a field for parse_timestamp; the bulk encoder writes logship's `@timestamp`.
        #expect(events[0].fields["@timestamp"] == .string("then"))
        #expect(events[0].fields["x"] == .integer(1))
    }

    @Test func prefixStaysInMessageAndOriginalOnRequest() throws {
        let line = Fixtures.aetherraLines[6]
        let (plain, _) = Fixtures.run(try ParseJSON(), [Fixtures.event(line)])
        #expect(plain[0].fields["message"] == .string("2025-11-01 12:00:03,000 - aetherra_hub - INFO"))
        #expect(plain[0].fields["event"] == nil)
        let (kept, _) = Fixtures.run(try ParseJSON(configuration: .init(keepOriginal: true)), [Fixtures.event(line)])
        #expect(kept[0].fields[path: FieldPath("event.original")] == .string(line))
        #expect(kept[0].fields["message"] == .string("2025-11-01 12:00:03,000 - aetherra_hub - INFO"))
    }

    @Test func theObjectsOwnMessageReplacesThePrefix() throws {
        let (events, _) = Fixtures.run(try ParseJSON(), [Fixtures.event(#"INFO - {"message": "inner"}"#)])
        #expect(events[0].fields == ["message": "inner"])
    }

    @Test func repeatedKeysKeepTheLastValueOnce() throws {
        let (events, statistics) = Fixtures.run(
            try ParseJSON(),
            [Fixtures.event(#"{"a": 1, "b": {"c": 1, "c": 2}, "a": 3}"#)]
        )
        #expect(events[0].fields == ["a": 3, "b": .object(["c": 2])])
        #expect(statistics.count(transform: "parse_json", outcome: .success) == 1)
        let encoded = EventBatch(events).jsonText(of: 0)
        #expect(encoded == #"{"a":3,"b":{"c":2}}"#)
    }

    @Test func valuesAreShippedAsWritten() throws {
        var batch = EventBatch([
            Fixtures.event(#"{"v": 1.50, "s": "caf\u00e9 \"q\"", "n": null, "l": [1, {"k": true}]}"#)
        ])
        var statistics = TransformStatistics()
        try ParseJSON().apply(to: &batch, statistics: &statistics)
        #expect(batch.jsonText(of: 0) == #"{"v":1.50,"s":"caf\u00e9 \"q\"","n":null,"l":[1, {"k": true}]}"#)
        #expect(batch.event(at: 0).fields["s"] == .string("café \"q\""))
        #expect(batch.event(at: 0).fields["v"] == .double(1.5))
    }

    @Test func whenLimitsWhichEventsAreParsed() throws {
        let transform = try ParseJSON(configuration: .init(when: .contains([(FieldPath("message"), "metric")])))
        let events = [Fixtures.event(#"{"type": "metric"}"#), Fixtures.event(#"{"type": "log"}"#)]
        let (result, statistics) = Fixtures.run(transform, events)
        #expect(result[0].fields["type"] == .string("metric"))
        #expect(result[1].fields["type"] == nil)
        #expect(statistics.count(transform: "parse_json", outcome: .success) == 1)
        #expect(statistics.counts.count == 1)
    }

    @Test func batchOfSampleLinesIsCountedOncePerOutcome() throws {
        let transform = try ParseJSON(id: "app_json")
        let (events, statistics) = Fixtures.run(transform, Fixtures.aetherraLines.map { Fixtures.event($0) })
        #expect(events.count == Fixtures.aetherraLines.count)
        #expect(statistics.count(transform: "app_json", outcome: .success) == 2)
        #expect(statistics.count(transform: "app_json", outcome: .skipped) == 5)
        #expect(statistics.count(transform: "app_json", outcome: .failure) == 0)
        #expect(events.allSatisfy { $0.flags.isEmpty })
    }

    @Test func rootFieldIsRejected() {
        #expect(throws: TransformError.self) { try ParseJSON(configuration: .init(field: FieldPath(""))) }
    }

    private func run(_ transforms: [any EventTransform], _ events: [Event]) -> EventBatch {
        var batch = EventBatch(events)
        var statistics = TransformStatistics()
        for transform in transforms { transform.apply(to: &batch, statistics: &statistics) }
        return batch
    }

    @Test func aTargetHoldingANonObjectLeavesTheEventAlone() throws {
        let event = Fixtures.event(["message": .string(#"{"a": 1}"#), "json": "x"])
        let (events, statistics) = Fixtures.run(try ParseJSON(configuration: .init(target: FieldPath("json"))), [event])
        #expect(events == [event])
        #expect(statistics.count(transform: "parse_json", outcome: .skipped) == 1)
    }

    @Test func prefixFieldGoesIntoAnObjectOfTheSameName() throws {
        let event = Fixtures.event(#"INFO - {"meta": {"a": 1}}"#)
        for overwrite in [false, true] {
            let configuration = ParseJSON.Configuration(prefixField: FieldPath("meta.prefix"), overwriteKeys: overwrite)
            let batch = run([try ParseJSON(configuration: configuration)], [event])
            #expect(batch.jsonText(of: 0) == #"{"meta":{"a":1,"prefix":"INFO"}}"#)
        }
    }

    @Test func keepOriginalGoesIntoTheObjectsOwnEventObject() throws {
        let line = #"{"event": {"dataset": "app"}, "x": 1}"#
        for overwrite in [false, true] {
            let configuration = ParseJSON.Configuration(overwriteKeys: overwrite, keepOriginal: true)
            let fields = run([try ParseJSON(configuration: configuration)], [Fixtures.event(line)]).event(at: 0).fields
            #expect(fields[path: FieldPath("event.dataset")] == .string("app"))
            #expect(fields[path: FieldPath("event.original")] == .string(line))
        }
    }

    @Test func keysSpelledInTwoUnicodeFormsStayTwoKeys() throws {
        let add = try AddFields(configuration: .init(fields: ["caf\u{E9}": 1]))
        let parse = try ParseJSON(configuration: .init(prefixField: FieldPath("cafe\u{301}")))
        let batch = run([add, parse], [Fixtures.event(#"INFO - {"x": 1}"#)])
        #expect(batch.jsonText(of: 0) == "{\"caf\u{E9}\":1,\"x\":1,\"cafe\u{301}\":\"INFO\"}")
    }
}

/// Which parsed objects the bulk encoder may copy as they were read (`EventBatch.verbatimMembers`).
struct ParseJSONVerbatimTests {
    private func parsed(
        _ event: Event,
        _ configuration: ParseJSON.Configuration = .init(),
        then steps: [any EventTransform] = []
    ) throws -> EventBatch {
        var batch = EventBatch([event])
        var statistics = TransformStatistics()
        try ParseJSON(configuration: configuration).apply(to: &batch, statistics: &statistics)
        for step in steps { step.apply(to: &batch, statistics: &statistics) }
        return batch
    }

    @Test func bareAndPrefixedObjectsAreCopiedAsWritten() throws {
        let bare = try parsed(Fixtures.event(#"{"metric": "m", "value": 0.5, "labels": {"a": "b"}}  "#))
        #expect(bare.verbatimText(of: 0) == #""metric": "m", "value": 0.5, "labels": {"a": "b"}"#)
        let prefixed = try parsed(Fixtures.event(Fixtures.aetherraLines[6]))
        let text = try #require(prefixed.verbatimText(of: 0))
        #expect(text.hasPrefix(#""timestamp": "#) && text.hasSuffix(#""type": "metric""#))
        #expect(prefixed.event(at: 0).fields["message"] == .string("2025-11-01 12:00:03,000 - aetherra_hub - INFO"))
    }

    @Test(arguments: [
        #"{"a": 1, "@timestamp": "then"}"#,  // the encoder writes its own @timestamp
        #"{"a": 1, "log": {"x": 1}}"#,  // logship's log object stays
        #"{"level": "debug", "a": 1}"#,  // an existing key wins, so not every member is shipped
        #"{"a": 1, "a": 2}"#,  // repeated keys are rewritten
        #"{"\u0061b": 1}"#,  // a key written with escapes
        "{}",
    ])
    func objectsNotShippedAsWrittenAreNotMarked(line: String) throws {
        let event = Fixtures.event(["message": .string(line), "level": "info", "log": .object(["offset": 1])])
        #expect(try parsed(event).verbatimText(of: 0) == nil)
    }

    @Test func aTargetIsNotMarked() throws {
        let batch = try parsed(Fixtures.event(#"{"a": 1}"#), .init(target: FieldPath("json")))
        #expect(batch.verbatimText(of: 0) == nil)
    }

    @Test func aLaterStepThatChangesAMemberEndsTheRun() throws {
        let line = #"{"service": "hub", "value": 1}"#
        let untouched = try parsed(
            Fixtures.event(line),
            then: [try AddFields(configuration: .init(fields: ["env": "prod"]))]
        )
        #expect(untouched.verbatimText(of: 0) == #""service": "hub", "value": 1"#)
        let changed = try parsed(
            Fixtures.event(line),
            then: [try AddFields(configuration: .init(fields: ["service": "other"], overwrite: true))]
        )
        #expect(changed.verbatimText(of: 0) == nil)
        #expect(changed.event(at: 0).fields["service"] == .string("other"))
    }
}
