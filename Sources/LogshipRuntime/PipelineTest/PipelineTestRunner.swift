import Foundation
import LogshipCore
import LogshipTail

/// `logship test`: runs tests files against their pipelines and reports, per case, `ok` or
/// `FAIL` with a diff of what differs.
///
/// With `update`, golden files (`documents_file`, `metrics_file`) are written from what the
/// pipeline makes before they are compared (only when their text changes); inline expectations
/// are never rewritten.
package struct PipelineTestRunner: Sendable {
    package var update: Bool

    package init(update: Bool = false) { self.update = update }

    /// Every tests file (`*.tests.yml`, `*.tests.yaml`) under `directories`, at any depth, sorted;
    /// directories that do not exist are skipped.
    package static func discover(under directories: [String]) -> [String] {
        var found: [String] = []
        for directory in directories {
            guard let enumerator = FileManager.default.enumerator(atPath: directory) else { continue }
            while let relative = enumerator.nextObject() as? String {
                guard PipelineTestFile.pipelinePath(ofTests: relative) != nil else { continue }
                found.append(PipelineTestFile.resolve(relative, in: directory))
            }
        }
        return found.sorted()
    }

    /// Loads the tests file at `path` and its pipeline and runs every case. Throws `ConfigErrors`
    /// when either file is not valid, or a case names an input the pipeline does not have.
    package func run(testsFile path: String) throws(ConfigErrors) -> PipelineTestReport {
        let file = try PipelineTestFile.load(path: path)
        let pipeline = try PipelineLoader.load(path: file.pipelinePath, environment: file.environment)
        let harness = PipelineTestHarness(pipeline: pipeline, readTime: file.readTime)
        var errors: [ConfigError] = []
        let inputs = file.cases.map { test in
            let input = harness.input(id: test.input.inputID)
            if input == nil {
                let ids = pipeline.inputs.map(\.id).joined(separator: ", ")
                let message =
                    test.input.inputID.map { "the pipeline has no input '\($0)' (its inputs: \(ids))" }
                    ?? "the pipeline has \(pipeline.inputs.count) inputs (\(ids)): say which reads the lines with 'id'"
                errors.append(
                    ConfigError(file: path, line: test.line, keyPath: "\(test.keyPath).input.id", message: message)
                )
            }
            return input
        }
        guard errors.isEmpty else { throw ConfigErrors(errors) }
        var report = PipelineTestReport(testsFile: path, pipeline: file.pipelinePath)
        for (test, input) in zip(file.cases, inputs) {
            var test = test
            let output: PipelineTestOutput
            do {
                output = try harness.run(test.input, through: input!)
            } catch {
                throw ConfigErrors([ConfigError(file: file.pipelinePath, keyPath: "", message: "\(error)")])
            }
            if update { report.updated += write(output, for: &test) }
            report.results.append(
                PipelineTestResult(name: test.name, line: test.line, failures: test.failures(of: output))
            )
        }
        return report
    }

    /// Writes the golden files of `test` from `output` where their text changes, and sets the
    /// case's expectations to what was written. Returns the paths written.
    private func write(_ output: PipelineTestOutput, for test: inout PipelineTestCase) -> [String] {
        var written: [String] = []
        if case .file(let path, _)? = test.documents {
            let text = output.documents.map { DocumentComparison.text($0.value) + "\n" }.joined()
            if Self.write(text, to: path) { written.append(path) }
            let documents = output.documents.enumerated().map { ExpectedDocument(value: $1.value, line: $0 + 1) }
            test.documents = .file(path: path, documents: documents)
        }
        if case .file(let path, _)? = test.metrics {
            if Self.write(output.exposition, to: path) { written.append(path) }
            test.metrics = .file(path: path, text: output.exposition)
        }
        return written
    }

    /// Writes `text` to `path` (making its directory) unless the file holds it already; whether it
    /// wrote. A file that cannot be written is left for the comparison to report.
    private static func write(_ text: String, to path: String) -> Bool {
        if let current = FileManager.default.contents(atPath: path), current == Data(text.utf8) { return false }
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        return FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
    }
}
