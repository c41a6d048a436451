import Foundation
import Testing

/// `logship bench` on a tiny file, in both modes, as JSON.
struct BenchCommandTests {
    @Test func benchMeasuresBothModesAndEveryEventArrives() async throws {
        let result = try await runCommand(
            Repository.binary.path,
            ["bench", "--lines", "2000", "--json", "--config", Repository.pipeline]
        )
        #expect(result.status == 0, "stderr:\n\(result.error)")
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any],
            "not JSON:\n\(result.output)"
        )
        let file = try #require(report["file"] as? [String: Any])
        let events = try #require(file["events"] as? Int)
        #expect(file["lines"] as? Int ?? 0 >= 2000)
        #expect(events > 1000 && events < 2000, "tracebacks make fewer events than lines")
        let rows = try #require(report["rows"] as? [[String: Any]])
        #expect(
            rows.map { $0["name"] as? String } == [
                "cat", "wc -l", "gzip -1", "logship run (to ES)", "logship run --output null",
            ]
        )
        let library = Repository.binary.deletingLastPathComponent().appendingPathComponent("libLogshipMallocCounter.so")
        let counted = FileManager.default.fileExists(atPath: library.path)
        #expect(report["allocations_counted"] as? Bool == counted)
        for row in rows {
            for key in ["lines_per_second", "megabytes_per_second", "wall_seconds", "cpu_seconds", "peak_rss_mib"] {
                #expect((row[key] as? Double ?? 0) > 0, "\(row["name"] ?? "?"): \(key)")
            }
            if counted { #expect(row["allocations_per_line"] is Double, "\(row["name"] ?? "?")") }
        }
        for row in rows.suffix(2) {
            #expect(row["documents"] as? Int == events, "\(row["name"] ?? "?"): documents = events")
            #expect((row["documents_per_second"] as? Double ?? 0) > 0)
            #expect((row["ratio_to_gzip"] as? Double ?? 0) > 0)
            if counted { #expect((row["allocations_per_line"] as? Double ?? 0) > 0) }
        }
        let receiver = try #require(report["receiver"] as? [String: Any])
        #expect(receiver["documents"] as? Int == events)
        #expect((receiver["cpu_microseconds_per_document"] as? Double ?? 0) > 0)
        #expect((report["targets"] as? [[String: Any]])?.isEmpty == false)
    }

    /// `--rounds 2`: every pipeline run right after a gzip -1 of its own, its ratio taken against
    /// that one, and the target on the median (the lower of two).
    @Test func roundsPairEachPipelineRunWithTheGzipBeforeIt() async throws {
        let result = try await runCommand(
            Repository.binary.path,
            ["bench", "--lines", "1000", "--rounds", "2", "--json", "--config", Repository.pipeline]
        )
        #expect(result.status == 0, "stderr:\n\(result.error)")
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any],
            "not JSON:\n\(result.output)"
        )
        let rows = try #require(report["rows"] as? [[String: Any]])
        let round = ["gzip", "elasticsearch", "gzip", "null"]
        #expect(rows.map { $0["mode"] as? String } == ["cat", "wc"] + round + round)
        #expect(rows.map { $0["round"] as? Int } == [nil, nil, 1, 1, 1, 1, 2, 2, 2, 2])
        var ratios: [String: [Double]] = [:]
        for (index, row) in rows.enumerated() where ["elasticsearch", "null"].contains(row["mode"] as? String) {
            let gzip = try #require(rows[index - 1]["lines_per_second"] as? Double)
            let speed = try #require(row["lines_per_second"] as? Double)
            let ratio = try #require(row["ratio_to_gzip"] as? Double)
            #expect(abs(ratio - speed / gzip) < 1e-9 * max(1, ratio))
            ratios[row["mode"] as? String ?? "", default: []].append(ratio)
        }
        let targets = try #require(report["targets"] as? [[String: Any]])
        for (mode, label) in [("elasticsearch", "to ES"), ("null", "--output null")] {
            let target = try #require(targets.first { ($0["name"] as? String)?.hasPrefix("\(label): lines/s") == true })
            #expect(target["value"] as? Double == ratios[mode]?.min())
        }
        #expect(report["receiver"] is [String: Any])
        // Every pipeline run read the whole file (a data directory of its own).
        let events = try #require((report["file"] as? [String: Any])?["events"] as? Int)
        for row in rows where row["mode"] as? String == "null" || row["mode"] as? String == "elasticsearch" {
            #expect(row["documents"] as? Int == events)
        }
    }

    @Test func runOnceReadsToTheEndAndExits() async throws {
        let directory = try TemporaryDirectory("logship-once")
        defer { directory.remove() }
        try FileManager.default.createDirectory(atPath: directory.path("logs"), withIntermediateDirectories: true)
        var fixture = AetherraLogFixture(directory: directory.path("logs"))
        try fixture.append(events: 300)
        let result = try await runOnce(logs: directory.path("logs"), data: directory.path("data"))
        #expect(result.status == 0, "stderr:\n\(result.error)")
        let summary = try #require(result.summary, "no JSON summary; stderr:\n\(result.error)")
        #expect(summary["events"] as? Int == fixture.eventsWritten)
        #expect(summary["acknowledged"] as? Int == fixture.eventsWritten)
        #expect(summary["pending"] as? Int == 0)
        let checkpoints = try String(contentsOfFile: directory.path("data/checkpoints.json"), encoding: .utf8)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: fixture.path)[.size] as? Int)
        #expect(checkpoints.contains("\"offset\":\(size)") || checkpoints.contains("\"offset\" : \(size)"))
    }
}
