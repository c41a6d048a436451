import Foundation
import Testing

/// `examples/grafana/`, `examples/logrotate/` and `examples/systemd/`: the dashboards query only
/// series that `pipelines/aetherra.yml` derives, logrotate accepts its configurations, and the
/// systemd unit runs the pipeline.
struct ExampleFilesTests {
    static let examples = Repository.root.appendingPathComponent("examples")

    /// The metrics of `pipelines/aetherra.yml`, name to type, from each `- name: ` and the first
    /// `type: ` after it.
    static func pipelineMetrics() throws -> [String: String] {
        let text = try String(contentsOfFile: Repository.pipeline, encoding: .utf8)
        var metrics: [String: String] = [:]
        var current: String?
        for line in text.split(separator: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("- name: ") {
                current = String(trimmed.dropFirst("- name: ".count))
            } else if let name = current, trimmed.hasPrefix("type: ") {
                metrics[name] = String(trimmed.dropFirst("type: ".count))
                current = nil
            }
        }
        return metrics
    }

    /// Every `expr` of the panels' targets, rows' nested panels included.
    static func expressions(_ panels: [[String: Any]]) -> [String] {
        panels.flatMap { panel -> [String] in
            let targets = panel["targets"] as? [[String: Any]] ?? []
            return targets.compactMap { $0["expr"] as? String }
                + expressions(panel["panels"] as? [[String: Any]] ?? [])
        }
    }

    static var dashboards: [String] {
        let directory = examples.appendingPathComponent("grafana").path
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted()
    }

    @Test func thereAreTheFourDashboards() {
        #expect(
            Self.dashboards == [
                "api-performance.json", "memory-system.json", "self-improvement.json", "system-overview.json",
            ]
        )
    }

    @Test(arguments: dashboards)
    func dashboardQueriesOnlyDerivedSeries(file: String) throws {
        let metrics = try Self.pipelineMetrics()
        #expect(metrics.count >= 18)
        let data = try Data(contentsOf: Self.examples.appendingPathComponent("grafana/\(file)"))
        let dashboard = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect((dashboard["title"] as? String)?.isEmpty == false)
        #expect(dashboard["uid"] is String)
        #expect(dashboard["schemaVersion"] as? Int == 39)
        let panels = try #require(dashboard["panels"] as? [[String: Any]])
        #expect(!panels.isEmpty)
        for panel in panels {
            #expect(panel["gridPos"] is [String: Any], "\(panel["title"] ?? "?") has no gridPos")
        }
        let expressions = Self.expressions(panels)
        #expect(expressions.count >= panels.count, "a panel without a query")
        for expression in expressions {
            let names = expression.matches(of: /aetherra_[a-z_]+/).map { String($0.output) }
            #expect(!names.isEmpty, "\(expression) names no aetherra_ series")
            for name in names {
                let base = name.replacing(/_(bucket|sum|count)$/, with: "")
                let family = ["histogram", "summary"].contains(metrics[base] ?? "") ? base : name
                #expect(metrics[family] != nil, "\(file): \(name) in `\(expression)` is not derived by the pipeline")
            }
        }
    }

    @Test(
        .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/sbin/logrotate"), "needs logrotate"),
        arguments: ["aetherra-rename", "aetherra-copytruncate"]
    )
    func logrotateAcceptsTheConfiguration(name: String) async throws {
        let directory = try TemporaryDirectory("logship-logrotate")
        defer { directory.remove() }
        let config = Self.examples.appendingPathComponent("logrotate/\(name)").path
        // As shipped: /var/log/aetherra may be missing (missingok); -d changes nothing.
        let shipped = try await runCommand("/usr/sbin/logrotate", ["-d", "-s", directory.path("state"), config])
        #expect(shipped.status == 0, "\(shipped.output)\(shipped.error)")
        // Pointed at a directory with a log, and forced: the rotation it would do.
        try FileManager.default.createDirectory(atPath: directory.path("logs"), withIntermediateDirectories: true)
        try "2025-11-01 12:00:00,000 - aetherra_hub - INFO - started\n".write(
            toFile: directory.path("logs/app.log"),
            atomically: true,
            encoding: .utf8
        )
        let text = try String(contentsOfFile: config, encoding: .utf8)
            .replacingOccurrences(of: "/var/log/aetherra/", with: directory.path("logs") + "/")
        try text.write(toFile: directory.path(name), atomically: true, encoding: .utf8)
        let forced = try await runCommand(
            "/usr/sbin/logrotate",
            ["-d", "-f", "-s", directory.path("state-forced"), directory.path(name)]
        )
        let log = forced.output + forced.error
        #expect(forced.status == 0, "\(log)")
        #expect(log.contains("rotating log \(directory.path("logs/app.log"))"), "\(log)")
        #expect(!log.contains("error:"), "\(log)")
        if name == "aetherra-copytruncate" {
            #expect(log.contains("truncating \(directory.path("logs/app.log"))"), "\(log)")
        } else {
            #expect(log.contains("renaming \(directory.path("logs/app.log")) to"), "\(log)")
        }
    }

    @Test func theSystemdUnitRunsThePipeline() throws {
        let unit = try String(
            contentsOf: Self.examples.appendingPathComponent("systemd/logship.service"),
            encoding: .utf8
        )
        let lines = unit.split(separator: "\n").map { String($0) }
        let execStart = lines.filter { $0.hasPrefix("ExecStart=") }
        #expect(execStart.count == 1)
        #expect(execStart.first?.contains("logship run --config ") == true)
        #expect(lines.contains { $0.hasPrefix("Restart=") })
        #expect(lines.contains("KillSignal=SIGTERM"))
        // Reload validates, then sends SIGHUP.
        let reload = lines.filter { $0.hasPrefix("ExecReload=") }
        #expect(
            reload.count == 2 && reload[0].contains("logship validate --config ") && reload[1].contains("-HUP $MAINPID")
        )
        // The environment file names every variable the pipeline reads.
        let environment = try String(
            contentsOf: Self.examples.appendingPathComponent("systemd/logship.env"),
            encoding: .utf8
        )
        let pipeline = try String(contentsOfFile: Repository.pipeline, encoding: .utf8)
        let variables = Set(pipeline.matches(of: /\$\{([A-Z_]+)/).map { String($0.output.1) })
        #expect(!variables.isEmpty)
        for variable in variables { #expect(environment.contains("\(variable)="), "\(variable)") }
    }
}
