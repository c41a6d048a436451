package import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A minimal HTTP/1.1 server (HTTPS with `Configuration.tls`): it aggregates each request (body up to
/// `Configuration.maximumBodyBytes`), passes it to an async handler and writes the handler's
/// response with `Content-Length`. Connections are kept alive unless the client asks otherwise.
///
/// Lifecycle: `start()` binds (so a busy port is a startup error), `run()` serves until
/// `shutdown()`, then waits for the connections to finish. On shutdown the listening socket
/// closes at once, idle keep-alive connections close, and a request in progress is answered
/// (with `Connection: close`) before its connection closes.
///
/// Limits: one request at a time per connection (pipelined requests wait in NIO's pipeline
/// handler); no limit on the number of connections and no idle timeout, so it suits local
/// endpoints (metrics, test fixtures) rather than the open internet.
package final class HTTPServer: Sendable {
    /// Answers one request. It must not throw: errors become responses (a 500 for instance).
    package typealias Handler = @Sendable (HTTPServerRequest) async -> HTTPServerResponse

    /// One accepted connection with the HTTP/1.1 server pipeline.
    typealias Connection = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>
    private typealias Listener = NIOAsyncChannel<Connection, Never>

    private enum Lifecycle: Sendable {
        case initial
        case bound(Listener)
        case running(any Channel)
        case shutDown
    }

    private struct State: Sendable {
        var lifecycle = Lifecycle.initial
        var shuttingDown = false
        /// Open connections and whether each is in the middle of a request.
        var connections: [ObjectIdentifier: (channel: any Channel, busy: Bool)] = [:]
    }

    /// Where it listens and its limits.
    package let configuration: Configuration
    /// Answers each request.
    let handler: Handler
    /// Receives debug messages about connections; never request contents.
    let logger: Logger
    private let state = Mutex(State())

    /// A server that is not listening yet; call `start()`.
    package init(configuration: Configuration, logger: Logger, handler: @escaping Handler) {
        self.configuration = configuration
        self.logger = logger
        self.handler = handler
    }

    /// Binds the listening socket and returns the bound port (the chosen one when the
    /// configured port is 0).
    ///
    /// - Throws: `HTTPServerError.cannotListen` naming the address and the system's reason,
    ///   `HTTPServerError.alreadyStarted` when called twice.
    package func start() async throws(HTTPServerError) -> Int {
        let address = configuration.address
        let canStart = state.withLock { state in
            guard case .initial = state.lifecycle, !state.shuttingDown else { return false }
            return true
        }
        guard canStart else { throw .alreadyStarted(address: address.description) }
        let tlsContext: NIOSSLContext?
        do {
            tlsContext = try configuration.tls?.context()
        } catch {
            throw .tls(address: address.description, reason: error.description)
        }
        let listener: Listener
        do {
            listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.backlog, value: 256)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .bind(host: address.host, port: address.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let tlsContext {
                            try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tlsContext))
                        }
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                        return try Connection(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw .cannotListen(address: address.description, reason: Self.reason(for: error))
        }
        let stored = state.withLock { state in
            guard case .initial = state.lifecycle, !state.shuttingDown else { return false }
            state.lifecycle = .bound(listener)
            return true
        }
        guard stored else {
            try? await listener.channel.close()
            throw .alreadyStarted(address: address.description)
        }
        let port = listener.channel.localAddress?.port ?? address.port
        logger.debug("HTTP server listening", metadata: ["address": "\(address.host):\(port)"])
        return port
    }

    /// Serves connections until `shutdown()` (or cancellation of the calling task), then returns
    /// once every connection has closed. Returns at once when the server was not started or was
    /// already shut down.
    package func run() async {
        let listener: Listener? = state.withLock { state in
            guard case .bound(let listener) = state.lifecycle else { return nil }
            state.lifecycle = .running(listener.channel)
            return listener
        }
        guard let listener else { return }
        await withTaskCancellationHandler {
            do {
                try await listener.executeThenClose { inbound in
                    try await withThrowingDiscardingTaskGroup { group in
                        for try await connection in inbound {
                            group.addTask { await self.serve(connection) }
                        }
                    }
                }
            } catch {
                logger.debug("HTTP server stopped accepting", metadata: ["error": "\(error)"])
            }
        } onCancel: {
            self.shutdown()
        }
        state.withLock { $0.lifecycle = .shutDown }
    }

    /// Stops accepting connections and closes idle ones; requests in progress are answered first.
    /// `run()` returns once all connections are closed. Calling it again does nothing.
    package func shutdown() {
        let (listener, idle) = state.withLock { state -> ((any Channel)?, [any Channel]) in
            state.shuttingDown = true
            let idle = state.connections.values.filter { !$0.busy }.map(\.channel)
            switch state.lifecycle {
            case .initial, .shutDown:
                state.lifecycle = .shutDown
                return (nil, idle)
            case .bound(let listener):
                state.lifecycle = .shutDown
                return (listener.channel, idle)
            case .running(let channel):
                return (channel, idle)
            }
        }
        listener?.close(promise: nil)
        for channel in idle { channel.close(promise: nil) }
    }

    /// Registers an accepted connection; false when the server is shutting down.
    func register(_ channel: any Channel) -> Bool {
        state.withLock { state in
            guard !state.shuttingDown else { return false }
            state.connections[ObjectIdentifier(channel)] = (channel, false)
            return true
        }
    }

    /// Forgets a closed connection.
    func unregister(_ channel: any Channel) {
        _ = state.withLock { $0.connections.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    /// Marks a connection busy or idle; returns false when the server is shutting down, in which
    /// case the connection should close after its current answer.
    func setBusy(_ busy: Bool, _ channel: any Channel) -> Bool {
        state.withLock { state in
            state.connections[ObjectIdentifier(channel)]?.busy = busy
            return !state.shuttingDown
        }
    }

    /// The system's words for why binding failed ("Address already in use").
    static func reason(for error: any Error) -> String {
        if let error = error as? IOError {
            return String(cString: strerror(error.errnoCode))
        }
        if error is SocketAddressError {
            return "cannot resolve the host name"
        }
        return "\(error)"
    }
}
