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

    package init(
        steps: [PipelineConfiguration.Step],
        metrics: MetricStore,
        ledger: CheckpointLedger,
        output: ElasticsearchOutput?,
        statistics: RuntimeStatistics
    ) {
        self.steps = steps
        self.metrics = metrics
        self.ledger = ledger
        self.output = output
        self.statistics = statistics
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

    package func fileInputEmit(_ events: [Event]) async {
        var events = events
        var transformStatistics = TransformStatistics()
        var updates: [(source: EventSource?, updates: [MetricUpdate])] = []
        var metricSteps = 0
        for step in steps {
            switch step {
            case .transform(let transform):
                transform.apply(to: &events, statistics: &transformStatistics)
            case .metrics(let logToMetric):
                updates += logToMetric.updates(for: events, statistics: &transformStatistics)
                metricSteps += 1
            }
        }
        if metricSteps > 1 { updates = Self.joinedPerEvent(updates, events: events) }
        if !updates.isEmpty { metrics.apply(updates) }
        let sources = events.compactMap(\.source)
        ledger.register(sources)
        let clock = ContinuousClock()
        let started = clock.now
        if let output {
            await output.send(events)
        } else {
            ledger.acknowledge(sources)
        }
        statistics.processed(events: events.count, transforms: transformStatistics, backpressure: clock.now - started)
    }

    /// Several log_to_metric steps give one entry per event each; the store must see every event
    /// once (its counted-offset check would skip a second entry), so entries are joined per
    /// event, in the events' read order.
    static func joinedPerEvent(
        _ entries: [(source: EventSource?, updates: [MetricUpdate])],
        events: [Event]
    ) -> [(source: EventSource?, updates: [MetricUpdate])] {
        var bySource: [EventSource: [MetricUpdate]] = [:]
        var unsourced: [(source: EventSource?, updates: [MetricUpdate])] = []
        for entry in entries {
            if let source = entry.source {
                bySource[source, default: []] += entry.updates
            } else {
                unsourced.append(entry)
            }
        }
        let joined = events.compactMap { event -> (source: EventSource?, updates: [MetricUpdate])? in
            guard let source = event.source, let updates = bySource.removeValue(forKey: source) else { return nil }
            return (source, updates)
        }
        return joined + unsourced
    }
}
