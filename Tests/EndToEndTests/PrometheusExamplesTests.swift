import Foundation
import Testing

/// `examples/prometheus/`: the guide's Prometheus configuration pointed at logship, its alert
/// rules and the recording rules, as `promtool` checks them.
struct PrometheusExamplesTests {
    static let directory = Repository.root.appendingPathComponent("examples/prometheus").path

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/promtool"), "needs promtool"))
    func theConfigurationAndRulesPassPromtool() async throws {
        let config = try await runCommand("/usr/bin/promtool", ["check", "config", "\(Self.directory)/prometheus.yml"])
        #expect(config.status == 0, "\(config.output)\(config.error)")
        #expect(config.output.contains("2 rule files found"))
        let rules = try await runCommand(
            "/usr/bin/promtool",
            [
                "check", "rules", "\(Self.directory)/rules/aetherra_alerts.yml",
                "\(Self.directory)/rules/aetherra_slis.yml",
            ]
        )
        #expect(rules.status == 0, "\(rules.output)\(rules.error)")
        #expect(rules.output.contains("SUCCESS: 7 rules found"))
        #expect(rules.output.contains("SUCCESS: 14 rules found"))
    }

    /// The guide's alert expressions are used unchanged, and every series they name is one
    /// `pipelines/aetherra.yml` derives (or node_exporter's).
    @Test func theAlertRulesAreTheGuidesAndNameDerivedSeries() throws {
        let rules = try String(contentsOfFile: "\(Self.directory)/rules/aetherra_alerts.yml", encoding: .utf8)
        // The guide sits beside the repository on a developer's machine, not in a fresh clone.
        let guide = try? String(
            contentsOfFile: Repository.root.appendingPathComponent("../shared/seed/aetherra-metrics-guide.md").path,
            encoding: .utf8
        )
        for alert in [
            "HighAPIErrorRate", "MemorySystemDown", "HomeostasisInactive", "SlowAPIResponses",
            "PluginExecutionFailures",
        ] {
            #expect(rules.contains("- alert: \(alert)"))
        }
        let pipeline = try String(contentsOfFile: Repository.pipeline, encoding: .utf8)
        let expressions = rules.matches(of: /expr: \|\n\s+(.+)\n/).map { String($0.output.1) }
        #expect(expressions.count == 7)
        let names = Set(expressions.flatMap { $0.matches(of: /aetherra_[a-z_]+/).map { String($0.output) } })
        #expect(names.count == 5)
        for name in names {
            let family = name.replacing(/_(bucket|sum|count)$/, with: "")
            #expect(pipeline.contains("name: \(family)"), "\(name) is not derived")
        }
        // Each expression appears in the guide as written.
        if let guide {
            for expression in expressions { #expect(guide.contains(expression), "\(expression)") }
        }
    }
}
