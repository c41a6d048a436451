import Foundation
import Testing

/// The `logship` binary's commands as an operator types them.
struct CommandLineTests {
    @Test func validateAcceptsTheDefaultPipeline() async throws {
        let result = try await runCommand(Repository.binary.path, ["validate", "--config", Repository.pipeline])
        #expect(result.status == 0)
        #expect(result.output.contains("OK (1 input, 5 transforms, 2 outputs, 18 metrics)"))
    }

    @Test func validateNamesTheLineAndKeyPathOfATypoAndExitsOne() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let original = try String(contentsOfFile: Repository.pipeline, encoding: .utf8)
        let typo = original.replacingOccurrences(of: "    index: aetherra-logs", with: "    indx: aetherra-logs")
        #expect(typo != original)
        let path = directory.path("typo.yml")
        try typo.write(toFile: path, atomically: true, encoding: .utf8)
        let line = try #require(typo.components(separatedBy: "\n").firstIndex { $0.contains("indx:") }) + 1

        let result = try await runCommand(Repository.binary.path, ["validate", "--config", path])
        #expect(result.status == 1)
        #expect(
            result.error.hasPrefix("\(path):\(line):5: outputs[0].indx: unknown key 'indx' (did you mean 'index'?)")
        )
    }

    @Test func runRefusesAnInvalidPipelineBeforeDoingAnything() async throws {
        let result = try await runCommand(Repository.binary.path, ["run", "--config", "/nonexistent/pipeline.yml"])
        #expect(result.status == 1)
        #expect(result.error.contains("/nonexistent/pipeline.yml: no such file"))
    }

    @Test func versionAndHelp() async throws {
        #expect(try await runCommand(Repository.binary.path, ["--version"]).output == "0.1.0\n")
        let help = try await runCommand(Repository.binary.path, ["--help"]).output
        for command in ["run", "validate", "test", "demo"] { #expect(help.contains("  \(command) ")) }
    }
}
