import Foundation
package import Logging
package import LogshipOutputs
import LogshipReceiver
import ServiceLifecycle
import UnixSignals

/// `logship receiver`: serves the in-memory Elasticsearch-compatible endpoint until SIGINT or
/// SIGTERM.
///
/// Its first line on standard output, flushed at once, is
/// `bulk endpoint on http(s)://HOST:PORT (stats: /_logship/stats); Ctrl-C stops it`: with port 0
/// that is how a parent (`logship bench`) learns the port chosen.
package struct ReceiverRunner {
    let listen: String
    let strict: Bool
    /// Accepted `Authorization` values; empty: none needed.
    let accepted: Set<String>
    /// HTTPS with this certificate and key; `nil`: HTTP.
    let tls: ServerTLS?
    let logger: Logger

    package init(
        listen: String,
        strict: Bool = false,
        credentials: [Credentials] = [],
        tls: ServerTLS? = nil,
        logger: Logger
    ) throws {
        self.listen = listen
        self.strict = strict
        self.accepted = Set(try credentials.map { try $0.authorization() })
        self.tls = tls
        self.logger = logger
    }

    package func run() async throws {
        let address = try ListenAddress(parsing: listen)
        let receiver = BulkReceiver(
            host: address.host,
            port: address.port,
            strict: strict,
            accepted: accepted,
            tls: tls,
            logger: logger
        )
        let port = try await receiver.start()
        var mode = strict ? "strict: every source validated and kept" : "fast: action lines checked, ids kept"
        if !accepted.isEmpty { mode += "; authentication required" }
        let scheme = tls == nil ? "http" : "https"
        print("bulk endpoint on \(scheme)://\(address.host):\(port) (stats: /_logship/stats; \(mode)); Ctrl-C stops it")
        fflush(nil)  // all streams: a parent (logship bench) reads the port from a pipe
        let signals = await UnixSignalsSequence(trapping: .sigint, .sigterm)
        for await _ in signals { break }
        await receiver.shutdown()
        print("received \(receiver.documentCount) documents in \(receiver.requestCount) requests")
    }
}
