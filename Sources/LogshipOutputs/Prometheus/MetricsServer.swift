import Hummingbird
import HummingbirdCore
package import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// The Prometheus endpoint: `GET /metrics` (exposition text from `render`, in the format the
/// `Accept` header asks for), `GET /healthz` (from `health`), `GET /ready` (from `ready`) and a
/// short index at `GET /`. See `response(method:path:accept:)` for the routes.
///
/// HTTP is Hummingbird's (it replaced a hand-written server that cut a large answer short when
/// the client sent `Connection: close`): keep-alive, an idle timeout (`idleTimeout`) and a
/// bound on open connections (`maximumConnections`; beyond it new connections wait in the
/// backlog). Request bodies are never read.
///
/// A `Service`: `start()` binds early so a busy port fails startup with
/// `HTTPServerError.cannotListen`; `run()` serves until graceful shutdown (or cancellation), then
/// answers requests in progress, closes every connection and returns. `run()` starts the server
/// itself when `start()` was not called.
///
/// `render`, `health` and `ready` run on every request, on the requesting task, and should be
/// quick.
package final class MetricsServer: Service, Sendable {
    /// What the routes answer with.
    package struct Endpoints: Sendable {
        /// The exposition text of every metric, in a format.
        package var render: @Sendable (PrometheusExposition.Format) -> String
        /// Liveness: `/healthz`.
        package var health: @Sendable () -> HealthReport
        /// Readiness: `/ready`.
        package var ready: @Sendable () -> HealthReport
        /// `/status`: whether every output delivers (200, else 503) and the JSON of every input
        /// and output.
        package var status: @Sendable () -> (delivering: Bool, json: String)

        package init(
            render: @escaping @Sendable (PrometheusExposition.Format) -> String,
            health: @escaping @Sendable () -> HealthReport = { HealthReport() },
            ready: @escaping @Sendable () -> HealthReport = { HealthReport() },
            status: @escaping @Sendable () -> (delivering: Bool, json: String) = { (true, "{}\n") }
        ) {
            self.render = render
            self.health = health
            self.ready = ready
            self.status = status
        }
    }

    private enum Lifecycle: Sendable {
        case initial
        /// Hummingbird's application runs in its own service group, so that `shutdown()` can ask
        /// it to stop gracefully (answer requests in progress, close idle connections).
        case running(Task<Void, any Error>, ServiceGroup)
        case shutDown
    }

    /// Where it listens.
    package let listen: ListenAddress
    /// What the routes answer with now; a reloaded pipeline puts its own (`serve(_:)`).
    private let current: Mutex<Endpoints>
    private let logger: Logger
    private let lifecycle = Mutex(Lifecycle.initial)

    /// Connections idle this long are closed.
    static let idleTimeout = TimeAmount.seconds(60)
    /// Connections open at once; more wait to be accepted.
    package static let maximumConnections = 64

    /// A server for `listen`; nothing is bound until `start()` or `run()`.
    package init(listen: ListenAddress, endpoints: Endpoints, logger: Logger) {
        self.listen = listen
        self.current = Mutex(endpoints)
        self.logger = logger
    }

    /// What the routes answer with.
    package var endpoints: Endpoints { current.withLock { $0 } }

    /// Answers from now on with `endpoints` (a reloaded pipeline's), without closing the socket:
    /// Prometheus scrapes on through a reload.
    package func serve(_ endpoints: Endpoints) {
        current.withLock { $0 = endpoints }
    }

    /// A server for a listen string such as `127.0.0.1:9464` (see `ListenAddress`).
    ///
    /// - Throws: `HTTPServerError.invalidListenAddress` naming the text.
    package convenience init(listen: String, endpoints: Endpoints, logger: Logger) throws(HTTPServerError) {
        self.init(listen: try ListenAddress(parsing: listen), endpoints: endpoints, logger: logger)
    }

    /// Binds the listening socket and returns the bound port (the chosen one for port 0).
    ///
    /// - Throws: `HTTPServerError.cannotListen` (for example "cannot listen on 127.0.0.1:9464:
    ///   Address already in use"), or `.alreadyStarted` when called twice or after `shutdown()`.
    package func start() async throws(HTTPServerError) -> Int {
        let address = listen
        let outcome = StartOutcome()
        let report = outcome.report
        // Hummingbird tells of each request at info level; logship's log is about its pipeline.
        var serverLogger = logger
        serverLogger.logLevel = max(logger.logLevel, .warning)
        let application = Application(
            responder: CallbackResponder<BasicRequestContext> { [self] request, _ in
                Self.hummingbirdResponse(request, endpoints: endpoints)
            },
            server: .http1(configuration: .init(idleTimeout: Self.idleTimeout)),
            configuration: ApplicationConfiguration(
                address: .hostname(address.host, port: address.port),
                serverName: nil,
                backlog: 256,
                reuseAddress: true,
                availableConnectionsDelegate: MaximumAvailableConnections(Self.maximumConnections)
            ),
            onServerRunning: { channel in report(.success(channel.localAddress?.port ?? address.port)) },
            logger: serverLogger
        )
        let group = ServiceGroup(services: [application], logger: serverLogger)
        let result = await withCheckedContinuation { continuation in
            outcome.waiter.withLock { $0 = continuation }
            let started = lifecycle.withLock { lifecycle -> Bool in
                guard case .initial = lifecycle else { return false }
                let task = Task {
                    do {
                        try await group.run()
                        report(.failure(.alreadyStarted(address: address.description)))
                    } catch {
                        let reason = HTTPServer.reason(for: error)
                        report(.failure(.cannotListen(address: address.description, reason: reason)))
                        throw error
                    }
                }
                lifecycle = .running(task, group)
                return true
            }
            if !started { report(.failure(.alreadyStarted(address: address.description))) }
        }
        let port = try result.get()
        logger.debug("metrics endpoint listening", metadata: ["address": "\(address.host):\(port)"])
        return port
    }

    /// Serves until graceful shutdown, then closes. Starts the server first if needed.
    package func run() async throws {
        if case .initial = lifecycle.withLock({ $0 }) { _ = try await start() }
        guard case .running(let task, _) = lifecycle.withLock({ $0 }) else { return }
        let result = await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                await task.result
            } onCancel: {
                task.cancel()
            }
        } onGracefulShutdown: {
            self.shutdown()
        }
        // A server that stopped by itself says why (the pipeline then shuts down).
        if case .failure(let error) = result, !(error is CancellationError) { throw error }
    }

    /// Stops serving: requests in progress are answered, then every connection closes, and
    /// `run()` returns.
    package func shutdown() {
        let running = lifecycle.withLock { lifecycle -> ServiceGroup? in
            defer { lifecycle = .shutDown }
            guard case .running(_, let group) = lifecycle else { return nil }
            return group
        }
        Task { await running?.triggerGracefulShutdown() }
    }
}

/// How `start()` learns that the server listens (its port) or could not start: the first
/// report resumes the waiting `start()`, later ones are ignored.
private final class StartOutcome: Sendable {
    let waiter = Mutex<CheckedContinuation<Result<Int, HTTPServerError>, Never>?>(nil)

    @Sendable func report(_ result: Result<Int, HTTPServerError>) {
        waiter.withLock { $0.take() }?.resume(returning: result)
    }
}
