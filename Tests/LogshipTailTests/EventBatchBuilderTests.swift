import Foundation
import LogshipCore
import LogshipTail
import Testing

@Suite struct EventBatchBuilderTests {
    private let key = FileKey(device: 1, inode: 2)
    private let time = Date(timeIntervalSince1970: 1_762_000_000)

    private func span(_ start: Int64, _ end: Int64, lines: Int = 1) -> EventSpan {
        var span = EventSpan(LineSplitter.Line(text: "", startOffset: start, endOffset: end).info)
        span.lineCount = lines
        return span
    }

    private func append(_ text: String, _ span: EventSpan, to builder: inout EventBatchBuilder) {
        let file = builder.fileValue(path: "/logs/a.log")
        var text = text
        text.withUTF8 {
            builder.append($0, span, fileKey: key, file: file, timestamp: time)
        }
    }

    @Test func eventsGetMessageLogAndStaticFieldsUnderFields() {
        var builder = EventBatchBuilder(fields: ["service": "hub"], maximumEvents: 10)
        append("hello", span(0, 6), to: &builder)
        append("a\nb", span(6, 10, lines: 2), to: &builder)
        let events = builder.finishBatch().events
        #expect(events.count == 2)
        #expect(
            events[0].fields
                == [
                    "message": "hello",
                    "log": .object(["file": .object(["path": "/logs/a.log"]), "offset": 0]),
                    "fields": .object(["service": "hub"]),
                ]
        )
        #expect(events[1].message == "a\nb")
        #expect(events[1].flags == ["multiline"])
        #expect(events[1].source?.startOffset == 6)
        #expect(events[1].source?.endOffset == 10)
        #expect(events[1].source?.fingerprint == EventSource.fingerprint(of: "a\nb"))
        #expect(events.allSatisfy { $0.timestamp == time && $0.source?.fileKey == key })
    }

    @Test func staticFieldsUnderRootReplaceTheInputsFields() {
        var builder = EventBatchBuilder(
            fields: ["message": "fixed", "service": "hub"],
            fieldsUnderRoot: true,
            maximumEvents: 10
        )
        append("hello", span(0, 6), to: &builder)
        let event = builder.finishBatch().events[0]
        #expect(event.message == "fixed")
        #expect(event.fields["service"] == "hub")
        #expect(event.fields["fields"] == nil)
    }

    @Test func isFullAtTheMaximumEventsAndStartsAnewAfterFinishing() {
        var builder = EventBatchBuilder(maximumEvents: 2)
        append("one", span(0, 4), to: &builder)
        #expect(!builder.isFull)
        append("two", span(4, 8), to: &builder)
        #expect(builder.isFull)
        #expect(builder.batchNumber == 0)
        let first = builder.finishBatch()
        #expect(first.count == 2)
        #expect(builder.isEmpty && !builder.isFull)
        #expect(builder.batchNumber == 1)
        append("three", span(8, 14), to: &builder)
        #expect(builder.finishBatch().events.map(\.message) == ["three"])
    }
}
