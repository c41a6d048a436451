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
