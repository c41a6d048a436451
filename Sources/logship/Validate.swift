import ArgumentParser
import Foundation
import Logging
import LogshipRuntime

extension Logship {
    /// `logship validate`: checks a pipeline file; with `--check-outputs` also asks Elasticsearch.
    struct Validate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Check a pipeline file: YAML, variables, keys, values, TLS files. Nothing listens; with --check-outputs it asks each Elasticsearch host GET /.",
            discussion:
                "Prints every problem as FILE:LINE:COLUMN: KEY.PATH: message and exits 1, or prints OK and exits 0 (warnings, such as a histogram without a unit in its name, on standard error). --check-outputs then asks each host of the elasticsearch output GET / with the pipeline's TLS settings and credentials and prints, one line a host, whether it answered, its version and cluster, or why not (unreachable, TLS, credentials refused); exit 1 when a host is not usable. Secrets are never printed."
        )

        @Option(name: .shortAndLong, help: "The pipeline file.")
        var config: String = "pipelines/aetherra.yml"

        @Flag(name: .long, help: "Also ask each Elasticsearch host GET /: reachability, version, authentication.")
        var checkOutputs = false

        @Option(name: .long, help: "How long --check-outputs waits for each host, in seconds.")
        var timeout: Double = 10

        func run() async throws {
            let pipeline: PipelineConfiguration
            do {
                pipeline = try PipelineLoader.load(path: config, environment: ProcessInfo.processInfo.environment)
                for warning in pipeline.warnings {
                    FileHandle.standardError.write(Data("\(config): warning: \(warning)\n".utf8))
                }
                print("\(config): OK (\(pipeline.summary))")
            } catch {
                FileHandle.standardError.write(Data("\(error)\n".utf8))
                throw ExitCode(1)
            }
            guard checkOutputs else { return }
            let logger = LoggingSetup.bootstrap(level: "error")
            do {
                let report = try await OutputCheck.run(pipeline, timeout: .seconds(timeout), logger: logger)
                for line in report.lines { print(line) }
                if !report.ok { throw ExitCode(1) }
            } catch let exit as ExitCode {
                throw exit
            } catch {
                FileHandle.standardError.write(Data("\(config): \(error)\n".utf8))
                throw ExitCode(1)
            }
        }
    }
}
