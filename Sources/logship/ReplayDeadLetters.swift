import ArgumentParser
import Foundation
import Logging
import LogshipRuntime

extension Logship {
    /// `logship replay-dead-letters`: sends dead-lettered documents again.
    struct ReplayDeadLetters: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "replay-dead-letters",
            abstract: "Send the documents of dead-letter files to Elasticsearch again, once the cause is fixed.",
            discussion: """
                Reads dead-letter files (<data_dir>/dead-letter.ndjson and its rotated .1, .2, ...) \
                and sends each document to its index with `create` and its _id, through the \
                pipeline's elasticsearch output (hosts, compression, retries). A document already \
                there is answered 409 and counted as a conflict, so replaying twice stores nothing \
                twice. Documents rejected again are written to <first file>.rejected. Prints a JSON \
                summary; exits 0 when every record landed, 1 otherwise (lines that are not \
                records are named file:line).
                """
        )

        @Argument(help: "Dead-letter files to replay.")
        var files: [String]

        @Option(name: .shortAndLong, help: "The pipeline whose elasticsearch output to send through.")
        var config: String = "pipelines/aetherra.yml"

        @Option(name: .long, help: "How long to wait for Elasticsearch to answer everything, in seconds.")
        var timeout: Int = 300

        @Option(name: .long, help: "trace, debug, info, notice, warning, error or critical.")
        var logLevel: String = "warning"

        func run() async throws {
            let logger = LoggingSetup.bootstrap(level: logLevel)
            do {
                let pipeline = try PipelineLoader.load(path: config, environment: ProcessInfo.processInfo.environment)
                guard let output = pipeline.elasticsearch else { throw DeadLetterReplay.ReplayError.noOutput(config) }
                let summary = try await DeadLetterReplay.run(
                    files: files,
                    configuration: output,
                    timeout: .seconds(max(1, timeout)),
                    logger: logger
                )
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                encoder.keyEncodingStrategy = .convertToSnakeCase
                print(String(decoding: try encoder.encode(summary), as: UTF8.self))
                for line in summary.malformed { FileHandle.standardError.write(Data("\(line)\n".utf8)) }
                if !summary.succeeded { throw ExitCode(1) }
            } catch let exit as ExitCode {
                throw exit
            } catch {
                FileHandle.standardError.write(Data("\(error)\n".utf8))
                throw ExitCode(1)
            }
        }
    }
}
