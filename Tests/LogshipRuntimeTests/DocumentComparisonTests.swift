import LogshipCore
import LogshipRuntime
import Testing

struct DocumentComparisonTests {
    static let actual: FieldValue = .object([
        "message": "hello", "value": .double(1.0),
        "labels": .object(["status": "200", "endpoint": "/chat"]),
        "log": .object(["flags": .array(["multiline"]), "offset": 0]),
    ])

    @Test func aSubsetIgnoresOtherKeysAtEveryLevel() {
        let expected: FieldValue = .object(["labels": .object(["status": "200"]), "value": 1])
        #expect(DocumentComparison.differences(expected, Self.actual, match: .subset).isEmpty)
    }

    @Test func exactNamesTheKeysThatAreNotExpected() {
        let expected: FieldValue = .object(["message": "hello", "value": 1])
        #expect(
            DocumentComparison.differences(expected, Self.actual, match: .exact) == [
                #"labels: not expected (found {"endpoint":"/chat","status":"200"})"#,
                #"log: not expected (found {"flags":["multiline"],"offset":0})"#,
            ]
        )
    }

    @Test func differencesNameThePathAndBothValues() {
        let expected: FieldValue = .object([
            "labels": .object(["status": 200, "method": "GET"]), "log": .object(["flags": .array([])]),
        ])
        #expect(
            DocumentComparison.differences(expected, Self.actual, match: .subset) == [
                #"labels.status: expected 200, found "200""#,
                #"labels.method: missing (expected "GET")"#,
                "log.flags: expected 0 items, found 1",
            ]
        )
    }

    @Test func numbersCompareByValue() {
        #expect(DocumentComparison.matches(.integer(1), .double(1.0), match: .exact))
        #expect(!DocumentComparison.matches(.integer(1), .double(1.5), match: .exact))
        #expect(!DocumentComparison.matches(.integer(1), .string("1"), match: .exact))
    }

    @Test func textSortsKeysAndProjectionKeepsTheExpectedOnes() {
        #expect(
            DocumentComparison.text(Self.actual)
                == #"{"labels":{"endpoint":"/chat","status":"200"},"log":{"flags":["multiline"],"offset":0},"message":"hello","value":1.0}"#
        )
        let expected: FieldValue = .object(["labels": .object(["status": "500"]), "missing": 1])
        let projection = DocumentComparison.projection(of: Self.actual, onto: expected)
        #expect(DocumentComparison.text(projection) == #"{"labels":{"status":"200"}}"#)
    }
}
