import ArgumentParser
import Foundation
import LogshipRuntime

extension Logship {
    /// `logship receiver`: the Elasticsearch-compatible test endpoint on its own.
    struct Receiver: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the built-in Elasticsearch-compatible _bulk endpoint (in memory) until Ctrl-C.",
            discussion: """
                For trying pipelines without Elasticsearch, and for benchmarks. It answers like \
                Elasticsearch 8 (create conflicts, per-item errors) and keeps documents in memory; \
                GET /_logship/stats shows what it holds.
                """
        )

        @Option(name: .long, help: "Where to listen.")
        var listen: String = "127.0.0.1:9200"

        func run() async throws {
            let logger = LoggingSetup.bootstrap(level: "warning")
            do {
                try await ReceiverRunner(listen: listen, logger: logger).run()
            } catch {
                FileHandle.standardError.write(Data("logship receiver: \(error)\n".utf8))
                throw ExitCode(1)
            }
        }
    }
}
