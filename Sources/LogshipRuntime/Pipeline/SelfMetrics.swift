package import LogshipCore
package import LogshipOutputs
package import LogshipTail
package import LogshipTransforms

/// The `/metrics` page: the derived metrics, then logship's own, named
/// `logship_<stage>_<what>_<unit>` with bounded labels (component ids and fixed outcome names).
///
/// logship's own figures are read from the components' statistics at scrape time rather than kept
/// in a second metric registry: the components already count (once per batch), and a scrape is
/// rare next to a batch.
package struct SelfMetrics: Sendable {
    let metrics: MetricStore
    let statistics: RuntimeStatistics
    let ledger: CheckpointLedger
    let inputs: [FileInput]
    let output: ElasticsearchOutput?

    /// The exposition of every metric, in `format`.
    package func render(format: PrometheusExposition.Format = .text) -> String {
        PrometheusExposition.render(metrics.families() + ownFamilies(), format: format)
    }

    /// Ready once every input has scanned its patterns and opened what it found (checkpoints
    /// are loaded before the endpoint starts).
    package func ready() -> HealthReport {
        let waiting = inputs.filter { !$0.isOpen }.map(\.configuration.id)
        guard waiting.isEmpty else {
            return HealthReport(healthy: false, details: ["inputs_opening": waiting.joined(separator: ",")])
        }
        return HealthReport(details: ["inputs": String(inputs.count), "checkpoints": "loaded"])
    }

    /// Liveness: healthy while logship's tasks run, also while Elasticsearch is down or
    /// checkpoints cannot be written (a restart would fix neither); those show in the details
    /// and in `/status`, which answers 503 while an output cannot deliver.
    package func health() -> HealthReport {
        let output = output?.statistics
        let runtime = statistics.current
        var details = ["pending_acknowledgements": String(ledger.pendingCount)]
        if let error = output?.lastError { details["output_last_error"] = error }
        if runtime.checkpointFailures > 0 && runtime.checkpointWrites == 0 { details["checkpoints"] = "failing" }
        return HealthReport(healthy: true, details: details)
    }

    private func family(
        _ name: String,
        _ help: String,
        _ kind: MetricKind,
        labels: [String] = [],
        _ series: [([String], Double)]
    ) -> FamilySnapshot {
        FamilySnapshot(
            family: MetricFamily(name: name, help: help, kind: kind, labelNames: labels),
            series: series.map { SeriesSnapshot(labelValues: $0.0, value: SeriesValue(value: $0.1)) }
        )
    }

    func ownFamilies() -> [FamilySnapshot] {
        let runtime = statistics.current
        let inputStatistics = inputs.map { ($0.configuration.id, $0.statistics) }
        func perInput(_ value: (FileInputStatistics) -> Double) -> [([String], Double)] {
            inputStatistics.map { ([$0.0], value($0.1)) }
        }
        let laggingFiles = inputStatistics.flatMap { input, statistics in
            statistics.laggingFiles.map { ([input, $0.path], Double($0.bytes)) }
        }
        var families = [
            family(
                "logship_build_info",
                "logship's version.",
                .gauge,
                labels: ["version"],
                [([LogshipVersion.current], 1)]
            ),
            family(
                "logship_input_lines_total",
                "Lines read.",
                .counter,
                labels: ["input"],
                perInput { Double($0.linesRead) }
            ),
            family(
                "logship_input_bytes_total",
                "Bytes read.",
                .counter,
                labels: ["input"],
                perInput { Double($0.bytesRead) }
            ),
            family(
                "logship_input_events_total",
                "Events emitted after multiline joining.",
                .counter,
                labels: ["input"],
                perInput { Double($0.eventsEmitted) }
            ),
            family(
                "logship_input_truncated_lines_total",
                "Lines longer than max_line_bytes, truncated.",
                .counter,
                labels: ["input"],
                perInput { Double($0.truncatedLines) }
            ),
            family(
                "logship_input_truncated_multiline_events_total",
                "Multiline events cut at max_lines or max_line_bytes.",
                .counter,
                labels: ["input"],
                perInput { Double($0.truncatedMultilineEvents) }
            ),
            family(
                "logship_input_lines_cut_for_memory_total",
                "Lines and multiline events cut because max_pending_bytes was used up by other files.",
                .counter,
                labels: ["input"],
                perInput { Double($0.linesCutForMemory) }
            ),
            family(
                "logship_input_pending_bytes",
                "Memory held by partial lines and pending multiline events (max_pending_bytes bounds it).",
                .gauge,
                labels: ["input"],
                perInput { Double($0.pendingBytes) }
            ),
            family(
                "logship_input_invalid_utf8_lines_total",
                "Lines with invalid UTF-8, kept with replacement characters.",
                .counter,
                labels: ["input"],
                perInput { Double($0.invalidUTF8Lines) }
            ),
            family(
                "logship_input_files_open",
                "Files being followed.",
                .gauge,
                labels: ["input"],
                perInput { Double($0.filesOpen) }
            ),
            family(
                "logship_input_bytes_behind",
                "Bytes not read yet in the matched files, at the last scan.",
                .gauge,
                labels: ["input"],
                perInput { Double($0.bytesBehind) }
            ),
            family(
                "logship_input_file_bytes_behind",
                "Bytes not read yet in the files furthest behind (at most 5 per input), at the last scan.",
                .gauge,
                labels: ["input", "path"],
                laggingFiles
            ),
            family(
                "logship_input_files_queued",
                "Files changed or new waiting for a descriptor (max_open_files).",
                .gauge,
                labels: ["input"],
                perInput { Double($0.filesQueued) }
            ),
            family(
                "logship_input_failed_opens_total",
                "Files that could not be opened (permissions, gone); retried at each scan.",
                .counter,
                labels: ["input"],
                perInput { Double($0.failedOpens) }
            ),
            family(
                "logship_input_rotations_total",
                "Rename rotations followed.",
                .counter,
                labels: ["input"],
                perInput { Double($0.rotations) }
            ),
            family(
                "logship_input_truncations_total",
                "Files that shrank or whose first bytes changed (copytruncate, rewritten, a reused inode), read again from the start.",
                .counter,
                labels: ["input"],
                perInput { Double($0.truncations) }
            ),
            family(
                "logship_input_failed_scans_total",
                "Scans that could not see a followed file (kept open; looked for again at the next scan).",
                .counter,
                labels: ["input"],
                perInput { Double($0.failedScans) }
            ),
            family(
                "logship_input_lost_files_total",
                "Files truncated before they were read to their end with no rotated copy that has the rest, or compressed while logship was stopped.",
                .counter,
                labels: ["input"],
                perInput { Double($0.lostFiles) }
            ),
            family(
                "logship_input_lost_bytes_total",
                "Bytes known to be lost that way.",
                .counter,
                labels: ["input"],
                perInput { Double($0.lostBytes) }
            ),
            family(
                "logship_pipeline_events_total",
                "Events through the transform chain.",
                .counter,
                [([], Double(runtime.eventsProcessed))]
            ),
            family(
                "logship_pipeline_backpressure_seconds_total",
                "Time reading waited for the output to take events.",
                .counter,
                [([], runtime.backpressureSeconds)]
            ),
            family(
                "logship_pipeline_pending_acknowledgements",
                "Events sent but not acknowledged yet.",
                .gauge,
                [([], Double(ledger.pendingCount))]
            ),
            family(
                "logship_checkpoint_writes_total",
                "Checkpoint files written.",
                .counter,
                [([], Double(runtime.checkpointWrites))]
            ),
            family(
                "logship_checkpoint_age_seconds",
                "Seconds since the checkpoint file was last written or found current (idle: nothing new to write).",
                .gauge,
                [([], (ContinuousClock.now - runtime.lastCheckpoint).seconds)]
            ),
            family(
                "logship_checkpoint_failures_total",
                "Checkpoint writes that failed.",
                .counter,
                [([], Double(runtime.checkpointFailures))]
            ),
            family("logship_metrics_series", "Series of derived metrics.", .gauge, [([], Double(metrics.seriesCount))]),
            family(
                "logship_metrics_dropped_updates_total",
                "Metric updates dropped (undeclared metric, wrong label count or operation).",
                .counter,
                [([], Double(metrics.droppedUpdates))]
            ),
            family(
                "logship_metric_series_overflow_total",
                "Updates of new label sets beyond max_series, counted in the metric's __overflow__ series.",
                .counter,
                labels: ["metric"],
                metrics.overflowCounts().map { ([$0.family], Double($0.count)) }
            ),
            family(
                TransformStatistics.metricFamily.name,
                TransformStatistics.metricFamily.help,
                .counter,
                labels: TransformStatistics.metricFamily.labelNames,
                runtime.transforms.counts.map { ([$0.key.transform, $0.key.outcome.rawValue], Double($0.value)) }
                    .sorted { $0.0.lexicographicallyPrecedes($1.0) }
            ),
        ]
        if let output {
            families += outputFamilies(id: output.configuration.id, output.statistics)
        }
        return families
    }

    private func outputFamilies(id: String, _ output: ElasticsearchOutputStatistics) -> [FamilySnapshot] {
        [
            family(
                "logship_output_events_total",
                "Events handed to the output.",
                .counter,
                labels: ["output"],
                [([id], Double(output.eventsReceived))]
            ),
            family(
                "logship_output_documents_total",
                "Documents by outcome.",
                .counter,
                labels: ["output", "outcome"],
                [
                    ([id, "acknowledged"], Double(output.documentsAcknowledged)),
                    ([id, "conflict"], Double(output.documentsConflicted)),
                    ([id, "dead_lettered"], Double(output.documentsDeadLettered)),
                    ([id, "retried"], Double(output.documentsRetried)),
                ]
            ),
            family(
                "logship_output_bulk_requests_total",
                "Bulk requests by outcome.",
                .counter,
                labels: ["output", "outcome"],
                output.bulkRequests.map { ([id, $0.key.rawValue], Double($0.value)) }.sorted {
                    $0.0.lexicographicallyPrecedes($1.0)
                }
            ),
            family(
                "logship_output_bytes_total",
                "Bulk body bytes, before and after compression.",
                .counter,
                labels: ["output", "encoding"],
                [
                    ([id, "identity"], Double(output.bytesUncompressed)),
                    ([id, "gzip"], Double(output.bytesCompressed)),
                ]
            ),
            family(
                "logship_output_in_flight_requests",
                "Bulk requests in flight.",
                .gauge,
                labels: ["output"],
                [([id], Double(output.inFlightRequests))]
            ),
            family(
                "logship_output_buffered_events",
                "Events buffered in the output (the queue depth).",
                .gauge,
                labels: ["output"],
                [([id], Double(output.bufferedEvents))]
            ),
            family(
                "logship_output_buffered_bytes",
                "Uncompressed bulk body bytes held by the output until acknowledged (bounded by max_buffered_bytes).",
                .gauge,
                labels: ["output"],
                [([id], Double(output.bufferedBatchBytes + output.openBatchBytes))]
            ),
            family(
                "logship_output_dead_letter_records_dropped_total",
                "Dead-letter records deleted with the oldest rotated file, beyond max_dead_letter_files.",
                .counter,
                labels: ["output"],
                [([id], Double(output.deadLetterRecordsDropped))]
            ),
            family(
                "logship_output_disk_buffer_bytes",
                "Bytes in the output's disk buffer (disk_buffer_max_bytes): events acknowledged to the input, not yet taken by Elasticsearch.",
                .gauge,
                labels: ["output"],
                [([id], Double(output.diskBufferBytes))]
            ),
            family(
                "logship_output_disk_buffer_documents",
                "Documents in the output's disk buffer, not yet taken by Elasticsearch.",
                .gauge,
                labels: ["output"],
                [([id], Double(output.diskBufferDocuments))]
            ),
            family(
                "logship_output_fallback_index_documents_total",
                "Documents sent to fallback_index because their index name could not be made (a missing field, a value no index name may have).",
                .counter,
                labels: ["output"],
                [([id], Double(output.documentsToFallbackIndex))]
            ),
            family(
                "logship_output_retrying_seconds",
                "Seconds the longest-failing documents have been retried; 0 while none is (a retry that holds a checkpoint back).",
                .gauge,
                labels: ["output"],
                [([id], output.failingSince.map { (ContinuousClock.now - $0).seconds } ?? 0)]
            ),
            family(
                "logship_output_last_acknowledgement_age_seconds",
                "Seconds since Elasticsearch last took documents; absent before the first time.",
                .gauge,
                labels: ["output"],
                output.lastAcknowledgedAt.map { [([id], (ContinuousClock.now - $0).seconds)] } ?? []
            ),
            family(
                "logship_output_paused",
                "1 while reading waits for the output to take events (backpressure), else 0.",
                .gauge,
                labels: ["output"],
                [([id], output.suspendedSenders > 0 ? 1 : 0)]
            ),
            family(
                "logship_output_dead_lettered_total",
                "Documents Elasticsearch rejected for good (written to the dead-letter file, or dropped without one), by error type (at most 20, then other).",
                .counter,
                labels: ["output", "reason"],
                output.deadLetteredByReason.sorted { $0.key < $1.key }.map { ([id, $0.key], Double($0.value)) }
            ),
            histogram(
                "logship_output_bulk_request_duration_seconds",
                "Seconds from sending a bulk request to its whole answer or its failure.",
                output: id,
                output.requestSeconds
            ),
            histogram(
                "logship_output_bulk_request_documents",
                "Documents per bulk request (retries and split halves included).",
                output: id,
                output.requestDocuments
            ),
        ]
    }

    private func histogram(
        _ name: String,
        _ help: String,
        output: String,
        _ histogram: ObservedHistogram
    )
        -> FamilySnapshot
    {
        FamilySnapshot(
            family: MetricFamily(
                name: name,
                help: help,
                kind: .histogram,
                labelNames: ["output"],
                buckets: histogram.bounds
            ),
            series: [SeriesSnapshot(labelValues: [output], value: histogram.seriesValue)]
        )
    }
}
