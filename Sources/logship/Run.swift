import ArgumentParser
import Foundation
import Logging
import LogshipRuntime

extension Logship {
    /// `logship run`: runs a pipeline until SIGTERM or SIGINT.
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a pipeline until SIGTERM or SIGINT (Ctrl-C), then flush and checkpoint.",
            discussion: """
                On SIGTERM/SIGINT logship stops reading, ships and waits for the acknowledgement \
                of what it has read (bounded by the output's shutdown timeout), writes its \
                checkpoints and exits 0. Restarted, it resumes from the checkpoints in data_dir.
                """
        )

        @Option(name: .shortAndLong, help: "The pipeline file.")
        var config: String = "pipelines/aetherra.yml"

        @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
        var logLevel: String = "info"

        @Flag(name: .long, help: "Print a one-line status every second on standard error.")
        var status = false

        func run() async throws {
            let logger = LoggingSetup.bootstrap(level: logLevel)
            ProcessMemory.returnLargeBlocksToTheKernel()
            let pipeline: PipelineConfiguration
            do {
                pipeline = try PipelineLoader.load(path: config, environment: ProcessInfo.processInfo.environment)
            } catch {
                FileHandle.standardError.write(Data("logship: invalid pipeline\n\(error)\n".utf8))
                throw ExitCode(1)
            }
            do {
                let runner = try await PipelineRunner(configuration: pipeline, logger: logger)
                logger.info("running \(pipeline.file): \(pipeline.summary)")
                try await runner.run(first: status ? [StatusLine { runner.status() }] : [])
            } catch {
                FileHandle.standardError.write(Data("logship: \(error)\n".utf8))
                throw ExitCode(1)
            }
        }
    }
}
