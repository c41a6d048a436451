import Foundation
import Testing

/// Every `examples/<name>/` with a `pipeline.yml`, sample `logs/` and a golden
/// `expected-metrics.prom` runs with the real binary; the derived part of `/metrics` (everything
/// before logship's own `logship_*` families) must equal the golden text exactly.
struct ExampleTests {
    static var examples: [String] {
        let directory = Repository.root.appendingPathComponent("examples")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter {
            FileManager.default.fileExists(atPath: directory.appendingPathComponent("\($0)/expected-metrics.prom").path)
        }.sorted()
    }

    /// The exposition without logship's own families.
    static func derivedPart(_ exposition: String) -> String {
        guard let range = exposition.range(of: "# HELP logship_") else { return exposition }
        return String(exposition[..<range.lowerBound])
    }

    @Test func thereAreExamples() {
        #expect(!Self.examples.isEmpty)
    }

    @Test(arguments: examples)
    func exampleMatchesItsGoldenMetrics(name: String) async throws {
        let example = Repository.root.appendingPathComponent("examples/\(name)")
        let expected = try String(contentsOf: example.appendingPathComponent("expected-metrics.prom"), encoding: .utf8)
        let directory = try TemporaryDirectory("logship-example")
        defer { directory.remove() }
        try FileManager.default.copyItem(
            atPath: example.appendingPathComponent("logs").path,
            toPath: directory.path("logs")
        )
        let port = try freePort()
        let logship = try LogshipProcess(
            arguments: ["run", "--config", example.appendingPathComponent("pipeline.yml").path],
            environment: [
                "EXAMPLE_LOG_DIR": directory.path("logs"), "LOGSHIP_DATA_DIR": directory.path("data"),
                "METRICS_LISTEN": "127.0.0.1:\(port)",
            ],
            logFile: directory.path("logship.log")
        )
        var last = ""
        let matched = await waitUntil(timeout: .seconds(10)) {
            last = httpGet("http://127.0.0.1:\(port)/metrics").map(Self.derivedPart) ?? ""
            return last == expected
        }
        #expect(
            matched,
            "examples/\(name): /metrics differs from expected-metrics.prom:\n\(last)\nlog:\n\(logship.log)"
        )
        logship.signal(SIGTERM)
        #expect(await logship.waitForExit(timeout: .seconds(10)) == 0)
    }
}
