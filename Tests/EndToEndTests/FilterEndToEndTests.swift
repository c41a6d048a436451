import Foundation
import Logging
import LogshipReceiver
import Testing

/// A `filter` in a real run: the dropped lines are not shipped and not counted, and the
/// checkpoint still reaches the end of the file (dropped events are acknowledged).
struct FilterEndToEndTests {
    @Test func droppedLinesAreNotShippedAndTheCheckpointPassesThem() async throws {
        let directory = try TemporaryDirectory("logship-filter")
        defer { directory.remove() }
        try FileManager.default.createDirectory(atPath: directory.path("logs"), withIntermediateDirectories: true)
        let levels = (0..<300).map { ["DEBUG", "INFO", "DEBUG", "ERROR"][$0 % 4] }
        let text = levels.enumerated().map {
            "2025-11-01 12:00:00,\(100 + $0.offset % 900) - hub - \($0.element) - line \($0.offset)\n"
        }
        .joined()
        try text.write(toFile: directory.path("logs/hub.log"), atomically: true, encoding: .utf8)
        let receiver = BulkReceiver(logger: Logger(label: "test-receiver"))
        let port = try await receiver.start()
        defer { Task { await receiver.shutdown() } }
        try """
        data_dir: \(directory.path("data"))
        inputs:
          - type: file
            paths: [\(directory.path("logs"))/*.log]
            read_from: beginning
        transforms:
          - type: parse_regex
            field: message
            pattern: '^\\S+ \\S+ - (?<logger>\\S+) - (?<level>[A-Z]+) - '
          - type: filter
            id: no_debug
            drop: {equals: {level: DEBUG}}
          - type: log_to_metric
            metrics:
              - {name: lines_total, type: counter, help: Lines kept., labels: {level: level}}
        outputs:
          - type: elasticsearch
            hosts: [http://127.0.0.1:\(port)]
            index: logs
          - type: prometheus
            listen: 127.0.0.1:0
        """.write(toFile: directory.path("pipeline.yml"), atomically: true, encoding: .utf8)

        let run = try await runCommand(
            Repository.binary.path,
            ["run", "--once", "--config", directory.path("pipeline.yml"), "--log-level", "warning"]
        )
        #expect(run.status == 0, "\(run.error)")
        let kept = levels.filter { $0 != "DEBUG" }.count
        #expect(receiver.documentCount(in: "logs") == kept)
        #expect(!receiver.documents(in: "logs").contains { $0.source.contains("DEBUG") })
        let checkpoints = try String(contentsOfFile: directory.path("data/checkpoints.json"), encoding: .utf8)
        #expect(checkpoints.contains("\"offset\":\(text.utf8.count)"), "\(checkpoints)")
        #expect(checkpoints.contains("\"labelValues\":[\"DEBUG\"]") == false)
    }
}
