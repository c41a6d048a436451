import ArgumentParser
import Foundation
import LogshipRuntime

extension Logship {
    /// `logship demo`: the default pipeline on generated logs, no Elasticsearch needed.
    struct Demo: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run pipelines/aetherra.yml on generated Aetherra logs with a built-in bulk endpoint.",
            discussion: """
                Writes Aetherra-style logs (JSON metric lines, plain lines, multi-line tracebacks, \
                a rename rotation) into a temporary directory, starts an Elasticsearch-compatible \
                bulk endpoint on loopback, and runs the pipeline against both. Shows a live status \
                line and the /metrics URL; Ctrl-C shuts down gracefully and prints a summary.
                """
        )

        @Option(name: .shortAndLong, help: "The pipeline file.")
        var config: String = "pipelines/aetherra.yml"

        @Option(name: .long, help: "Stop by itself after this many seconds (0: run until Ctrl-C).")
        var duration: Double = 0

        @Option(name: .long, help: "Lines written per second by the log generator.")
        var rate: Int = 200

        @Option(name: .long, help: "Where /metrics is served.")
        var metricsListen: String = "127.0.0.1:9464"

        func run() async throws {
            let logger = LoggingSetup.bootstrap(level: "warning")
            ProcessMemory.returnLargeBlocksToTheKernel()
            do {
                try await DemoRunner(
                    pipelinePath: config,
                    duration: duration > 0 ? .milliseconds(Int64(duration * 1000)) : nil,
                    linesPerSecond: rate,
                    metricsListen: metricsListen,
                    logger: logger
                ).run()
            } catch {
                FileHandle.standardError.write(Data("logship demo: \(error)\n".utf8))
                throw ExitCode(1)
            }
        }
    }
}
