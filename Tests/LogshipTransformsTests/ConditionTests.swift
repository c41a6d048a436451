import Foundation
import LogshipCore
import LogshipTransforms
import Testing

private func equals(_ pairs: (String, FieldValue)...) -> Condition {
    .equals(pairs.map { (FieldPath($0.0), $0.1) })
}

private func contains(_ pairs: (String, String)...) -> Condition {
    .contains(pairs.map { (FieldPath($0.0), $0.1) })
}

struct ConditionTests {
    static let fields: FieldObject = [
        "type": "metric",
        "metric": "api_request_duration",
        "value": .double(0.234),
        "count": 3,
        "ok": .bool(true),
        "nothing": .null,
        "tags": .array(["alpha", "beta", 7]),
        "labels": .object(["endpoint": "/chat", "status": "500"]),
    ]

    static func pattern(_ text: String) -> RegexPattern {
        try! RegexPattern(text, transform: "test")
    }

    @Test(
        arguments: [
            (equals(("type", "metric")), true),
            (equals(("type", "metric"), ("metric", "api_request_duration")), true),
            (equals(("type", "metric"), ("metric", "other")), false),
            (equals(("type", "Metric")), false),
            (equals(("missing", "metric")), false),
            (equals(("count", 3)), true),
            (equals(("count", .double(3))), true),
            (equals(("value", .double(0.234))), true),
            (equals(("count", "3")), true),
            (equals(("count", "3.5")), false),
            (equals(("labels.status", 500)), true),
            (equals(("labels.status", "500")), true),
            (equals(("ok", .bool(true))), true),
            (equals(("ok", "true")), false),
            (equals(("nothing", .null)), false),
            (equals(("labels", "x")), false),
            (contains(("metric", "request")), true),
            (contains(("metric", "REQUEST")), false),
            (contains(("metric", "")), true),
            (contains(("tags", "bet")), true),
            (contains(("tags", "7")), false),
            (contains(("count", "3")), false),
            (contains(("labels.endpoint", "/chat")), true),
            (.regexp([(FieldPath("metric"), pattern("^api_.*_duration$"))]), true),
            (.regexp([(FieldPath("metric"), pattern("duration"))]), true),
            (.regexp([(FieldPath("metric"), pattern("^duration"))]), false),
            (.regexp([(FieldPath("count"), pattern("3"))]), false),
            (.range([(FieldPath("labels.status"), NumericRange(atLeast: 500, below: 600))]), true),
            (.range([(FieldPath("labels.status"), NumericRange(below: 500))]), false),
            (.range([(FieldPath("value"), NumericRange(above: 0.234))]), false),
            (.range([(FieldPath("value"), NumericRange(atMost: 0.234))]), true),
            (.range([(FieldPath("count"), NumericRange(above: 2, atMost: 3))]), true),
            (.range([(FieldPath("type"), NumericRange(above: 0))]), false),
            (.range([(FieldPath("missing"), NumericRange(above: 0))]), false),
            (.range([(FieldPath("ok"), NumericRange(above: 0))]), false),
            (.hasFields([FieldPath("type"), FieldPath("labels.endpoint")]), true),
            (.hasFields([FieldPath("nothing")]), true),
            (.hasFields([FieldPath("type"), FieldPath("labels.method")]), false),
            (.and([]), true),
            (.or([]), false),
            (.and([equals(("type", "metric")), .hasFields([FieldPath("value")])]), true),
            (.and([equals(("type", "metric")), .hasFields([FieldPath("x")])]), false),
            (.or([equals(("type", "log")), .hasFields([FieldPath("value")])]), true),
            (.or([equals(("type", "log")), .hasFields([FieldPath("x")])]), false),
            (.not(equals(("type", "log"))), true),
            (.not(.not(.hasFields([FieldPath("x")]))), false),
        ] as [(Condition, Bool)]
    )
    func table(condition: Condition, expected: Bool) {
        #expect(condition.matches(Fixtures.event(Self.fields)) == expected)
    }
}

/// `has_fields` on one key looks the key up where the previous event had it; on events whose
/// members came from JSON lines of different shapes it answers as a lookup of each event does.
struct HasFieldsOnParsedEventsTests {
    @Test func answersLikeALookupOfEachEvent() throws {
        var batch = EventBatch()
        let objects = [
            #"{"a": 1, "timestamp": "t"}"#, #"{"timestamp": "t", "a": 1}"#, #"{"a": 1}"#, #"{"tim": 1, "x": 2}"#,
        ]
        for object in objects + objects.reversed() {
            let text = batch.append(text: object)
            let event = batch.appendEvent(timestamp: Date(timeIntervalSince1970: 0), text: text)
            var members: [JSONMember] = []
            _ = batch.bytes.withUnsafeBufferPointer {
                JSONScanner.scanObject(UnsafeBufferPointer(rebasing: $0[text]), from: 0, into: &members)
            }
            let appended = batch.appendVerbatimMembers(members, base: text.lowerBound, toEvent: event, unlessKeys: [])
            #expect(appended)
        }
        let has = Condition.hasFields([FieldPath("timestamp")]).matches(in: &batch)
        let hasNot = Condition.not(.hasFields([FieldPath("timestamp")])).matches(in: &batch)
        for event in 0..<batch.count {
            let expected = batch.value(at: FieldPath("timestamp"), in: event) != nil
            #expect(has[event] == expected, "event \(event)")
            #expect(hasNot[event] == !expected, "event \(event)")
        }
        #expect(has == [true, true, false, false, false, false, true, true])
    }
}
