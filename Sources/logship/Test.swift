import ArgumentParser
import Foundation
import LogshipRuntime

extension Logship {
    /// `logship test`: golden tests of pipelines, for CI.
    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a pipeline's golden tests: input lines in, expected documents and /metrics samples out.",
            discussion: """
                A pipeline's tests live beside it: pipelines/aetherra.yml has \
                pipelines/aetherra.tests.yml. Each test feeds lines (inline or from a file) \
                through the pipeline's file input (line splitting, multiline, fields) and \
                transforms, with nothing tailed, sent or checkpointed, and compares the \
                Elasticsearch documents (subset or exact, or a golden NDJSON file) and the \
                derived /metrics samples (some samples, or a golden exposition file). Every \
                ${VAR} of the pipeline takes its default (or the tests file's environment); the \
                lines are read at a fixed time (read_time, default 2000-01-01T00:00:00Z), so \
                the output does not change from run to run. The format: README.md, "Testing a \
                pipeline".

                Without --config or --tests, runs every *.tests.yml under pipelines/ and \
                examples/ (of the current directory). A failing test prints a diff: - expected, \
                + actual. --update writes the golden files (documents_file, metrics_file) from \
                what the pipeline makes.

                Exit status: 0 when every test passed, 1 when one failed, 2 when a tests file or \
                its pipeline is not valid (each problem as FILE:LINE:COLUMN: KEY.PATH: message).
                """
        )

        @Option(name: .shortAndLong, help: "A pipeline file; its tests are <pipeline>.tests.yml. Repeatable.")
        var config: [String] = []

        @Option(name: .shortAndLong, help: "A tests file (its pipeline: the 'pipeline' key or its name). Repeatable.")
        var tests: [String] = []

        @Flag(name: .long, help: "Write the golden files (documents_file, metrics_file) from the actual output.")
        var update = false

        func run() async throws {
            var files = tests
            for pipeline in config {
                let file = PipelineTestFile.testsPath(ofPipeline: pipeline)
                guard FileManager.default.fileExists(atPath: file) else {
                    FileHandle.standardError.write(Data("\(pipeline): no tests file (expected \(file))\n".utf8))
                    throw ExitCode(2)
                }
                files.append(file)
            }
            if files.isEmpty {
                files = PipelineTestRunner.discover(under: ["pipelines", "examples"])
                guard !files.isEmpty else {
                    FileHandle.standardError.write(Data("logship: no *.tests.yml under pipelines/ or examples/\n".utf8))
                    throw ExitCode(2)
                }
            }
            let runner = PipelineTestRunner(update: update)
            var passed = 0
            var failed = 0
            var invalid = false
            for file in files {
                do {
                    let report = try runner.run(testsFile: file)
                    print(report.text, terminator: "")
                    passed += report.passedCount
                    failed += report.failedCount
                } catch {
                    FileHandle.standardError.write(Data("\(error)\n".utf8))
                    invalid = true
                }
            }
            if files.count > 1 { print("\(passed) passed, \(failed) failed") }
            if invalid { throw ExitCode(2) }
            if failed > 0 { throw ExitCode(1) }
        }
    }
}
