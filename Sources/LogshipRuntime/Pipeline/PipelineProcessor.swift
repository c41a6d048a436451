package import LogshipCore
package import LogshipOutputs
package import LogshipTail
package import LogshipTransforms

/// Takes each batch the file input reads through the transform chain, counts derived metrics
/// (once per event, even when it is read again after a restart), and hands the batch to the
/// output, waiting while the output is full: that wait is the backpressure that pauses reading.
package struct PipelineProcessor: FileInputDelegate {
    let steps: [PipelineConfiguration.Step]
    let metrics: MetricStore
    let ledger: CheckpointLedger
    let output: ElasticsearchOutput?
    let statistics: RuntimeStatistics
    /// Where a batch goes once the output has encoded it, for the input to fill again.
    let batches: RecyclingPool<EventBatch>?
    /// Takes batches to the output on a task of its own (see `OutputHandoff`).
    let handoff: OutputHandoff?

    package init(
        steps: [PipelineConfiguration.Step],
        metrics: MetricStore,
        ledger: CheckpointLedger,
        output: ElasticsearchOutput?,
        statistics: RuntimeStatistics,
        batches: RecyclingPool<EventBatch>? = nil
    ) {
        self.batches = batches
        self.steps = steps
        self.metrics = metrics
        self.ledger = ledger
        self.output = output
        self.statistics = statistics
        self.handoff = output.map { OutputHandoff(output: $0, batches: batches) }
    }

    package func fileInputOpened(_ key: FileKey, path: String, at offset: Int64) async {
        ledger.opened(key, path: path, at: offset)
    }

    package func fileInputTruncated(_ key: FileKey, path: String) async {
        ledger.truncated(key, path: path)
    }

    package func fileInputClosed(_ key: FileKey, path: String) async {
        ledger.closed(key)
    }

    package func fileInputEmit(_ batch: consuming EventBatch) async {
        var batch = batch
        var transformStatistics = TransformStatistics()
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
        if let handoff {
            // The output encodes this batch while the next one goes through the transforms.
            await handoff.send(consume batch)
        } else {
            ledger.acknowledge(fileSources)
            batches?.recycle(consume batch)
        }
        statistics.processed(events: count, transforms: transformStatistics, backpressure: clock.now - started)
    }

    package func fileInputFinished() async {
        await handoff?.drain()
    }
}
