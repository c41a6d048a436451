import Foundation
import Testing

/// `logship test` as CI runs it: every shipped pipeline passes its tests, and a changed golden
/// value fails with a diff naming it.
struct PipelineTestCommandTests {
    static let pipelines = [
        "pipelines/aetherra.yml", "examples/metrics-only/pipeline.yml", "examples/read-and-split.yml",
    ]

    @Test func everyShippedPipelineHasTestsAndPassesThem() async throws {
        for pipeline in Self.pipelines {
            let tests = Repository.root.appendingPathComponent(
                pipeline.replacingOccurrences(of: ".yml", with: ".tests.yml")
            )
            #expect(FileManager.default.fileExists(atPath: tests.path), "\(pipeline) has no tests file")
        }
        let result = try await runCommand(Repository.binary.path, ["test"], directory: Repository.root.path)
        #expect(result.status == 0, "\(result.output)\(result.error)")
        for pipeline in Self.pipelines { #expect(result.output.contains("(\(pipeline)): "), "\(pipeline) was not run") }
        #expect(result.output.hasSuffix(" passed, 0 failed\n"))
        #expect(!result.output.contains("FAIL"))
    }

    @Test(arguments: pipelines)
    func eachPipelinePassesByItsConfig(pipeline: String) async throws {
        let path = Repository.root.appendingPathComponent(pipeline).path
        let result = try await runCommand(Repository.binary.path, ["test", "--config", path])
        #expect(result.status == 0, "\(result.output)\(result.error)")
    }

    /// The aetherra pipeline, its tests and golden files in a temporary directory.
    func copyOfAetherra() throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory("logship-golden")
        for name in ["aetherra.yml", "aetherra.tests.yml", "aetherra"] {
            try FileManager.default.copyItem(
                atPath: Repository.root.appendingPathComponent("pipelines/\(name)").path,
                toPath: directory.path(name)
            )
        }
        return directory
    }

    @Test func aChangedGoldenSampleFailsWithADiffNamingIt() async throws {
        let directory = try copyOfAetherra()
        defer { directory.remove() }
        let golden = directory.path("aetherra/sample.prom")
        let sample = #"aetherra_api_errors_total{method="POST",endpoint="/chat",status="500"}"#
        let original = try String(contentsOfFile: golden, encoding: .utf8)
        #expect(original.contains(sample + " 1\n"))
        try original.replacingOccurrences(of: sample + " 1\n", with: sample + " 2\n")
            .write(toFile: golden, atomically: true, encoding: .utf8)

        let config = directory.path("aetherra.yml")
        let result = try await runCommand(Repository.binary.path, ["test", "--config", config])
        #expect(result.status == 1, "\(result.output)\(result.error)")
        let tests = directory.path("aetherra.tests.yml")
        let line = try #require(
            String(contentsOfFile: tests, encoding: .utf8).components(separatedBy: "\n")
                .firstIndex { $0.contains("name: a sample of every kind of line") }
        )
        #expect(result.output.contains("FAIL \(tests):\(line + 1): a sample of every kind of line"), "\(result.output)")
        #expect(result.output.contains("    metrics (exact, \(directory.path("aetherra/sample.prom"))):\n"))
        #expect(result.output.contains("    - \(sample) 2\n    + \(sample) 1\n"), "\(result.output)")
        #expect(result.output.hasSuffix(": 15 passed, 1 failed\n"))

        // --update writes the golden file back, and the tests pass again.
        let updated = try await runCommand(Repository.binary.path, ["test", "--config", config, "--update"])
        #expect(updated.status == 0)
        #expect(updated.output.contains("wrote \(golden)\n"))
        #expect(try String(contentsOfFile: golden, encoding: .utf8) == original)
    }

    @Test func aChangedInlineValueFailsWithADiffNamingIt() async throws {
        let directory = try copyOfAetherra()
        defer { directory.remove() }
        let tests = directory.path("aetherra.tests.yml")
        let sample = #"aetherra_memory_events_total{type="user_interaction"}"#
        let original = try String(contentsOfFile: tests, encoding: .utf8)
        #expect(original.contains(sample + " 2\n"))
        try original.replacingOccurrences(of: sample + " 2\n", with: sample + " 3\n")
            .write(toFile: tests, atomically: true, encoding: .utf8)

        let result = try await runCommand(Repository.binary.path, ["test", "--tests", tests])
        #expect(result.status == 1)
        #expect(result.output.contains("FAIL \(tests):"), "\(result.output)")
        #expect(result.output.contains("    - \(sample) 3\n    + \(sample) 2\n"), "\(result.output)")
    }

    @Test func anInvalidTestsFileExitsTwoNamingFileLineAndKey() async throws {
        let directory = try copyOfAetherra()
        defer { directory.remove() }
        let tests = directory.path("aetherra.tests.yml")
        let original = try String(contentsOfFile: tests, encoding: .utf8)
        let typo = original.replacingOccurrences(
            of: "      absent_metrics: [aetherra_api_errors_total]",
            with: "      absent_metric: [aetherra_api_errors_total]"
        )
        #expect(typo != original)
        try typo.write(toFile: tests, atomically: true, encoding: .utf8)
        let line = try #require(typo.components(separatedBy: "\n").firstIndex { $0.contains("absent_metric:") }) + 1

        let result = try await runCommand(Repository.binary.path, ["test", "--tests", tests])
        #expect(result.status == 2)
        #expect(
            result.error.hasPrefix(
                "\(tests):\(line):7: tests[0].expect.absent_metric: unknown key 'absent_metric' (did you mean 'absent_metrics'?)"
            ),
            "\(result.error)"
        )
        let missing = try await runCommand(Repository.binary.path, ["test", "--config", "/nonexistent/pipeline.yml"])
        #expect(missing.status == 2)
        #expect(
            missing.error == "/nonexistent/pipeline.yml: no tests file (expected /nonexistent/pipeline.tests.yml)\n"
        )
    }
}
