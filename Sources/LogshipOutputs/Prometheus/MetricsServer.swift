package import Logging
import ServiceLifecycle
import Synchronization

/// The Prometheus endpoint: serves `GET /metrics` (exposition text from `render`),
/// `GET /healthz` (from `health`) and a short index at `GET /`.
///
/// A `Service`: `start()` binds early so a busy port fails startup with
/// `HTTPServerError.cannotListen`; `run()` serves until graceful shutdown (or cancellation), then
/// answers requests in progress, closes every connection and returns. `run()` starts the server
/// itself when `start()` was not called. See `response(to:)` for the routes.
///
/// Limits: request bodies over 64 KiB are refused with 413 (no route reads a body); `render` and
/// `health` run on every request, on the requesting task, and should be quick.
package final class MetricsServer: Service, Sendable {
    private let server: HTTPServer
    /// Produces the exposition text for each scrape.
    let render: @Sendable () -> String
    /// Produces the health report for each `/healthz` request.
    let health: @Sendable () -> HealthReport
    private let started = Mutex(false)

    /// A server for `listen`; nothing is bound until `start()` or `run()`.
    package init(
        listen: ListenAddress,
        render: @escaping @Sendable () -> String,
        health: @escaping @Sendable () -> HealthReport,
        logger: Logger
    ) {
        self.render = render
        self.health = health
        self.server = HTTPServer(
            configuration: .init(address: listen, maximumBodyBytes: 64 << 10),
            logger: logger
        ) { request in
            Self.response(to: request, render: render, health: health)
        }
    }

    /// A server for a listen string such as `127.0.0.1:9464` (see `ListenAddress`).
    ///
    /// - Throws: `HTTPServerError.invalidListenAddress` naming the text.
    package convenience init(
        listen: String,
        render: @escaping @Sendable () -> String,
        health: @escaping @Sendable () -> HealthReport,
        logger: Logger
    ) throws(HTTPServerError) {
        self.init(listen: try ListenAddress(parsing: listen), render: render, health: health, logger: logger)
    }

    /// Binds the listening socket and returns the bound port.
    ///
    /// - Throws: `HTTPServerError.cannotListen` (for example "cannot listen on 127.0.0.1:9464:
    ///   Address already in use"), or `.alreadyStarted` when called twice.
    package func start() async throws(HTTPServerError) -> Int {
        let port = try await server.start()
        started.withLock { $0 = true }
        return port
    }

    /// Serves until graceful shutdown, then closes. Starts the server first if needed.
    package func run() async throws {
        if !started.withLock({ $0 }) { _ = try await start() }
        await withGracefulShutdownHandler {
            await server.run()
        } onGracefulShutdown: {
            self.server.shutdown()
        }
    }

    /// Stops the server without waiting for graceful shutdown of the group; `run()` then returns.
    package func shutdown() {
        server.shutdown()
    }
}
