package import LogshipCore
package import LogshipOutputs
package import LogshipTail
package import LogshipTransforms

/// Takes each batch the file input reads through the transform chain, counts derived metrics
/// (once per event, even when it is read again after a restart), and hands the batch to the
/// output, waiting while the output is full: that wait is the backpressure that pauses reading.
///
/// Three stages, each on a task of its own and one batch apart (`OrderedHandoff`), so that two
/// cores share the work: the first transforms (up to half of them, and none after a
/// `log_to_metric`), the rest with the metric store and the checkpoint ledger, and the output's
/// bulk encoding. Batches stay in read order through all of them.
package struct PipelineProcessor: FileInputDelegate {
    let firstSteps: [any EventTransform]
    let finisher: PipelineFinisher
    /// Runs `finisher` on its own task; nil when every step runs in `finisher` (one step, or a
    /// `log_to_metric` first).
    let laterStage: OrderedHandoff<(EventBatch, TransformStatistics)>?
    let ledger: CheckpointLedger

    package init(
        steps: [PipelineConfiguration.Step],
        metrics: MetricStore,
        ledger: CheckpointLedger,
        output: ElasticsearchOutput?,
        statistics: RuntimeStatistics,
        batches: RecyclingPool<EventBatch>? = nil
    ) {
        var first: [any EventTransform] = []
        for step in steps.prefix(steps.count / 2) {
            guard case .transform(let transform) = step else { break }
            first.append(transform)
        }
        let outputStage = output.map { output in
            OrderedHandoff<EventBatch> { batch in
                let delivered = batch
                await output.send(delivered)
                batches?.recycle(consume delivered)
            }
        }
        let finisher = PipelineFinisher(
            steps: Array(steps.dropFirst(first.count)),
            metrics: metrics,
            ledger: ledger,
            statistics: statistics,
            batches: batches,
            outputStage: outputStage
        )
        self.firstSteps = first
        self.finisher = finisher
        self.ledger = ledger
        self.laterStage =
            first.isEmpty
            ? nil
            : OrderedHandoff { item in
                let (batch, transformStatistics) = item
                await finisher.finish(batch, transformStatistics: transformStatistics)
            }
    }

    package func fileInputOpened(_ key: FileKey, path: String, at offset: Int64) async {
        await laterStage?.drain()
        ledger.opened(key, path: path, at: offset)
    }

    package func fileInputTruncated(_ key: FileKey, path: String) async {
        await laterStage?.drain()
        ledger.truncated(key, path: path)
    }

    package func fileInputClosed(_ key: FileKey, path: String) async {
        await laterStage?.drain()
        ledger.closed(key)
    }

    package func fileInputEmit(_ batch: consuming EventBatch) async {
        var batch = batch
        var transformStatistics = TransformStatistics()
        for transform in firstSteps { transform.apply(to: &batch, statistics: &transformStatistics) }
        if let laterStage {
            await laterStage.send((consume batch, transformStatistics))
        } else {
            await finisher.finish(batch, transformStatistics: transformStatistics)
        }
    }

    package func fileInputFinished() async {
        await laterStage?.drain()
        await finisher.outputStage?.drain()
    }
}

/// The later stages of `PipelineProcessor`: the remaining steps, the metric store, the ledger,
/// and the hand-off to the output.
struct PipelineFinisher: Sendable {
    let steps: [PipelineConfiguration.Step]
    let metrics: MetricStore
    let ledger: CheckpointLedger
    let statistics: RuntimeStatistics
    /// Where a batch goes once the output has encoded it, for the input to fill again.
    let batches: RecyclingPool<EventBatch>?
    /// The output's encoding on a task of its own; nil without an output.
    let outputStage: OrderedHandoff<EventBatch>?

    func finish(_ batch: consuming EventBatch, transformStatistics: TransformStatistics) async {
        var batch = batch
        var transformStatistics = transformStatistics
        var updates = MetricUpdateBatch()
        var metricSteps = 0
        for step in steps {
            switch step {
            case .transform(let transform):
                transform.apply(to: &batch, statistics: &transformStatistics)
            case .metrics(let logToMetric):
                logToMetric.collect(&batch, into: &updates, statistics: &transformStatistics)
                metricSteps += 1
            }
        }
        let sources = batch.records.map(\.source)
        // Several log_to_metric steps: the store must see each event's updates together (its
        // counted-offset check would skip a second group of the same event).
        if metricSteps > 1 { updates.groupByEvent(events: batch.count) }
        if !updates.isEmpty { metrics.apply(updates, sources: sources) }
        let fileSources = batch.sources
        ledger.register(fileSources)
        let clock = ContinuousClock()
        let started = clock.now
        let count = batch.count
        if let outputStage {
            // The output encodes this batch while the next one goes through the transforms.
            await outputStage.send(consume batch)
        } else {
            ledger.acknowledge(fileSources)
            batches?.recycle(consume batch)
        }
        statistics.processed(events: count, transforms: transformStatistics, backpressure: clock.now - started)
    }
}
