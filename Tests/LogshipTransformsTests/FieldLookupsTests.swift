import Foundation
import LogshipCore
import LogshipTransforms
import Testing

struct FieldLookupsTests {
    @Test func answersLikeTheBatchWithOneColumnPerPath() throws {
        var batch = EventBatch([
            Event(fields: ["metric": "api", "labels": .object(["endpoint": "/chat"])], timestamp: Date()),
            Event(fields: ["metric": "memory"], timestamp: Date()),
        ])
        var lookups = FieldLookups(for: batch)
        let metric = lookups.column(FieldPath("metric"), in: &batch)
        let endpoint = lookups.column(FieldPath("labels.endpoint"), in: &batch)
        #expect(lookups.column(FieldPath("metric"), in: &batch) == metric)
        #expect(endpoint != metric)
        for event in 0..<batch.count {
            for (column, path) in [(metric, "metric"), (endpoint, "labels.endpoint")] {
                // Asked twice: the second answer comes from the table and must not differ.
                for _ in 0..<2 {
                    #expect(
                        lookups.value(column, event: event, in: batch) == batch.value(at: FieldPath(path), in: event)
                    )
                }
            }
        }
        #expect(lookups.value(endpoint, event: 1, in: batch) == nil)
        #expect(lookups.value(metric, event: 1, in: batch).flatMap { batch.string($0) } == "memory")
    }

    @Test func readsTheMembersOfJSONTextInOnePassAndAnswersLikeTheBatch() throws {
        var batch = EventBatch()
        let texts = [
            #"{"method":"POST","endpoint":"/chat","status":200,"e\u0078tra":1}"#,
            #"{"endpoint":"/health"}"#,
            #"["not an object"]"#,
        ]
        for text in texts {
            let range = batch.append(text: text)
            let event = batch.appendEvent(timestamp: Date(), text: range)
            let kind: JSONKind = text.hasPrefix("{") ? .object : .array
            batch.appendField(batch.key("labels"), .json(range, kind), toEvent: event)
        }
        batch.appendEvent(timestamp: Date())
        var lookups = FieldLookups(for: batch)
        let paths = ["labels.status", "labels.method", "labels.endpoint", "labels.extra", "labels.missing", "labels"]
        let columns = paths.map { lookups.column(FieldPath($0), in: &batch) }
        for event in 0..<batch.count {
            for (column, path) in zip(columns, paths) {
                let expected = batch.value(at: FieldPath(path), in: event)
                #expect(lookups.value(column, event: event, in: batch) == expected, "\(path) of event \(event)")
            }
        }
        #expect(lookups.value(columns[2], event: 1, in: batch).flatMap { batch.string($0) } == "/health")
        #expect(lookups.value(columns[3], event: 0, in: batch).flatMap { batch.number($0) } == 1)
    }

    /// Top-level columns added after some events were looked up: those events' later walks look
    /// only for the new keys and keep what they found before; every answer is the batch's.
    @Test func columnsAddedBetweenLookupsAnswerLikeTheBatch() throws {
        var batch = EventBatch(
            (0..<6).map { number in
                var fields: FieldObject = [
                    "type": number % 2 == 0 ? "metric" : "log", "value": .integer(Int64(number)),
                ]
                if number % 3 == 0 { fields["labels"] = .object(["status": "500"]) }
                if number != 4 { fields["metric"] = "api" }
                return Event(fields: fields, timestamp: Date())
            }
        )
        var lookups = FieldLookups(for: batch)
        var columns: [(column: Int, path: String)] = []
        for path in ["type", "metric", "labels", "value", "missing", "labels.status"] {
            columns.append((lookups.column(FieldPath(path), in: &batch), path))
            for event in stride(from: columns.count % 2, to: batch.count, by: 2) {
                for (column, path) in columns {
                    #expect(
                        lookups.value(column, event: event, in: batch) == batch.value(at: FieldPath(path), in: event),
                        "\(path) of event \(event)"
                    )
                }
            }
        }
    }

    @Test func conditionsSharingLookupsAgreeWithConditionsAlone() throws {
        var batch = EventBatch(
            (0..<20).map { number in
                Event(
                    fields: ["type": number % 3 == 0 ? "metric" : "log", "metric": number % 2 == 0 ? "a" : "b"],
                    timestamp: Date()
                )
            }
        )
        let conditions: [Condition] = [
            .equals([(FieldPath("type"), .string("metric")), (FieldPath("metric"), .string("a"))]),
            .equals([(FieldPath("type"), .string("metric")), (FieldPath("metric"), .string("b"))]),
            .not(.hasFields([FieldPath("metric")])),
            .or([.equals([(FieldPath("metric"), .string("b"))]), .equals([(FieldPath("type"), .string("log"))])]),
        ]
        var lookups = FieldLookups(for: batch)
        for condition in conditions {
            let alone = condition.matches(in: &batch)
            #expect(condition.matches(in: &batch, lookups: &lookups) == alone)
        }
        #expect(conditions[0].matches(in: &batch).filter { $0 }.count == 4)
    }
}

struct SharedEqualsTests {
    /// Conditions evaluated with the same lookups share `equals` comparisons: the second one
    /// reuses the first's `type == metric` and still answers for itself.
    @Test func comparisonsAreKeptAcrossConditionsOfABatch() throws {
        var batch = EventBatch([
            Event(fields: ["type": "metric", "metric": "a"], timestamp: Date()),
            Event(fields: ["type": "metric", "metric": "b"], timestamp: Date()),
            Event(fields: ["type": "log", "metric": "a"], timestamp: Date()),
            Event(fields: ["metric": "a"], timestamp: Date()),
        ])
        var lookups = FieldLookups(for: batch)
        let isMetric = Condition.equals([(FieldPath("type"), "metric")])
        let isA = Condition.equals([(FieldPath("type"), "metric"), (FieldPath("metric"), "a")])
        let isB = Condition.equals([(FieldPath("type"), "metric"), (FieldPath("metric"), "b")])
        #expect(isMetric.matches(in: &batch, lookups: &lookups) == [true, true, false, false])
        let type = lookups.column(FieldPath("type"), in: &batch)
        #expect(lookups.equalsResult(column: type, value: "metric") == [true, true, false, false])
        #expect(lookups.equalsResult(column: type, value: "log") == nil)
        #expect(isA.matches(in: &batch, lookups: &lookups) == [true, false, false, false])
        #expect(isB.matches(in: &batch, lookups: &lookups) == [false, true, false, false])
        // The same answers as each condition alone.
        for condition in [isMetric, isA, isB] {
            var fresh = FieldLookups(for: batch)
            #expect(condition.matches(in: &batch, lookups: &fresh) == condition.matches(in: &batch))
        }
    }
}
