import Foundation
import LogshipCore
import LogshipOutputs
import Testing

@Suite struct BulkEncoderTests {
    private func encode(_ events: [Event], pattern: String = "aetherra-logs-%{+yyyy.MM.dd}") throws -> String {
        var encoder = BulkEncoder(indexPattern: try IndexPattern(parsing: pattern))
        var bytes: [UInt8] = []
        for event in events { _ = encoder.append(event, to: &bytes) }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func eventWithSource() throws {
        let event = Event(message: "hello \"world\"", timestamp: noon, source: makeSource(offset: 500))
        #expect(
            try encode([event]) == """
                {"create":{"_index":"aetherra-logs-2025.11.01","_id":"801-2a-1f4-0"}}
                {"@timestamp":"2025-11-01T12:00:00.123Z","message":"hello \\"world\\""}

                """
        )
        #expect(makeSource(offset: 500).documentID == "801-2a-1f4-0")
    }

    @Test func eventWithoutSourceHasNoID() throws {
        let event = Event(fields: ["level": "info", "count": 3, "ok": .bool(true)], timestamp: noon)
        #expect(
            try encode([event]) == """
                {"create":{"_index":"aetherra-logs-2025.11.01"}}
                {"@timestamp":"2025-11-01T12:00:00.123Z","level":"info","count":3,"ok":true}

                """
        )
    }

    @Test func flagsCreateLogObjectInTheirFixedOrder() throws {
        let event = Event(message: "x", timestamp: noon, flags: ["truncated", "multiline"])
        #expect(
            try encode([event]) == """
                {"create":{"_index":"aetherra-logs-2025.11.01"}}
                {"@timestamp":"2025-11-01T12:00:00.123Z","message":"x","log":{"flags":["multiline","truncated"]}}

                """
        )
    }

    @Test func flagsGoInsideExistingLogObjectInPlace() throws {
        let log: FieldObject = ["level": "warn", "flags": "old"]
        let event = Event(
            fields: ["log": .object(log), "message": "x", "@timestamp": "ignored"],
            timestamp: noon,
            flags: ["json_parse_failed"]
        )
        #expect(
            try encode([event]) == """
                {"create":{"_index":"aetherra-logs-2025.11.01"}}
                {"@timestamp":"2025-11-01T12:00:00.123Z","log":{"level":"warn","flags":["json_parse_failed"]},"message":"x"}

                """
        )
    }

    @Test func flagsGoInsideALogObjectKeptAsJSONText() throws {
        var batch = EventBatch()
        let text = batch.append(text: #"{"level": "warn", "flags": "old"}"#)
        let event = batch.appendEvent(timestamp: noon, flags: [.truncated])
        batch.appendField(batch.key("log"), .json(text, .object), toEvent: event)
        batch.appendField(batch.key("n"), .integer(1), toEvent: event)
        var encoder = BulkEncoder(indexPattern: try IndexPattern(parsing: "i"))
        var bytes: [UInt8] = []
        _ = encoder.append(batch, event: event, to: &bytes)
        let expected = #"{"@timestamp":"2025-11-01T12:00:00.123Z","log":{"level":"warn","flags":["truncated"]},"n":1}"#
        #expect(String(decoding: bytes, as: UTF8.self) == "{\"create\":{\"_index\":\"i\"}}\n" + expected + "\n")
    }

    @Test func nonObjectLogIsKeptAsOriginal() throws {
        let event = Event(fields: ["log": "text"], timestamp: noon, flags: ["truncated"])
        #expect(
            try encode([event]) == """
                {"create":{"_index":"aetherra-logs-2025.11.01"}}
                {"@timestamp":"2025-11-01T12:00:00.123Z","log":{"original":"text","flags":["truncated"]}}

                """
        )
    }

    @Test func indexFollowsEachEventsDateAndHour() throws {
        let events = [
            Event(message: "a", timestamp: Date(timeIntervalSince1970: 1_709_251_199.999)),
            Event(message: "b", timestamp: Date(timeIntervalSince1970: 1_709_251_200)),
            Event(message: "c", timestamp: Date(timeIntervalSince1970: -3600)),
        ]
        #expect(
            try encode(events, pattern: "x-%{+yyyy.MM.dd.HH}") == """
                {"create":{"_index":"x-2024.02.29.23"}}
                {"@timestamp":"2024-02-29T23:59:59.999Z","message":"a"}
                {"create":{"_index":"x-2024.03.01.00"}}
                {"@timestamp":"2024-03-01T00:00:00.000Z","message":"b"}
                {"create":{"_index":"x-1969.12.31.23"}}
                {"@timestamp":"1969-12-31T23:00:00.000Z","message":"c"}

                """
        )
    }

    @Test func fieldsMatchCoreJSONExactly() throws {
        let strings = [
            "", "plain", "quote \" backslash \\ slash /", "tab\tnew\nline\rcr", "\u{0}\u{1}\u{1f}\u{7f}",
            "héllo wörld ✓ 日本語 🎉", String(repeating: "long text ", count: 50) + "\"",
        ]
        var fields = FieldObject()
        for (index, text) in strings.enumerated() { fields["s\(index) \"key\""] = .string(text) }
        fields["numbers"] = .array([.integer(-42), .double(1.5), .double(3), .double(.infinity), .bool(false), .null])
        fields["nested"] = .object(["a": .array([.object(["b\n": .string("c\u{2}")])]), "empty": .object([:])])
        let event = Event(fields: fields, timestamp: noon)
        let line = try encode([event]).split(separator: "\n")[1]
        var core: [UInt8] = []
        fields.appendJSON(to: &core)
        #expect(
            line == #"{"@timestamp":"2025-11-01T12:00:00.123Z","# + String(decoding: core.dropFirst(), as: UTF8.self)
        )
    }

    @Test func timestampsAroundHourBoundaries() throws {
        let events = [-0.001, 0, 3599.999, 3600, 1_761_998_400.5].map {
            Event(message: "", timestamp: Date(timeIntervalSince1970: $0))
        }
        let stamps = try encode(events).split(separator: "\n").enumerated().filter { $0.offset % 2 == 1 }.map {
            String($0.element.dropFirst(15).prefix(24))
        }
        #expect(
            stamps == [
                "1969-12-31T23:59:59.999Z", "1970-01-01T00:00:00.000Z", "1970-01-01T00:59:59.999Z",
                "1970-01-01T01:00:00.000Z", "2025-11-01T12:00:00.500Z",
            ]
        )
    }

    @Test func documentLayoutPointsAtLines() throws {
        let batch = try makeBatch(makeEvents(3))
        #expect(batch.count == 3)
        #expect(batch.documents.map(\.id) == ["801-2a-0-0", "801-2a-a-0", "801-2a-14-0"])
        #expect(batch.documents.last?.range.upperBound == batch.bytes.count)
        #expect(
            String(decoding: batch.documentJSON(at: 1), as: UTF8.self)
                == #"{"@timestamp":"2025-11-01T12:00:00.123Z","message":"line 1"}"#
        )
        let subset = batch.subset([0, 2])
        #expect(
            subset.text == """
                {"create":{"_index":"logs-2025.11.01","_id":"801-2a-0-0"}}
                {"@timestamp":"2025-11-01T12:00:00.123Z","message":"line 0"}
                {"create":{"_index":"logs-2025.11.01","_id":"801-2a-14-0"}}
                {"@timestamp":"2025-11-01T12:00:00.123Z","message":"line 2"}

                """
        )
        #expect(String(decoding: subset.documentJSON(at: 1), as: UTF8.self).hasSuffix(#""line 2"}"#))
        let (first, second) = batch.split()
        #expect(first.count == 1 && second.count == 2)
        #expect(first.bytes + second.bytes == batch.bytes)
    }
}

/// Members `parse_json` left untouched are copied as they were read; changed ones are written.
struct BulkEncoderVerbatimTests {
    /// An event with `message` and `log` first, then the members of `{"a": 1, "b": "x"}` (marked
    /// verbatim), then `after`.
    private func makeBatch() -> EventBatch {
        var batch = EventBatch()
        let text = batch.append(text: #"{"a": 1, "b": "x"}"#)
        let event = batch.appendEvent(timestamp: noon, text: text)
        batch.appendField(batch.key("message"), .text(batch.append(text: "prefix")), toEvent: event)
        let base = text.lowerBound
        let a = batch.appendField(base + 2..<base + 3, .json(base + 6..<base + 7, .number), toEvent: event)
        let b = batch.appendField(
            base + 10..<base + 11,
            .jsonString(base + 15..<base + 16, escaped: false),
            toEvent: event
        )
        batch.markVerbatim(event: event, fields: a...b)
        batch.appendField(batch.key("after"), .bool(true), toEvent: event)
        return batch
    }

    private func encode(_ batch: EventBatch) throws -> String {
        var encoder = BulkEncoder(indexPattern: try IndexPattern(parsing: "i"))
        var bytes: [UInt8] = []
        _ = encoder.append(batch, event: 0, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func untouchedMembersAreCopied() throws {
        #expect(
            try encode(makeBatch()) == """
                {"create":{"_index":"i"}}
                {"@timestamp":"2025-11-01T12:00:00.123Z","message":"prefix","a": 1, "b": "x","after":true}

                """
        )
    }

    @Test func flagsStillGoToLog() throws {
        var batch = makeBatch()
        batch.addFlag(.truncated, to: 0)
        let document = try encode(batch).split(separator: "\n")[1]
        #expect(document.hasSuffix(#""a": 1, "b": "x","after":true,"log":{"flags":["truncated"]}}"#))
    }

    @Test func aChangedMemberIsWrittenMemberByMember() throws {
        var batch = makeBatch()
        batch.set(batch.resolve(FieldPath("a")), to: .integer(2), in: 0)
        #expect(
            try encode(batch) == """
                {"create":{"_index":"i"}}
                {"@timestamp":"2025-11-01T12:00:00.123Z","message":"prefix","a":2,"b":"x","after":true}

                """
        )
        batch.remove(batch.resolve(FieldPath("b")), in: 0)
        #expect(try encode(batch).contains(#""message":"prefix","a":2,"after":true}"#))
    }
}

struct BatchIndexNameTests {
    @Test func eachDocumentsIndexIsReadFromItsActionLine() throws {
        var encoder = BulkEncoder(indexPattern: try IndexPattern(parsing: "logs-%{+yyyy.MM.dd}"))
        let events = [
            Event(
                message: "a",
                timestamp: Date(timeIntervalSince1970: 1_709_251_199.999),
                source: makeSource(offset: 0)
            ),
            Event(message: "b", timestamp: Date(timeIntervalSince1970: 1_709_251_200)),
        ]
        let batch = Batch(encoding: EventBatch(events), encoder: &encoder)
        #expect((0..<batch.count).map { batch.indexName(at: $0) } == ["logs-2024.02.29", "logs-2024.03.01"])
    }
}
