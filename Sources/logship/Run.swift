import ArgumentParser
import Foundation
import Logging
import LogshipOutputs
import LogshipRuntime

extension Logship {
    /// `logship run`: runs a pipeline until SIGTERM or SIGINT (or, with `--once`, to the end of
    /// its files).
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a pipeline until SIGTERM or SIGINT (Ctrl-C), then flush and checkpoint.",
            discussion: """
                On SIGTERM/SIGINT logship stops reading, ships and waits for the acknowledgement \
                of what it has read (bounded by the output's shutdown timeout), writes its \
                checkpoints and exits 0. Restarted, it resumes from the checkpoints in data_dir.

                SIGHUP reloads the pipeline file: when it is valid, the running pipeline stops \
                as on SIGTERM (flush, acknowledgements, checkpoints) and the new one starts from \
                the checkpoints, keeping the state of every metric whose definition is unchanged \
                and /metrics up (rebound when its address changed). A file with errors, or a \
                changed data_dir, is refused: logged with file, line and key, and the running \
                pipeline is kept. Secret and certificate files are read again.

                --once (like Filebeat's): read every matched file to its end, flush, wait until \
                everything is acknowledged, write the checkpoints and exit 0; a one-line JSON \
                summary goes to standard output: \
                {"lines":N,"bytes":N,"events":N,"acknowledged":N,"pending":N,"series":N}. \
                Exits 1 if events were left unacknowledged (they are read again by the next run).

                --output null runs the pipeline without its elasticsearch output (dropped after \
                loading): every transform runs and metrics are derived and served, events are \
                acknowledged once processed, nothing is encoded or shipped. For measuring the \
                pipeline itself (logship bench) and for metrics-only runs.
                """
        )

        /// Which outputs of the pipeline run.
        enum Output: String, ExpressibleByArgument, CaseIterable {
            case all
            case null
        }

        @Option(name: .shortAndLong, help: "The pipeline file.")
        var config: String = "pipelines/aetherra.yml"

        @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
        var logLevel: String = "info"

        @Flag(name: .long, help: "Print a one-line status every second on standard error.")
        var status = false

        @Flag(name: .long, help: "Read every matched file to its end, ship, checkpoint and exit.")
        var once = false

        @Option(name: .long, help: "all: the pipeline's outputs; null: drop the elasticsearch output.")
        var output: Output = .all

        func run() async throws {
            let logger = LoggingSetup.bootstrap(level: logLevel)
            ProcessMemory.returnLargeBlocksToTheKernel()
            var pipeline: PipelineConfiguration
            do {
                pipeline = try PipelineLoader.load(path: config, environment: ProcessInfo.processInfo.environment)
            } catch {
                FileHandle.standardError.write(Data("logship: invalid pipeline\n\(error)\n".utf8))
                throw ExitCode(1)
            }
            for warning in pipeline.warnings { logger.warning("\(pipeline.file): \(warning)") }
            let dropOutput = output == .null
            if dropOutput { pipeline.dropElasticsearchOutput() }
            let status = self.status
            guard once else {
                // Until SIGTERM; SIGHUP reloads the file (see PipelineSupervisor).
                let supervisor = PipelineSupervisor(
                    path: config,
                    environment: { ProcessInfo.processInfo.environment },
                    adjust: { if dropOutput { $0.dropElasticsearchOutput() } },
                    logger: logger
                )
                do {
                    logger.info("running \(pipeline.file): \(pipeline.summary)")
                    try await supervisor.run(pipeline) { runner in status ? [StatusLine { runner.status() }] : [] }
                } catch {
                    FileHandle.standardError.write(Data("logship: \(error)\n".utf8))
                    throw ExitCode(1)
                }
                return
            }
            pipeline.stopInputsAtEndOfFiles()
            let runner: PipelineRunner
            do {
                runner = try await PipelineRunner(configuration: pipeline, logger: logger)
                logger.info("running \(pipeline.file): \(pipeline.summary)")
                try await runner.run(first: status ? [StatusLine { runner.status() }] : [])
            } catch {
                FileHandle.standardError.write(Data("logship: \(error)\n".utf8))
                throw ExitCode(1)
            }
            let final = runner.status()
            print(final.summaryJSON)
            if final.pendingAcknowledgements > 0 {
                FileHandle.standardError.write(
                    Data("logship: \(final.pendingAcknowledgements) events were not acknowledged\n".utf8)
                )
                throw ExitCode(1)
            }
            // Acknowledged to the input once on disk, but not yet in Elasticsearch.
            if let buffered = final.output?.diskBufferDocuments, buffered > 0 {
                FileHandle.standardError.write(
                    Data("logship: \(buffered) events are still in the disk buffer; the next run sends them\n".utf8)
                )
                throw ExitCode(1)
            }
        }
    }
}
