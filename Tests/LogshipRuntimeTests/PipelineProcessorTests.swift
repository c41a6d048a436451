import Foundation
import LogshipCore
import LogshipRuntime
import LogshipTail
import LogshipTransforms
import Testing

/// Batches go through the transforms side by side; what has an order must still happen in read
/// order: a gauge keeps the last value read, the checkpoint reaches the end, nothing is counted
/// twice.
struct PipelineProcessorTests {
    /// A step that takes more time for some batches than for others (work, not sleep), so that
    /// later batches often finish their transforms before earlier ones.
    struct UnevenWork: EventTransform {
        let id = "uneven"
        func apply(to batch: inout EventBatch, statistics: inout TransformStatistics) {
            guard let value = batch.value(at: FieldPath("v"), in: 0).flatMap({ batch.number($0) }) else { return }
            var state = UInt64(value)
            let rounds = Int(value).isMultiple(of: 3) ? 200_000 : 10
            for _ in 0..<rounds { state = state &* 6_364_136_223_846_793_005 &+ 1 }
            if state == 42 { batch.addFlag(.truncated, to: 0) }  // keeps the loop from being optimised away
        }
    }

    @Test func metricsAndCheckpointsFollowReadOrder() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("logship-processor-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let metrics = MetricStore()
        let ledger = CheckpointLedger(store: CheckpointStore(directory: directory.path), restored: [], metrics: metrics)
        let logToMetric = try LogToMetric(
            metrics: [
                MetricDefinition(name: "last_value", kind: .gauge, value: FieldPath("v")),
                MetricDefinition(name: "events_total", kind: .counter),
            ],
            store: metrics
        )
        let processor = PipelineProcessor(
            steps: [.transform(UnevenWork()), .metrics(logToMetric)],
            metrics: metrics,
            ledger: ledger,
            output: nil,
            statistics: RuntimeStatistics()
        )
        let key = FileKey(device: 1, inode: 2)
        await processor.fileInputOpened(key, path: "/logs/a.log", at: 0, generation: 0)
        let count = 300
        for number in 1...count {
            let source = EventSource(fileKey: key, startOffset: Int64(number - 1) * 10, endOffset: Int64(number) * 10)
            let event = Event(fields: ["v": .integer(Int64(number))], timestamp: Date(), source: source)
            await processor.fileInputEmit(EventBatch([event]))
        }
        await processor.fileInputFinished()
        let families = Dictionary(uniqueKeysWithValues: metrics.families().map { ($0.family.name, $0.series) })
        #expect(families["last_value"]?.first?.value.value == Double(count))
        #expect(families["events_total"]?.first?.value.value == Double(count))
        #expect(ledger.committedOffset(of: key) == Int64(count) * 10)
        #expect(ledger.pendingCount == 0)
    }
}
