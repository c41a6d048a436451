package import Logging
import LogshipOutputs
import ServiceLifecycle
import UnixSignals

/// `logship receiver`: serves the in-memory Elasticsearch-compatible endpoint until SIGINT or
/// SIGTERM.
package struct ReceiverRunner {
    let listen: String
    let logger: Logger

    package init(listen: String, logger: Logger) {
        self.listen = listen
        self.logger = logger
    }

    package func run() async throws {
        let address = try ListenAddress(parsing: listen)
        let receiver = BulkReceiver(host: address.host, port: address.port, logger: logger)
        let port = try await receiver.start()
        print("bulk endpoint on http://\(address.host):\(port) (stats: /_logship/stats); Ctrl-C stops it")
        let signals = await UnixSignalsSequence(trapping: .sigint, .sigterm)
        for await _ in signals { break }
        await receiver.shutdown()
        print("received \(receiver.documentCount) documents in \(receiver.requestCount) requests")
    }
}
