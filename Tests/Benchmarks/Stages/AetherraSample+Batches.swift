import LogshipCore
import LogshipOutputs
import LogshipRuntime
import LogshipTail
import LogshipTransforms

extension AetherraSample {
    /// The batches the file input hands on for `events` (whose text is in `text`): built by
    /// `EventBatchBuilder` with the input's settings, a batch handed on whenever it is full, as
    /// `FileInputEngine` does.
    func makeBatches(_ events: [JoinedEvent], text: [UInt8]) -> [EventBatch] {
        var batches: [EventBatch] = []
        var builder = makeBuilder()
        var fileValue: (slot: FieldSlot, batch: Int)?
        text.withUnsafeBufferPointer { all in
            for event in events {
                if fileValue?.batch != builder.batchNumber {
                    fileValue = (builder.fileValue(path: Self.path), builder.batchNumber)
                }
                builder.append(
                    UnsafeBufferPointer(rebasing: all[event.range]),
                    event.span,
                    fileKey: Self.fileKey,
                    file: fileValue!.slot,
                    timestamp: Self.readTime
                )
                if builder.isFull { batches.append(builder.finishBatch()) }
            }
        }
        if !builder.isEmpty { batches.append(builder.finishBatch()) }
        return batches
    }

    /// A batch builder with the input's settings.
    func makeBuilder() -> EventBatchBuilder {
        EventBatchBuilder(
            fields: input.fields,
            fieldsUnderRoot: input.fieldsUnderRoot,
            maximumEvents: input.maximumBatchEvents
        )
    }

    /// The pipeline's transform steps.
    var steps: [PipelineConfiguration.Step] { pipeline.steps }

    /// The index of the first step that `matches`.
    func stepIndex(where matches: (PipelineConfiguration.Step) -> Bool) throws -> Int {
        guard let index = steps.firstIndex(where: matches) else {
            throw SampleError("pipelines/aetherra.yml lacks a step the benchmarks expect")
        }
        return index
    }

    /// Runs `steps` over `batches` as `PipelineProcessor` does: transforms in order, then the
    /// metric updates applied to `store`.
    static func run(
        _ steps: some Collection<PipelineConfiguration.Step>,
        on batches: inout [EventBatch],
        store: MetricStore
    ) {
        for index in batches.indices {
            var statistics = TransformStatistics()
            let updates = PipelineProcessor.applySteps(steps, to: &batches[index], statistics: &statistics)
            if !updates.isEmpty { store.apply(updates, sources: batches[index].records.map(\.source)) }
        }
    }

    /// A metric store with the pipeline's families registered, as `logship run` makes it.
    func makeStore() -> MetricStore {
        let store = MetricStore(maximumSeriesPerFamily: pipeline.prometheus?.maximumSeriesPerMetric ?? 10_000)
        for family in pipeline.metricFamilies { store.register(family) }
        return store
    }

    /// The pipeline's `elasticsearch` output settings.
    func elasticsearch() throws -> ElasticsearchOutputConfiguration {
        guard let configuration = pipeline.elasticsearch else {
            throw SampleError("pipelines/aetherra.yml has no elasticsearch output")
        }
        return configuration
    }

    /// A batcher with the output's settings, as `ElasticsearchOutput` makes it.
    func makeBatcher() throws -> Batcher {
        let configuration = try elasticsearch()
        return Batcher(
            maximumEvents: configuration.maximumBatchEvents,
            maximumBytes: configuration.maximumBatchBytes,
            maximumAge: configuration.maximumBatchAge,
            encoder: BulkEncoder(indexPattern: try IndexPattern(parsing: configuration.index))
        )
    }
}
