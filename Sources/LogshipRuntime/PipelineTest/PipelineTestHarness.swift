package import Foundation
import LogshipCore
import LogshipOutputs
package import LogshipTail
import LogshipTransforms

/// Runs lines through a pipeline the way `logship run` would, without files, network, checkpoints
/// or `data_dir`: the file input's line splitting, multiline joining and event building (with its
/// `fields`), the transforms in order, the metric store, the Elasticsearch output's encoding and
/// the `/metrics` exposition.
///
/// What differs from a run, on purpose:
/// - the lines are read at one fixed time (`readTime`): it is the events' `@timestamp` until a
///   step parses one, and the metric store's clock (summaries' windows);
/// - all lines arrive at once, so multiline `timeout` never ends an event early; the last event
///   and a last line without a newline are emitted at the end, as for a file that is finished;
/// - the file's identity is fixed (device 0, inode 0); document ids are not compared.
package struct PipelineTestHarness: Sendable {
    package let pipeline: PipelineConfiguration
    package let readTime: Date

    package init(pipeline: PipelineConfiguration, readTime: Date = PipelineTestFile.defaultReadTime) {
        self.pipeline = pipeline
        self.readTime = readTime
    }

    /// The pipeline input that reads a case's lines: the one with id `id`, or the only one when
    /// `id` is `nil`. `nil` when there is no such input, or several and no id.
    package func input(id: String?) -> FileInputConfiguration? {
        guard let id else { return pipeline.inputs.count == 1 ? pipeline.inputs.first : nil }
        return pipeline.inputs.first { $0.id == id }
    }

    /// The `log.file.path` of events of `input` when a case gives none: the directory of the
    /// input's first path with the file name of `input.file`, or, for inline lines, the first
    /// path with each `*` of its file name replaced by `test` (`/var/log/aetherra/*.log` gives
    /// `/var/log/aetherra/test.log`).
    package static func defaultPath(of input: FileInputConfiguration, fileName: String?) -> String {
        let pattern = input.paths.first ?? "test.log"
        let directory = (pattern as NSString).deletingLastPathComponent
        let name = fileName ?? (pattern as NSString).lastPathComponent.replacingOccurrences(of: "*", with: "test")
        return directory.isEmpty ? name : (directory as NSString).appendingPathComponent(name)
    }

    /// The documents and the derived metrics of `input` read by `configuration`.
    package func run(
        _ input: PipelineTestInput,
        through configuration: FileInputConfiguration
    ) throws
        -> PipelineTestOutput
    {
        let seconds = readTime.timeIntervalSince1970
        let store = MetricStore(
            maximumSeriesPerFamily: pipeline.prometheus?.maximumSeriesPerMetric ?? 10_000,
            now: { seconds }
        )
        for family in pipeline.metricFamilies { store.register(family) }
        var encoder = BulkEncoder(
            action: try pipeline.elasticsearch?.bulkAction() ?? BulkAction(index: IndexPattern(parsing: "logship"))
        )
        let path = input.path ?? Self.defaultPath(of: configuration, fileName: input.fileName)
        let lineStarts = [Int64(0)] + input.bytes.indices.filter { input.bytes[$0] == 0x0A }.map { Int64($0 + 1) }
        var documents: [ActualDocument] = []

        func finish(_ batch: consuming EventBatch) {
            var batch = batch
            var statistics = TransformStatistics()
            let updates = PipelineProcessor.applySteps(pipeline.steps, to: &batch, statistics: &statistics)
            if !updates.isEmpty { store.apply(updates, sources: batch.records.map(\.source)) }
            var bytes: [UInt8] = []
            // As the output: events a `filter` dropped are not shipped.
            for event in 0..<batch.count where !batch.isDropped(event) {
                bytes.removeAll(keepingCapacity: true)
                let document = encoder.append(batch, event: event, to: &bytes)
                var value = Self.parse(bytes[document.sourceStart..<(document.range.upperBound - 1)])
                if pipeline.elasticsearch != nil, case .object(var object) = value {
                    let action = Self.parse(bytes[document.range.lowerBound..<(document.sourceStart - 1)])
                    object["_index"] = action.objectValue?[encoder.action.kind.rawValue]?.objectValue?["_index"]
                    value = .object(object)
                }
                let offset = batch.records[event].source?.startOffset ?? 0
                let line = lineStarts.partitioningIndex { $0 > offset }
                documents.append(ActualDocument(value: DocumentComparison.sorted(value), inputLine: line))
            }
        }

        let now = ContinuousClock.now
        let fileKey = FileKey(device: 0, inode: 0)
        var splitter = LineSplitter(maximumLineBytes: configuration.maximumLineBytes)
        var aggregator = try configuration.multiline.map {
            try MultilineAggregator(configuration: $0, maximumBytes: configuration.maximumLineBytes)
        }
        var builder = EventBatchBuilder(
            fields: configuration.fields,
            fieldsUnderRoot: configuration.fieldsUnderRoot,
            maximumEvents: configuration.maximumBatchEvents
        )
        var fileValue: (slot: FieldSlot, batch: Int)?
        func appendEvent(_ text: UnsafeBufferPointer<UInt8>, _ span: EventSpan) {
            if fileValue?.batch != builder.batchNumber {
                fileValue = (builder.fileValue(path: path), builder.batchNumber)
            }
            let full = builder.append(text, span, fileKey: fileKey, file: fileValue!.slot, timestamp: readTime)
            if full { finish(builder.finishBatch()) }
        }
        func process(_ line: UnsafeBufferPointer<UInt8>, _ info: LineSplitter.LineInfo) {
            guard aggregator != nil else { return appendEvent(line, EventSpan(info)) }
            aggregator!.append(line, info, now: now, emit: appendEvent)
        }
        input.bytes.withUnsafeBufferPointer { splitter.append($0, at: 0, process) }
        splitter.flushPartial(process)
        aggregator?.flush(appendEvent)
        if !builder.isEmpty { finish(builder.finishBatch()) }
        return PipelineTestOutput(documents: documents, exposition: PrometheusExposition.render(store.families()))
    }

    private static func parse(_ bytes: ArraySlice<UInt8>) -> FieldValue {
        (try? JSONParser.parse(Array(bytes))) ?? .string(String(decoding: bytes, as: UTF8.self))
    }
}

extension Array {
    /// The first index whose element satisfies `predicate`, for a predicate that is false and then
    /// true over the array (binary search); `count` when none does.
    fileprivate func partitioningIndex(where predicate: (Element) -> Bool) -> Int {
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if predicate(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
