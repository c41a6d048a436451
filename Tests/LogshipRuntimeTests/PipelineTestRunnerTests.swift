import Foundation
import LogshipCore
import LogshipRuntime
import Testing

/// `logship test`'s runner on the repository's pipelines, from temporary tests files.
struct PipelineTestRunnerTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Runs `tests` (a tests file's text) against `pipeline` (relative to the repository root),
    /// written after a first line naming the pipeline: line numbers in reports are one more than
    /// in `tests`.
    func run(
        _ tests: String,
        pipeline: String = "pipelines/aetherra.yml",
        update: Bool = false
    ) throws
        -> PipelineTestReport
    {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("logship-golden-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("x.tests.yml").path
        let text = "pipeline: \(Self.root.appendingPathComponent(pipeline).path)\n" + tests
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return try PipelineTestRunner(update: update).run(testsFile: path)
    }

    @Test func aTracebackIsOneDocumentAtItsLogTime() throws {
        let pipeline = try PipelineLoader.load(
            path: Self.root.appendingPathComponent("pipelines/aetherra.yml").path,
            environment: [:]
        )
        let harness = PipelineTestHarness(pipeline: pipeline)
        let input = PipelineTestInput(
            bytes: Array("2025-11-01 12:00:00,500 - hub - ERROR - boom\nTraceback:\n  x\nno newline".utf8)
        )
        let output = try harness.run(input, through: try #require(harness.input(id: nil)))
        #expect(output.documents.count == 1)
        let document = try #require(output.documents.first)
        #expect(document.inputLine == 1)
        #expect(
            DocumentComparison.differences(
                .object([
                    "@timestamp": "2025-11-01T12:00:00.500Z", "_index": "aetherra-logs-2025.11.01",
                    "message": "2025-11-01 12:00:00,500 - hub - ERROR - boom\nTraceback:\n  x\nno newline",
                    "log": .object([
                        "file": .object(["path": "/var/log/aetherra/test.log"]), "offset": 0,
                        "flags": .array(["multiline"]),
                    ]),
                ]),
                document.value,
                match: .subset
            ).isEmpty
        )
        #expect(output.exposition.contains(#"aetherra_log_events_total{service="hub",level="ERROR"} 1"#))
    }

    /// As in a real run: an event a `filter` drops is not a document and is not counted, and
    /// the steps after the filter pass it by.
    @Test func droppedEventsAreNeitherShippedNorCounted() throws {
        let pipeline = try PipelineLoader.parse(
            """
            inputs: [{type: file, paths: [/tmp/*.log]}]
            transforms:
              - {type: parse_regex, field: message, pattern: '^(?<level>[A-Z]+) '}
              - {type: filter, id: no_debug, drop: {equals: {level: DEBUG}}}
              - {type: parse_json, id: json, field: message}
              - type: log_to_metric
                metrics: [{name: lines_total, type: counter, help: Lines., labels: {level: level}}]
            outputs: [{type: prometheus}]
            """,
            file: "filter.yml",
            environment: [:]
        )
        let harness = PipelineTestHarness(pipeline: pipeline)
        let input = PipelineTestInput(bytes: Array("INFO one\nDEBUG two\nERROR three\nDEBUG four\n".utf8))
        let output = try harness.run(input, through: try #require(harness.input(id: nil)))
        #expect(output.documents.map(\.inputLine) == [1, 3])
        #expect(output.exposition.contains(#"lines_total{level="INFO"} 1"#))
        #expect(!output.exposition.contains(#"level="DEBUG""#))
    }

    @Test func withoutATimestampTheReadTimeIsTheEventTime() throws {
        let report = try run(
            """
            read_time: 2024-02-29T23:59:59.250Z
            tests:
              - name: read time
                input: {lines: "plain\\n", path: /logs/a.log}
                expect:
                  documents:
                    - {"@timestamp": "2024-02-29T23:59:59.250Z", _index: aetherra-logs-2024.02.29, log: {file: {path: /logs/a.log}}}
            """
        )
        #expect(report.failedCount == 0, "\(report.text)")
    }

    @Test func aFailureShowsExpectedAndActualAndTheLine() throws {
        let report = try run(
            """
            tests:
              - name: counts
                input:
                  lines: |
                    {"metric": "memory_event", "value": 1, "labels": {"type": "a"}, "type": "metric"}
                expect:
                  metrics: |
                    aetherra_memory_events_total{type="a"} 2
                    aetherra_memory_events_total{type="b"} 1
                  documents:
                    - {metric: memory_event, value: 2}
                  absent_metrics: [aetherra_log_events_total]
            """
        )
        #expect(report.failedCount == 1)
        let text = report.text
        for line in [
            "FAIL \(report.testsFile):3: counts",
            "    documents (subset, line 12):",
            "    document 1 (input line 1, expected at line 12):",
            #"    - {"metric":"memory_event","value":2}"#,
            #"    + {"metric":"memory_event","value":1}"#,
            "        value: expected 2, found 1",
            "    metrics (subset of /metrics, line 8):",
            #"    - aetherra_memory_events_total{type="a"} 2"#,
            #"    + aetherra_memory_events_total{type="a"} 1"#,
            #"    - aetherra_memory_events_total{type="b"} 1"#,
            "        no sample with these labels; aetherra_memory_events_total has:",
            "    absent_metrics: aetherra_log_events_total is there:",
            #"    + aetherra_log_events_total{service="unknown",level="INFO"} 1"#,
            "\(report.testsFile) (\(report.pipeline)): 0 passed, 1 failed",
        ] {
            #expect(text.contains(line + "\n"), "missing \(line) in\n\(text)")
        }
    }

    @Test func updateWritesGoldenFilesThatThenPass() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("logship-golden-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let tests = """
            tests:
              - name: golden
                input: {lines: "{\\"metric\\": \\"max_connections\\", \\"value\\": 100, \\"type\\": \\"metric\\"}\\n"}
                expect: {documents_file: golden/x.ndjson, metrics_file: golden/x.prom}
            """
        let text = "pipeline: \(Self.root.appendingPathComponent("pipelines/aetherra.yml").path)\n" + tests
        let path = directory.appendingPathComponent("x.tests.yml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let missing = try PipelineTestRunner().run(testsFile: path)
        #expect(missing.text.contains("golden/x.ndjson does not exist (`logship test --update` writes it)"))
        let updated = try PipelineTestRunner(update: true).run(testsFile: path)
        #expect(updated.failedCount == 0)
        #expect(updated.updated.map { ($0 as NSString).lastPathComponent } == ["x.ndjson", "x.prom"])
        #expect(try PipelineTestRunner().run(testsFile: path).failedCount == 0)
        let golden = directory.appendingPathComponent("golden/x.prom").path
        let prom = try String(contentsOfFile: golden, encoding: .utf8)
        #expect(prom.contains("aetherra_max_connections 100\n"))
        try prom.replacingOccurrences(of: "aetherra_max_connections 100", with: "aetherra_max_connections 99")
            .write(toFile: golden, atomically: true, encoding: .utf8)
        let changed = try PipelineTestRunner().run(testsFile: path).text
        #expect(
            changed.contains("    - aetherra_max_connections 99\n    + aetherra_max_connections 100\n"),
            "\(changed)"
        )
        #expect(try PipelineTestRunner(update: true).run(testsFile: path).updated.count == 1)
    }

    @Test func aCaseNamingAnUnknownInputIsAnError() throws {
        #expect {
            try run("tests:\n  - name: x\n    input: {id: nope, lines: a}\n    expect: {absent_metrics: [m]}\n")
        } throws: { error in
            "\(error)".hasSuffix(
                "x.tests.yml:3: tests[0].input.id: the pipeline has no input 'nope' (its inputs: aetherra_logs)"
            )
        }
    }
}
