import ArgumentParser
import Foundation
import LogshipOutputs
import LogshipRuntime

extension Logship {
    /// `logship receiver`: the Elasticsearch-compatible test endpoint on its own.
    struct Receiver: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the built-in Elasticsearch-compatible _bulk endpoint (in memory) until Ctrl-C.",
            discussion: """
                For trying pipelines without Elasticsearch, and for benchmarks. It answers like \
                Elasticsearch 8 (create conflicts, per-item errors, filter_path) and keeps document \
                ids in memory; GET /_logship/stats shows what it holds. By default it checks action \
                lines and only the first and last byte of each document (cheap enough for `logship \
                bench`); --strict validates every document as JSON, refuses duplicate keys as \
                Elasticsearch 8 does, and keeps the documents. With --listen HOST:0 it picks a free \
                port; the first line it prints names it.
                """
        )

        @Option(name: .long, help: "Where to listen.")
        var listen: String = "127.0.0.1:9200"

        @Flag(name: .long, help: "Validate every document fully (duplicate keys refused) and keep the documents.")
        var strict = false

        @Option(
            name: .long,
            help: "Require basic auth with this user (and --password), as Elasticsearch with security on."
        )
        var username: String?

        @Option(name: .long, help: "The password --username needs (or RECEIVER_PASSWORD in the environment).")
        var password: String?

        @Option(name: .long, help: "Require this API key (`Authorization: ApiKey <key>`).")
        var apiKey: String?

        @Option(name: .long, help: "Serve HTTPS with this PEM certificate (chain), with --tls-key.")
        var tlsCertificate: String?

        @Option(name: .long, help: "The PEM private key of --tls-certificate.")
        var tlsKey: String?

        func validate() throws {
            if (tlsCertificate == nil) != (tlsKey == nil) {
                throw ValidationError("--tls-certificate and --tls-key go together")
            }
        }

        func run() async throws {
            let logger = LoggingSetup.bootstrap(level: "warning")
            do {
                var credentials: [Credentials] = []
                let secret = password ?? ProcessInfo.processInfo.environment["RECEIVER_PASSWORD"]
                if let username, let secret {
                    credentials.append(.basic(username: username, password: .inline(Secret(secret))))
                }
                if let apiKey { credentials.append(.apiKey(.inline(Secret(apiKey)))) }
                let tls = tlsCertificate.map { ServerTLS(certificateFile: $0, keyFile: tlsKey ?? "") }
                try await ReceiverRunner(
                    listen: listen,
                    strict: strict,
                    credentials: credentials,
                    tls: tls,
                    logger: logger
                ).run()
            } catch {
                FileHandle.standardError.write(Data("logship receiver: \(error)\n".utf8))
                throw ExitCode(1)
            }
        }
    }
}
