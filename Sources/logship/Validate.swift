import ArgumentParser
import Foundation
import LogshipRuntime

extension Logship {
    /// `logship validate`: checks a pipeline file without touching anything else.
    struct Validate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a pipeline file: YAML, variables, keys, values. No files are opened, nothing listens.",
            discussion:
                "Prints every problem as FILE:LINE:COLUMN: KEY.PATH: message and exits 1, or prints OK and exits 0 (warnings, such as a histogram without a unit in its name, on standard error)."
        )

        @Option(name: .shortAndLong, help: "The pipeline file.")
        var config: String = "pipelines/aetherra.yml"

        func run() async throws {
            do {
                let pipeline = try PipelineLoader.load(path: config, environment: ProcessInfo.processInfo.environment)
                for warning in pipeline.warnings {
                    FileHandle.standardError.write(Data("\(config): warning: \(warning)\n".utf8))
                }
                print("\(config): OK (\(pipeline.summary))")
            } catch {
                FileHandle.standardError.write(Data("\(error)\n".utf8))
                throw ExitCode(1)
            }
        }
    }
}
