import LogshipCore
import Testing

struct FieldValueTests {
    @Test func encodesJSONInInsertionOrder() {
        var object: FieldObject = ["z": "last?", "a": 1]
        object[path: FieldPath("log.file.path")] = "/var/log/a.log"
        object[path: FieldPath("log.offset")] = .integer(42)
        object["a"] = .double(2.5)
        #expect(
            FieldValue.object(object).jsonText
                == #"{"z":"last?","a":2.5,"log":{"file":{"path":"/var/log/a.log"},"offset":42}}"#
        )
    }

    @Test(arguments: [
        (FieldValue.string("q\"b\\n\n\t\r\u{01}é"), #""q\"b\\n\n\t\r\u0001é""#),
        (.double(3), "3.0"), (.double(0.1), "0.1"), (.double(.infinity), "null"), (.double(1e300), "1e+300"),
        (.integer(-7), "-7"), (.bool(false), "false"), (.null, "null"), (.array([1, "x"]), #"[1,"x"]"#),
    ])
    func encodesScalars(value: FieldValue, json: String) {
        #expect(value.jsonText == json)
    }

    @Test func readsAndRemovesByPath() {
        var object: FieldObject = ["labels": .object(["endpoint": "/chat"])]
        #expect(object[path: FieldPath("labels.endpoint")] == "/chat")
        #expect(object[path: FieldPath("labels.missing")] == nil)
        #expect(object[path: FieldPath("labels.endpoint.deeper")] == nil)
        object[path: FieldPath("labels.endpoint")] = nil
        #expect(object[path: FieldPath("labels")] == .object([:]))
    }

    @Test func numbersAndLabels() {
        #expect(FieldValue.string("0.25").numberValue == 0.25)
        #expect(FieldValue.string("abc").numberValue == nil)
        #expect(FieldValue.double(.nan).numberValue == nil)
        #expect(FieldValue.double(200).labelText == "200")
        #expect(FieldValue.bool(true).labelText == "true")
        #expect(FieldValue.array([]).labelText == nil)
    }
}
