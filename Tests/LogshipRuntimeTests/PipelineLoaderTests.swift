import Foundation
import LogshipCore
import LogshipOutputs
import LogshipRuntime
import LogshipTail
import Testing

struct PipelineLoaderTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    func load(_ text: String, environment: [String: String] = [:]) throws(ConfigErrors) -> PipelineConfiguration {
        try PipelineLoader.parse(text, file: "test.yml", environment: environment)
    }

    func errors(_ text: String, environment: [String: String] = [:]) -> [String] {
        do {
            _ = try load(text, environment: environment)
            return []
        } catch {
            return error.errors.map(\.description)
        }
    }

    static let minimal = """
        inputs:
          - type: file
            paths: [/tmp/*.log]
        outputs:
          - type: prometheus
            listen: 127.0.0.1:9464
        """

    @Test func theAetherraPipelineLoadsWithItsDefaults() throws {
        let path = Self.repositoryRoot.appendingPathComponent("pipelines/aetherra.yml").path
        let pipeline = try PipelineLoader.load(path: path, environment: [:])
        #expect(pipeline.dataDirectory == "/var/lib/logship")
        #expect(pipeline.inputs.first?.paths == ["/var/log/aetherra/*.log"])
        #expect(pipeline.inputs.first?.multiline?.negate == true)
        #expect(pipeline.inputs.first?.fields == ["service": "aetherra_os", "environment": "production"])
        #expect(pipeline.elasticsearch?.hosts == ["http://localhost:9200"])
        #expect(pipeline.elasticsearch?.index == "aetherra-logs-%{+yyyy.MM.dd}")
        #expect(pipeline.prometheus?.listen == "127.0.0.1:9464")
        // The guide's series (AetherraContractTests checks what each derives).
        #expect(pipeline.metricFamilies.count == 18)
        #expect(pipeline.metricFamilies[0].name == "aetherra_api_requests_total")
        #expect(pipeline.metricFamilies[0].labelNames == ["method", "endpoint", "status"])
        #expect(pipeline.metricFamilies[2].buckets == [0.01, 0.05, 0.1, 0.5, 1, 2, 5])
    }

    /// The metric settings of the contract: per-metric `max_series`, state sets, required
    /// numbers, several label fields, summaries; a bad one is an error at its key.
    @Test func metricSettingsAreReadAndChecked() throws {
        let text = """
            inputs: [{type: file, paths: [/tmp/*.log]}]
            transforms:
              - type: log_to_metric
                metrics:
                  - {name: a_total, type: counter, max_series: 5, requires_number: value}
                  - {name: b, type: gauge, value: value, state_label: s, other_states: drop, labels: {s: {field: [x, y], default: u}}, expire_after: 1h}
                  - {name: c_seconds, type: summary, value: value, quantiles: [0.5, 0.9], max_age: 1m, age_buckets: 3}
            outputs:
              - type: prometheus
            """
        let families = try load(text).metricFamilies
        #expect(families.map(\.maximumSeries) == [5, nil, nil])
        #expect(families[2].quantiles == [0.5, 0.9])
        #expect(families[2].maxAge == 60)
        #expect(families[2].ageBuckets == 3)
        #expect(families.map(\.expireAfter) == [nil, 3600, nil])
        let bad = text.replacingOccurrences(of: "max_series: 5", with: "max_series: 0")
            .replacingOccurrences(of: "quantiles: [0.5, 0.9]", with: "quantiles: [95]")
            .replacingOccurrences(of: "expire_after: 1h", with: "expire_after: 30s")
        let found = errors(bad)
        #expect(found.count == 3)
        #expect(found.contains { $0.contains("metrics[1].expire_after") && $0.contains("at least 10m") })
        #expect(found.contains { $0.contains("metrics[0].max_series") })
        #expect(found.contains { $0.contains("metrics[2].quantiles[0]") })
    }

    @Test func theAetherraPipelineTakesItsEnvironment() throws {
        let path = Self.repositoryRoot.appendingPathComponent("pipelines/aetherra.yml").path
        let pipeline = try PipelineLoader.load(
            path: path,
            environment: [
                "AETHERRA_LOG_DIR": "/srv/logs", "LOGSHIP_DATA_DIR": "/srv/data",
                "ES_HOSTS": "http://es1:9200, http://es2:9200", "METRICS_LISTEN": "0.0.0.0:9100",
            ]
        )
        #expect(pipeline.inputs.first?.paths == ["/srv/logs/*.log"])
        #expect(pipeline.dataDirectory == "/srv/data")
        #expect(pipeline.elasticsearch?.hosts == ["http://es1:9200", "http://es2:9200"])
        #expect(pipeline.elasticsearch?.deadLetterPath == "/srv/data/dead-letter.ndjson")
        #expect(pipeline.prometheus?.listen == "0.0.0.0:9100")
    }

    @Test func aTypoNamesFileLineAndKeyPathWithASuggestion() {
        let text = Self.minimal.replacingOccurrences(of: "    paths:", with: "    pahts:")
        #expect(
            errors(text) == [
                "test.yml:2:5: inputs[0]: missing required key 'paths'",
                "test.yml:3:5: inputs[0].pahts: unknown key 'pahts' (did you mean 'paths'?); known keys: close_inactive, exclude, fields, fields_under_root, forget_after, id, max_batch_events, max_deleted_hold, max_line_bytes, max_open_files, max_pending_bytes, multiline, partial_line_timeout, paths, poll_interval, read_buffer_bytes, read_from, rescan_interval, type, watch",
            ]
        )
    }

    @Test func badValuesAreReportedWhereTheyAre() {
        let text = """
            inputs:
              - type: file
                paths: [/tmp/*.log]
                rescan_interval: often
                max_line_bytes: 12 apples
                multiline: {pattern: '^(unclosed', negate: maybe}
            outputs:
              - type: prometheus
                listen: nowhere
            """
        let found = errors(text)
        #expect(
            found.contains(
                "test.yml:4:22: inputs[0].rescan_interval: expected a duration such as 500ms, 5s or 1m, found 'often'"
            )
        )
        #expect(
            found.contains(
                "test.yml:5:21: inputs[0].max_line_bytes: expected a size such as 512KiB, 5MiB or 1GiB, found '12 apples'"
            )
        )
        #expect(found.contains("test.yml:6:48: inputs[0].multiline.negate: expected true or false, found 'maybe'"))
        #expect(found.contains { $0.hasPrefix("test.yml:6:26: inputs[0].multiline.pattern:") })
        #expect(found.contains { $0.hasPrefix("test.yml:9:13: outputs[0].listen: invalid listen address \"nowhere\"") })
        #expect(found.count == 5)
        // Sorted by position, so they read like the file.
        #expect(found.first?.hasPrefix("test.yml:4:") == true)
    }

    @Test func aBadRegexIsReportedAtThePattern() {
        let text = Self.minimal.replacingOccurrences(
            of: "    paths: [/tmp/*.log]",
            with: "    paths: [/tmp/*.log]\n    multiline: {pattern: '^(unclosed'}"
        )
        let found = errors(text)
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("test.yml:4:26: inputs[0].multiline.pattern:") == true)
    }

    @Test func unsetVariablesAndUnknownTypesAreErrors() {
        let text = """
            data_dir: ${DATA}
            inputs:
              - type: files
                paths: [/tmp/*.log]
            transforms:
              - type: parse_jsn
            outputs:
              - type: prometheus
            """
        let found = errors(text)
        #expect(
            found.contains(
                "test.yml:1:11: data_dir: environment variable 'DATA' is not set and has no default (write ${DATA:-default})"
            )
        )
        #expect(found.contains("test.yml:3:11: inputs[0].type: unknown input type 'files'; known types: file"))
        #expect(
            found.contains {
                $0.hasPrefix(
                    "test.yml:6:11: transforms[0].type: unknown transform type 'parse_jsn'; known types: add_fields,"
                )
            }
        )
    }

    @Test func conditionsAndMetricsAreChecked() {
        let text = """
            inputs:
              - type: file
                paths: [/tmp/*.log]
            transforms:
              - type: log_to_metric
                metrics:
                  - name: requests
                    type: counter
                    when: {equal: {metric: x}}
            outputs:
              - type: prometheus
            """
        let found = errors(text)
        #expect(
            found.contains {
                $0.hasPrefix(
                    "test.yml:9:16: transforms[0].metrics[0].when.equal: unknown key 'equal' (did you mean 'equals'?)"
                )
            }
        )
        #expect(
            found.contains { $0.hasPrefix("test.yml:7:15: transforms[0].metrics[0].name:") && $0.contains("_total") }
        )
    }

    @Test func metricsWhoseSamplesClashAreErrors() {
        let text = """
            inputs: [{type: file, paths: [/tmp/*.log]}]
            transforms:
              - type: log_to_metric
                metrics:
                  - {name: requests_total, type: counter}
                  - {name: requests, type: gauge, value: v}
                  - {name: latency_seconds, type: histogram, value: v}
                  - {name: latency_seconds_count, type: gauge, value: v}
                  - {name: logship_mine, type: gauge, value: v}
            outputs: [{type: prometheus}]
            """
        let found = errors(text)
        #expect(found.count == 3, "\(found)")
        #expect(
            found.contains { $0.contains("metrics 'requests_total' and 'requests' both put 'requests' on /metrics") }
        )
        #expect(
            found.contains {
                $0.contains("'latency_seconds' and 'latency_seconds_count' both put 'latency_seconds_count'")
            }
        )
        #expect(found.contains { $0.contains("metric 'logship_mine': the prefix logship_") })
        #expect(errors(Self.minimal).isEmpty)
    }

    @Test func aFilterTakesKeepOrDrop() throws {
        func filter(_ body: String) -> String {
            """
            inputs:
              - type: file
                paths: [/tmp/*.log]
            transforms:
              - type: filter
            \(body)
            outputs:
              - type: prometheus
            """
        }
        #expect(errors(filter("    drop: {equals: {level: DEBUG}}")).isEmpty)
        #expect(errors(filter("    keep: {not: {equals: {level: DEBUG}}}")).isEmpty)
        let neither = errors(filter("    id: f"))
        #expect(neither.contains { $0.hasPrefix("test.yml:5:5: transforms[0]: give keep") }, "\(neither)")
        let both = errors(filter("    keep: {has_fields: [a]}\n    drop: {has_fields: [b]}"))
        #expect(both.contains { $0.contains("transforms[0]: give either keep or drop, not both") }, "\(both)")
        let typo = errors(filter("    dorp: {has_fields: [b]}"))
        #expect(typo.contains { $0.contains("unknown key 'dorp' (did you mean 'drop'?)") }, "\(typo)")
    }

    @Test func componentErrorsPointAtTheKeyTheyName() {
        let text = """
            inputs: [{type: file, paths: [/tmp/*.log]}]
            transforms:
              - type: log_to_metric
                metrics:
                  - {name: ok_total, type: counter}
                  - {name: requests, type: counter}
                  - {name: bad-name_total, type: counter}
            outputs:
              - type: elasticsearch
                hosts: http://localhost:9200
                compression_level: 12
              - type: prometheus
            """
        let found = errors(text)
        #expect(found.count == 3)
        #expect(
            found.contains { $0.hasPrefix("test.yml:6:16: transforms[0].metrics[1].name:") && $0.contains("_total") }
        )
        #expect(found.contains { $0.hasPrefix("test.yml:7:16: transforms[0].metrics[2].name:") })
        #expect(
            found.contains(
                "test.yml:11:24: outputs[0].compression_level: elasticsearch output 'elasticsearch': invalid compression_level: must be 0 through 9"
            )
        )
    }

    @Test func metricsNeedAPrometheusOutput() {
        let text = """
            inputs: [{type: file, paths: [/tmp/*.log]}]
            transforms:
              - type: log_to_metric
                metrics: [{name: lines_total, type: counter}]
            outputs:
              - type: elasticsearch
                hosts: http://localhost:9200
            """
        #expect(
            errors(text) == [
                "test.yml:6:3: outputs: log_to_metric derives metrics but no prometheus output serves them"
            ]
        )
    }

    @Test func aMissingFileIsAnError() {
        #expect(throws: ConfigErrors.self) {
            try PipelineLoader.load(path: "/nonexistent/pipeline.yml", environment: [:])
        }
    }

    @Test func yamlSyntaxErrorsHaveALine() {
        let found = errors("inputs:\n  - type: file\n    paths: [unclosed\n")
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("test.yml:") == true)
        #expect(found.first?.contains("YAML") == true)
    }
}
