/// The outcome of one case.
package struct PipelineTestResult: Sendable {
    package var name: String
    /// Where the case starts in its tests file.
    package var line: Int?
    /// One block of lines per expectation that failed (see `PipelineTestCase.failures(of:)`).
    package var failures: [[String]]

    package var passed: Bool { failures.isEmpty }
}

/// The outcomes of one tests file.
package struct PipelineTestReport: Sendable {
    package var testsFile: String
    package var pipeline: String
    package var results: [PipelineTestResult] = []
    /// Golden files written by `--update`.
    package var updated: [String] = []

    package init(testsFile: String, pipeline: String) {
        self.testsFile = testsFile
        self.pipeline = pipeline
    }

    package var passedCount: Int { results.filter(\.passed).count }
    package var failedCount: Int { results.count - passedCount }

    /// The report as printed: `ok` or `FAIL` per case as `FILE:LINE: name`, each failure's block
    /// indented below it, the golden files written, then `FILE: N passed, N failed`.
    package var text: String {
        var lines: [String] = []
        for result in results {
            let location = "\(testsFile)\(result.line.map { ":\($0)" } ?? ""): \(result.name)"
            lines.append((result.passed ? "ok   " : "FAIL ") + location)
            for block in result.failures { lines += block.map { "    " + $0 } }
        }
        lines += updated.map { "wrote \($0)" }
        lines.append("\(testsFile) (\(pipeline)): \(passedCount) passed, \(failedCount) failed")
        return lines.joined(separator: "\n") + "\n"
    }
}
