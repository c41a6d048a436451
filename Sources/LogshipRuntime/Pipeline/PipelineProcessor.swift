package import LogshipCore
package import LogshipOutputs
package import LogshipTail
package import LogshipTransforms

/// Takes each batch the file input reads through the transform chain, counts derived metrics
/// (once per event, even when it is read again after a restart), and hands the batch to the
/// output, waiting while the output is full: that wait is the backpressure that pauses reading.
///
/// The transforms and the bulk encoding are pure functions of a batch, so consecutive batches go
/// through them side by side on both cores (`OrderedWorkers`, at most `transformWidth` batches
/// unfinished), and a batch's buffers go back to the input as soon as it is encoded. Applying the metric updates,
/// registering the events with the checkpoint ledger and handing the documents to the output
/// happen batch after batch in read order. The file input's other news (a file opened,
/// truncated, closed) waits until every batch before it is done, so the ledger sees everything
/// in order.
package struct PipelineProcessor: FileInputDelegate {
    /// How many batches may be unfinished at once by default: one per core of the machine the
    /// targets are set on, and one more that is being finished (handed to the output) while the
    /// next two are transformed. Measured against 2 on the 2-core machine: faster both ways, and
    /// the 985 MB bench file peaks at 59 MiB.
    package static let defaultTransformWidth = 3

    /// A batch after the transforms and the encoding: what the ordered part needs of it.
    struct Processed: Sendable {
        var sources: [EventSource?]
        var updates: MetricUpdateBatch
        var statistics: TransformStatistics
        /// The output's documents; `nil` without an Elasticsearch output.
        var documents: Batch?
        /// The sources of the events a `filter` dropped: acknowledged at once, as the output
        /// does not get them.
        var dropped: [EventSource]
    }

    let ledger: CheckpointLedger
    let output: ElasticsearchOutput?
    private let workers: OrderedWorkers<EventBatch, Processed>
    /// The input whose calls these are (see `forInput(_:)`): the ledger keeps a file's
    /// checkpoint open while any input follows it.
    private var input = ""

    /// This processor, for the calls of the input `id`: the same workers, ledger and output.
    package func forInput(_ id: String) -> PipelineProcessor {
        var processor = self
        processor.input = id
        return processor
    }

    package init(
        steps: [PipelineConfiguration.Step],
        metrics: MetricStore,
        ledger: CheckpointLedger,
        output: ElasticsearchOutput?,
        statistics: RuntimeStatistics,
        batches: RecyclingPool<EventBatch>? = nil,
        transformWidth: Int = PipelineProcessor.defaultTransformWidth
    ) {
        self.ledger = ledger
        self.output = output
        workers = OrderedWorkers(
            width: transformWidth,
            step: { (batch: consuming EventBatch) in
                Self.process(consume batch, steps: steps, output: output, batches: batches)
            },
            finish: { (processed: consuming Processed) in
                await Self.finish(
                    consume processed,
                    metrics: metrics,
                    ledger: ledger,
                    output: output,
                    statistics: statistics
                )
            }
        )
    }

    package func fileInputOpened(_ key: FileKey, path: String, at offset: Int64, generation: UInt32) async {
        await workers.drain()
        ledger.opened(key, path: path, at: offset, generation: generation, by: input)
    }

    package func fileInputTruncated(_ key: FileKey, path: String, generation: UInt32) async {
        await workers.drain()
        ledger.truncated(key, path: path, generation: generation)
    }

    package func fileInputIdentified(_ key: FileKey, head: FileHead) async {
        ledger.identified(key, head: head)
    }

    package func fileInputCut(_ key: FileKey, at cut: FileCut, generation: UInt32) async {
        ledger.cut(key, at: cut, generation: generation)
    }

    package func fileInputClosed(_ key: FileKey, path: String) async {
        await workers.drain()
        ledger.closed(key, by: input)
    }

    package func fileInputGone(_ key: FileKey, path: String) async {
        await workers.drain()
        ledger.gone(key, by: input)
    }

    package func fileInputEmit(_ batch: consuming EventBatch) async {
        await workers.submit(consume batch)
    }

    package func fileInputFinished() async {
        await workers.drain()
    }

    /// The transform chain and the encoding of one batch: no shared state, so batches may go
    /// through it at once. The batch is recycled here, once encoded.
    static func process(
        _ batch: consuming EventBatch,
        steps: [PipelineConfiguration.Step],
        output: ElasticsearchOutput?,
        batches: RecyclingPool<EventBatch>?
    ) -> Processed {
        var batch = batch
        var statistics = TransformStatistics()
        let updates = applySteps(steps, to: &batch, statistics: &statistics)
        if output != nil { batch.computeFingerprints() }
        let documents = output?.encode(batch)
        let dropped =
            statistics.has(.dropped) ? batch.records.compactMap { $0.flags.contains(.dropped) ? $0.source : nil } : []
        let processed = Processed(
            sources: batch.records.map(\.source),
            updates: updates,
            statistics: statistics,
            documents: documents,
            dropped: dropped
        )
        batches?.recycle(consume batch)
        return processed
    }

    /// The steps in order over `batch`, and the metric updates they derive (grouped by event when
    /// several `log_to_metric` steps made them: the store must see each event's updates together,
    /// or its counted-offset check would skip a second group of the same event).
    package static func applySteps(
        _ steps: some Collection<PipelineConfiguration.Step>,
        to batch: inout EventBatch,
        statistics: inout TransformStatistics
    ) -> MetricUpdateBatch {
        let derivesMetrics = steps.contains {
            if case .metrics = $0 { true } else { false }
        }
        var updates = derivesMetrics ? MetricUpdateBatch(reservingFor: batch.count) : MetricUpdateBatch()
        var metricSteps = 0
        for step in steps {
            switch step {
            case .transform(let transform):
                transform.apply(to: &batch, statistics: &statistics)
            case .metrics(let logToMetric):
                logToMetric.collect(&batch, into: &updates, statistics: &statistics)
                metricSteps += 1
            }
        }
        if metricSteps > 1 { updates.groupByEvent(events: batch.count) }
        return updates
    }

    /// What happens in read order: metrics, checkpoints, the output.
    private static func finish(
        _ processed: consuming Processed,
        metrics: MetricStore,
        ledger: CheckpointLedger,
        output: ElasticsearchOutput?,
        statistics: RuntimeStatistics
    ) async {
        var processed = processed
        if !processed.updates.isEmpty { metrics.apply(processed.updates, sources: processed.sources) }
        // Reserved, not `compactMap`: growing by doubling copied the sources of every batch.
        var fileSources: [EventSource] = []
        fileSources.reserveCapacity(processed.sources.count)
        for case let source? in processed.sources { fileSources.append(source) }
        ledger.register(fileSources)
        let clock = ContinuousClock()
        let started = clock.now
        if let output, let documents = processed.documents.take() {
            if !processed.dropped.isEmpty { ledger.acknowledge(processed.dropped) }
            await output.send(encoded: consume documents)
        } else {
            ledger.acknowledge(fileSources)
        }
        statistics.processed(
            events: processed.sources.count,
            transforms: processed.statistics,
            backpressure: clock.now - started
        )
    }
}
