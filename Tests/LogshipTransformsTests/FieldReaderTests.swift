import Foundation
import LogshipCore
import LogshipTransforms
import Testing

struct FieldReaderTests {
    /// Events whose `labels` are fields, JSON text (one key escaped), an array, or missing.
    static func makeBatch() -> EventBatch {
        var batch = EventBatch([
            Event(
                fields: ["metric": "api", "labels": .object(["endpoint": "/chat", "deep": .object(["x": 1])])],
                timestamp: Date()
            ),
            Event(fields: ["metric": "memory"], timestamp: Date()),
        ])
        for text in [#"{"method":"POST","endpoint":"/chat","status":200,"e\u0078tra":1}"#, #"["not an object"]"#] {
            let range = batch.append(text: text)
            let event = batch.appendEvent(timestamp: Date(), text: range)
            batch.appendField(batch.key("labels"), .json(range, text.hasPrefix("{") ? .object : .array), toEvent: event)
            batch.appendField(batch.key("metric"), .text(range), toEvent: event)
        }
        return batch
    }

    static let paths = [
        "labels.status", "metric", "labels.method", "labels.endpoint", "labels.extra", "labels.missing",
        "labels", "labels.deep.x", "missing",
    ].map(FieldPath.init)

    /// Every path of every event, asked in a different order for each event and twice (the
    /// second answer comes from the slots): the batch's own answer each time.
    @Test func answersLikeTheBatchInAnyOrder() throws {
        var batch = Self.makeBatch()
        let table = FieldPathTable(Self.paths)
        var reader = FieldReader(table, in: &batch)
        for event in 0..<batch.count {
            let order = event % 2 == 0 ? Self.paths : Self.paths.reversed()
            for path in order + order {
                #expect(
                    reader.value(table.number(of: path), event: event, in: batch) == batch.value(at: path, in: event),
                    "\(path) of event \(event)"
                )
            }
        }
        let endpoint = table.number(of: FieldPath("labels.endpoint"))
        #expect(reader.value(endpoint, event: 2, in: batch).flatMap { batch.string($0) } == "/chat")
        #expect(reader.value(table.number(of: FieldPath("labels.extra")), event: 2, in: batch) != nil)
        #expect(reader.value(table.number(of: FieldPath("labels.deep.x")), event: 0, in: batch) == .integer(1))
    }

    /// Events asked about out of order, or skipped, still get their own values.
    @Test func skippedAndRevisitedEventsAnswerLikeTheBatch() throws {
        var batch = Self.makeBatch()
        let table = FieldPathTable(Self.paths)
        var reader = FieldReader(table, in: &batch)
        for event in [3, 0, 2, 0, 1, 3] {
            for path in Self.paths {
                #expect(
                    reader.value(table.number(of: path), event: event, in: batch) == batch.value(at: path, in: event)
                )
            }
        }
    }

    @Test func numbersOneSegmentPathsFirstAndAddsParents() {
        let table = FieldPathTable([FieldPath("labels.method"), FieldPath("a.b.c"), FieldPath("type")])
        #expect(table.paths == ["labels", "type", "labels.method", "a.b.c"].map(FieldPath.init))
        #expect(table.number(of: FieldPath("type")) == 1)
    }
}

struct EventConditionsTests {
    static let isA = Condition.equals([(FieldPath("type"), "metric"), (FieldPath("metric"), "a")])

    @Test func aConditionWrittenAgainIsTheSameRoot() throws {
        let isB = Condition.equals([(FieldPath("type"), "metric"), (FieldPath("metric"), "b")])
        let table = FieldPathTable(Self.isA.paths + isB.paths)
        var conditions = EventConditions()
        let first = conditions.add(Self.isA, table: table)
        let second = conditions.add(isB, table: table)
        #expect(conditions.add(Self.isA, table: table) == first)
        #expect(conditions.add(isB, table: table) == second)
        #expect(first != second)
        #expect(conditions.roots == [first, second])
    }

    /// A condition inside another that repeats one added before stays part of its parent: the
    /// parent answers as the same condition tested alone.
    @Test func aRepeatedPartInsideAnotherConditionStaysItsOwn() throws {
        var batch = EventBatch(
            (0..<12).map { number in
                Event(
                    fields: ["type": number % 3 == 0 ? "metric" : "log", "metric": number % 2 == 0 ? "a" : "b"],
                    timestamp: Date()
                )
            }
        )
        let outer = Condition.and([.hasFields([FieldPath("type")]), .not(Self.isA), .or([Self.isA, .not(Self.isA)])])
        let table = FieldPathTable(Self.isA.paths + outer.paths)
        var conditions = EventConditions()
        let inner = conditions.add(Self.isA, table: table)
        let root = conditions.add(outer, table: table)
        var reader = FieldReader(table, in: &batch)
        let alone = outer.matches(in: &batch)
        for event in 0..<batch.count {
            let isA = conditions.matches(inner, event: event, reader: &reader, matchers: [], in: batch)
            #expect(isA == (event % 6 == 0))
            #expect(conditions.matches(root, event: event, reader: &reader, matchers: [], in: batch) == alone[event])
            #expect(alone[event] == !isA)
        }
    }
}
