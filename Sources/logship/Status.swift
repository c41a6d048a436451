import ArgumentParser
import Foundation
import LogshipRuntime

extension Logship {
    /// `logship status`: where logship is in each file, from its checkpoint file.
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show each checkpointed file: offset, generation, what is at its path now, bytes behind.",
            discussion: """
                Reads <data_dir>/checkpoints.json (the pipeline's data_dir, or --data-dir), while \
                logship runs or while it is stopped. A file is `followed` when the same file is \
                still at its path, `replaced` when another file is (it was rotated away) and \
                `missing` when nothing is.
                """
        )

        @Option(name: .long, help: "The data directory; default: the pipeline's data_dir.")
        var dataDir: String?

        @Option(name: .shortAndLong, help: "The pipeline file whose data_dir to read.")
        var config: String = "pipelines/aetherra.yml"

        @Flag(name: .long, help: "Print JSON.")
        var json = false

        func run() async throws {
            do {
                let directory =
                    try dataDir
                    ?? PipelineLoader.load(path: config, environment: ProcessInfo.processInfo.environment).dataDirectory
                let report = try CheckpointReport.read(dataDirectory: directory)
                if json {
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                    print(String(decoding: try encoder.encode(report.rows), as: UTF8.self))
                } else {
                    print(report.text, terminator: "")
                }
            } catch {
                FileHandle.standardError.write(Data("\(error)\n".utf8))
                throw ExitCode(1)
            }
        }
    }
}
