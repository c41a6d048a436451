package import Foundation
package import Logging
package import LogshipCore
package import LogshipOutputs
package import LogshipTail
package import ServiceLifecycle
import Synchronization
import UnixSignals

/// A pipeline built from its configuration and ready to run: checkpoints loaded, metric state
/// restored, the metrics port bound. Building does all the I/O that can fail at startup, so that
/// a busy port or an unreadable checkpoint stops logship before it reads anything.
package final class PipelineRunner: Sendable {
    package let configuration: PipelineConfiguration
    package let metrics: MetricStore
    package let ledger: CheckpointLedger
    package let statistics: RuntimeStatistics
    package let inputs: [FileInput]
    package let output: ElasticsearchOutput?
    /// The `/metrics` server the pipeline started and runs among its services; `nil` when it has
    /// none or serves through a server it was given (`PipelineSupervisor`'s, kept over reloads).
    package let metricsServer: MetricsServer?
    private let logger: Logger
    /// The running service group, and whether `requestStop()` was called (before or after the
    /// group was made).
    private let control = Mutex<(group: ServiceGroup?, stop: Bool)>((nil, false))

    /// Builds the pipeline. Throws `RuntimeError` naming what could not be opened or bound.
    ///
    /// - Parameter shared: a started server to answer `/metrics` through (its endpoints are
    ///   replaced with this pipeline's) instead of starting one; the caller runs and stops it.
    package init(
        configuration: PipelineConfiguration,
        metricsServer shared: MetricsServer? = nil,
        logger: Logger
    ) async throws {
        self.configuration = configuration
        self.logger = logger
        let maximumSeries = configuration.prometheus?.maximumSeriesPerMetric ?? 10_000
        let metrics = MetricStore(maximumSeriesPerFamily: maximumSeries)
        for family in configuration.metricFamilies { metrics.register(family) }
        let store = CheckpointStore(directory: configuration.dataDirectory)
        let recovery: CheckpointStore.Recovery
        do {
            recovery = try store.recover()
        } catch {
            throw RuntimeError.checkpoints("\(error)")
        }
        for notice in recovery.notices {
            logger.log(
                level: recovery.startedOver ? .error : .warning,
                "checkpoints: \(notice)",
                metadata: ["data_dir": "\(configuration.dataDirectory)"]
            )
        }
        let restored = recovery.state
        // A metric whose definition changed (type, labels, buckets) or that is gone starts
        // afresh; the others continue from their saved values.
        for dropped in restored.metrics.map({ metrics.restore($0) }) ?? [] {
            logger.warning(
                "checkpoints: \(dropped)",
                metadata: ["metric": "\(dropped.family)", "data_dir": "\(configuration.dataDirectory)"]
            )
        }
        // Checkpoints that could not be trusted, now or at a start that failed since: nothing is
        // skipped, whatever `read_from` says.
        let readFromStart = recovery.startedOver || restored.readFromStart == true
        let ledger = CheckpointLedger(
            store: store,
            restored: restored.files,
            metrics: metrics,
            readFromStart: readFromStart,
            forgetAfter: configuration.inputs.map(\.forgetAfter).max() ?? .seconds(86_400)
        )
        do {
            // Fail now, not at the first checkpoint, when data_dir cannot be written.
            try ledger.write(force: true)
        } catch {
            throw RuntimeError.checkpoints("\(error)")
        }
        let statistics = RuntimeStatistics()
        let output = configuration.elasticsearch.map { elasticsearch in
            ElasticsearchOutput(
                configuration: elasticsearch,
                acknowledge: { sources in ledger.acknowledge(sources) },
                logger: logger
            )
        }
        // Batches go round: the inputs fill them, the processor empties them and hands them back.
        // Two idle ones: with one, most batches were allocated anew and faulted their pages in
        // again (a third of a run's page faults); one per batch in flight (four) kept 1-2 MiB
        // more at the peak for a thousand fewer faults per million lines.
        let batches = RecyclingPool<EventBatch>(capacity: 2)
        let processor = PipelineProcessor(
            steps: configuration.steps,
            metrics: metrics,
            ledger: ledger,
            output: output,
            statistics: statistics,
            batches: batches
        )
        let firstStart = restored.files.isEmpty && !readFromStart
        self.inputs = configuration.inputs.map { input in
            var input = input
            // `read_from: end` is for the first start only. Once logship has checkpoints, a file
            // without one appeared while it was down (a rotation, a new service) and is read whole.
            if !firstStart { input.readFrom = .beginning }
            // The inputs share the descriptors the process may open.
            input.descriptorShare = configuration.inputs.count
            return FileInput(
                configuration: input,
                checkpoints: restored.files,
                delegate: processor.forInput(input.id),
                batches: batches,
                logger: logger
            )
        }
        self.metrics = metrics
        self.ledger = ledger
        self.statistics = statistics
        self.output = output
        let exposition = SelfMetrics(
            metrics: metrics,
            statistics: statistics,
            ledger: ledger,
            inputs: inputs,
            output: output
        )
        let endpoints = MetricsServer.Endpoints(
            render: { exposition.render(format: $0) },
            health: { exposition.health() },
            ready: { exposition.ready() },
            status: { exposition.status() }
        )
        if let shared {
            shared.serve(endpoints)
            self.metricsServer = nil
        } else if let prometheus = configuration.prometheus {
            self.metricsServer = try await Self.startMetricsServer(prometheus.listen, endpoints, logger: logger)
        } else {
            self.metricsServer = nil
        }
    }

    /// A `/metrics` server bound to `listen`; throws `RuntimeError.metricsEndpoint` naming the
    /// address and why it cannot listen there.
    package static func startMetricsServer(
        _ listen: String,
        _ endpoints: MetricsServer.Endpoints = startingEndpoints,
        logger: Logger
    ) async throws -> MetricsServer {
        do {
            let server = try MetricsServer(listen: listen, endpoints: endpoints, logger: logger)
            _ = try await server.start()
            return server
        } catch {
            throw RuntimeError.metricsEndpoint("\(error)")
        }
    }

    /// What a server bound before its pipeline is built answers (`PipelineSupervisor`: at start, and
    /// on a new address during a reload): alive, not ready, no metrics yet.
    package static let startingEndpoints = MetricsServer.Endpoints(
        render: { _ in "" },
        health: { HealthReport() },
        ready: { HealthReport(healthy: false, details: ["pipeline": "starting"]) },
        status: { (false, #"{"status":"starting"}"# + "\n") }
    )

    /// Stops the pipeline gracefully, as SIGTERM does (`run` then returns): for a reload.
    package func requestStop() async {
        let running = control.withLock { control in
            control.stop = true
            return control.group
        }
        await running?.triggerGracefulShutdown()
    }

    /// The services in start order. Graceful shutdown runs in reverse: extra services (a demo's
    /// log writer) and inputs stop first, the output flushes and waits for its acknowledgements,
    /// the metrics endpoint closes, and the checkpoint writer writes last.
    package func services(first: [any Service] = [], last: [any Service] = []) -> [any Service] {
        var services: [any Service] = first
        services.append(
            CheckpointWriter(
                ledger: ledger,
                interval: configuration.checkpointInterval,
                statistics: statistics,
                logger: logger
            )
        )
        if let metricsServer { services.append(metricsServer) }
        if let output { services.append(output) }
        if inputs.contains(where: \.configuration.stopsAtEndOfFiles) {
            // --once: the group shuts down when the last input has read its files, not the first.
            services.append(InputGroup(inputs: inputs))
        } else {
            services += inputs.map { $0 as any Service }
        }
        services += last
        return services
    }

    /// Runs until SIGTERM or SIGINT (or `requestStop()`), then shuts down gracefully. SIGHUP
    /// calls `hangUp` (`PipelineSupervisor` reloads there); without one it is logged, rather than
    /// killing the process unflushed.
    ///
    /// Graceful shutdown is bounded: the output may take its `shutdown_timeout` to flush, and
    /// the whole group that plus 10 s; past that the services are cancelled (a blocked `send`
    /// then returns, the checkpoint writer still writes), so a down Elasticsearch cannot make
    /// SIGTERM hang. Unacknowledged events are simply read again after the restart.
    ///
    /// With `--once` (inputs that stop at the end of their files) the inputs returning start
    /// the same graceful shutdown. By then every event read has been handed to the output
    /// (reading waits while the output is full), so the final flush is bounded by
    /// `max_buffered_events` plus one read batch, not by the size of the files: on a big file
    /// `shutdown_timeout` only has to cover that last stretch. What is still unacknowledged when
    /// it passes shows in `ledger.pendingCount` (and `logship run --once` then exits 1).
    package func run(
        first: [any Service] = [],
        last: [any Service] = [],
        hangUp: (@Sendable () async -> Void)? = nil
    ) async throws {
        var configuration = ServiceGroupConfiguration(
            // A service that returns by itself (the demo's timer) shuts the group down.
            services: services(first: first, last: last).map {
                .init(service: $0, successTerminationBehavior: .gracefullyShutdownGroup)
            },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
        let flush = self.configuration.elasticsearch?.shutdownTimeout ?? .zero
        configuration.maximumGracefulShutdownDuration = flush + .seconds(10)
        configuration.maximumCancellationDuration = .seconds(5)
        let group = ServiceGroup(configuration: configuration)
        let stop = control.withLock { control in
            control.group = group
            return control.stop
        }
        if stop { await group.triggerGracefulShutdown() }
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            tasks.addTask { [logger] in
                for await _ in await UnixSignalsSequence(trapping: .sighup) {
                    if let hangUp {
                        await hangUp()
                    } else {
                        logger.warning("SIGHUP received: only `logship run` reloads its pipeline; ignored")
                    }
                }
            }
            try await tasks.next()
            tasks.cancelAll()
        }
    }

    /// Figures for the status line and the shutdown summary.
    package func status() -> PipelineStatus {
        PipelineStatus(
            inputs: inputs.map(\.statistics),
            output: output?.statistics,
            runtime: statistics.current,
            pendingAcknowledgements: ledger.pendingCount,
            series: metrics.seriesCount
        )
    }
}

/// Why a pipeline could not start.
package enum RuntimeError: Error, CustomStringConvertible {
    case checkpoints(String)
    case metricsEndpoint(String)

    package var description: String {
        switch self {
        case .checkpoints(let reason): return "checkpoints: \(reason)"
        case .metricsEndpoint(let reason): return "metrics endpoint: \(reason)"
        }
    }
}
