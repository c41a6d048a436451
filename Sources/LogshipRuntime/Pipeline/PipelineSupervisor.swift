package import Logging
package import LogshipOutputs
package import ServiceLifecycle
import Synchronization
import UnixSignals

/// `logship run` with reloading: runs a `PipelineRunner`, and on SIGHUP loads the pipeline file
/// again and, when it is valid (`ReloadPlan`), stops the running pipeline gracefully and starts the
/// new one in the same process.
///
/// Nothing is lost because a reload is a graceful stop and a start over the same `data_dir`: the
/// inputs stop, the output flushes and waits for acknowledgements (bounded by its
/// `shutdown_timeout`), the checkpoints and metric state are written, and the new pipeline
/// resumes from them, so what was not acknowledged is read again (under the same document ids:
/// Elasticsearch answers 409 to what it already has). Metrics whose definition is unchanged
/// continue from their state; changed or new ones start afresh (as after a restart). Secret and
/// certificate files are read again. The `/metrics` server stays up through the reload when its
/// address is unchanged, answering for the old pipeline until the new one takes over; a new
/// address is bound before the old pipeline stops, so a busy port refuses the reload instead of
/// leaving logship without an endpoint.
///
/// Refused, with the running pipeline kept: a file that does not load (each problem logged as
/// `FILE:LINE:COL: key: message`), a changed `data_dir`, an address that cannot be bound.
package final class PipelineSupervisor: Sendable {
    private let path: String
    private let environment: @Sendable () -> [String: String]
    /// Applied to every configuration loaded (`--output null`).
    private let adjust: @Sendable (inout PipelineConfiguration) -> Void
    private let logger: Logger

    package init(
        path: String,
        environment: @escaping @Sendable () -> [String: String],
        adjust: @escaping @Sendable (inout PipelineConfiguration) -> Void = { _ in },
        logger: Logger
    ) {
        self.path = path
        self.environment = environment
        self.adjust = adjust
        self.logger = logger
    }

    /// A reload decided while a pipeline runs: the configuration to start and its server.
    private struct Next: Sendable {
        var configuration: PipelineConfiguration
        var server: MetricsServer?
    }

    /// Runs `initial`, and each reloaded pipeline after it, until SIGTERM or SIGINT; `extra`
    /// gives each pipeline's additional services (the status line). Returns the last runner.
    ///
    /// - Throws: `RuntimeError` when the first pipeline cannot start, or when neither a reloaded
    ///   pipeline nor the previous one can be started again.
    @discardableResult
    package func run(
        _ initial: PipelineConfiguration,
        extra: @Sendable (PipelineRunner) -> [any Service] = { _ in [] }
    ) async throws -> PipelineRunner {
        var configuration = initial
        var server: MetricsServer?
        if let prometheus = initial.prometheus {
            server = try await PipelineRunner.startMetricsServer(prometheus.listen, logger: logger)
        }
        defer { server?.shutdown() }
        // SIGTERM or SIGINT while a reload drains the old pipeline: the group is already shutting
        // down and ignores it, so the supervisor remembers it and does not start the next one.
        let terminating = Mutex(false)
        let watcher = Task { [logger] in
            for await _ in await UnixSignalsSequence(trapping: .sigterm, .sigint) {
                terminating.withLock { $0 = true }
                logger.info("termination requested; no further reloads")
            }
        }
        defer { watcher.cancel() }
        var previous: PipelineConfiguration?
        while true {
            let runner: PipelineRunner
            do {
                runner = try await PipelineRunner(configuration: configuration, metricsServer: server, logger: logger)
            } catch {
                guard let fallback = previous else { throw error }
                logger.error(
                    "reload: the new pipeline cannot start; starting the previous one again",
                    metadata: ["error": "\(error)"]
                )
                // Back on the previous pipeline's /metrics address when the reload had moved it.
                if fallback.prometheus?.listen != configuration.prometheus?.listen {
                    server?.shutdown()
                    server = nil
                    if let prometheus = fallback.prometheus {
                        server = try await PipelineRunner.startMetricsServer(prometheus.listen, logger: logger)
                    }
                }
                configuration = fallback
                previous = nil
                continue
            }
            let next = Mutex<Next?>(nil)
            let (running, current) = (configuration, server)
            try await runner.run(first: extra(runner)) { [self] in
                guard !terminating.withLock({ $0 }) else {
                    logger.warning("SIGHUP ignored: logship is shutting down")
                    return
                }
                guard next.withLock({ $0 == nil }) else {
                    logger.warning("SIGHUP ignored: a reload is in progress; send it again once it is done")
                    return
                }
                guard let decided = await reload(from: running, current) else { return }
                next.withLock { $0 = decided }
                await runner.requestStop()
            }
            guard let decided = next.withLock({ $0 }) else { return runner }
            if terminating.withLock({ $0 }) {
                if decided.server !== server { decided.server?.shutdown() }
                logger.info("terminated during a reload; the new pipeline is not started")
                return runner
            }
            if decided.server !== server { server?.shutdown() }
            previous = configuration
            configuration = decided.configuration
            server = decided.server
            logger.info("reloaded \(configuration.file): \(configuration.summary)")
        }
    }

    /// Loads the file and decides; `nil` (with the reason logged) keeps the running pipeline.
    private func reload(from running: PipelineConfiguration, _ server: MetricsServer?) async -> Next? {
        logger.info("SIGHUP: reloading \(path)")
        var loaded: PipelineConfiguration
        do {
            loaded = try PipelineLoader.load(path: path, environment: environment())
        } catch {
            for problem in error.errors {
                logger.error("reload refused; the running pipeline is kept: \(problem)")
            }
            return nil
        }
        adjust(&loaded)
        for warning in loaded.warnings { logger.warning("\(loaded.file): \(warning)") }
        switch ReloadPlan.plan(running: running, loaded: loaded) {
        case .refuse(let reason):
            logger.error("reload refused: \(reason)")
            return nil
        case .apply(.keep):
            return Next(configuration: loaded, server: server)
        case .apply(.close):
            return Next(configuration: loaded, server: nil)
        case .apply(.bind(let listen)):
            do {
                let bound = try await PipelineRunner.startMetricsServer(listen, logger: logger)
                return Next(configuration: loaded, server: bound)
            } catch {
                logger.error("reload refused; the running pipeline is kept: \(error)")
                return nil
            }
        }
    }
}
