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
