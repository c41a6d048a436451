import Foundation
import Testing

/// Files no log should be, beside a real one: logship keeps running, ships the real lines, and
/// stays within its memory bound.
@Suite struct HostileInputTests {
    @Test func aHugeLineBinaryJunkAndNULsDoNotStopTheRealLines() async throws {
        let directory = try TemporaryDirectory("logship-hostile")
        defer { directory.remove() }
        let logs = directory.path("logs")
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        var fixture = AetherraLogFixture(directory: logs)
        try fixture.append(events: 200)
        // 50 MB without a newline.
        #expect(
            FileManager.default.createFile(atPath: logs + "/huge.log", contents: Data(repeating: 0x78, count: 50 << 20))
        )
        // 4 MiB of random bytes (NULs, invalid UTF-8, stray newlines), from a fixed seed.
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        let junk = (0..<(4 << 20)).map { _ -> UInt8 in
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return UInt8(truncatingIfNeeded: state)
        }
        #expect(FileManager.default.createFile(atPath: logs + "/binary.log", contents: Data(junk)))
        #expect(
            FileManager.default.createFile(
                atPath: logs + "/nul.log",
                contents: Data("before\u{0}nul\n\u{0}\u{0}\u{0}\nafter \u{FF}\u{FE}\n".utf8) + Data([0xFF, 0xC0, 0x0A])
            )
        )
        let result = try await runCommand(
            "/usr/bin/env",
            [
                "AETHERRA_LOG_DIR=\(logs)", "LOGSHIP_DATA_DIR=\(directory.path("data"))", "METRICS_LISTEN=127.0.0.1:0",
                "/usr/bin/time", "-f", "maxrss_kib=%M", Repository.binary.path, "run", "--once", "--output", "null",
                "--config", Repository.pipeline, "--log-level", "error",
            ]
        )
        #expect(result.status == 0, "stderr:\n\(result.error.suffix(2000))")
        let summary = try #require(
            try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any],
            "not JSON:\n\(result.output)"
        )
        // The real file's events and more (the junk's and the NUL file's lines join into
        // multiline events: none of them starts with a date).
        #expect((summary["events"] as? Int ?? 0) > fixture.eventsWritten)
        #expect(summary["pending"] as? Int == 0)
        // The real file was read and acknowledged to its end.
        let checkpoints = try #require(
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: directory.path("data/checkpoints.json")))
            )
                as? [String: Any]
        )
        let files = try #require(checkpoints["files"] as? [[String: Any]])
        let size = try #require(try FileManager.default.attributesOfItem(atPath: fixture.path)[.size] as? Int)
        #expect(files.contains { $0["path"] as? String == fixture.path && $0["offset"] as? Int == size })
        let peak = try #require(
            result.error.split(separator: "\n").last { $0.hasPrefix("maxrss_kib=") }.flatMap { Int($0.dropFirst(11)) },
            "no maxrss in stderr"
        )
        #expect(peak < 128 * 1024, "peak RSS \(peak) KiB")
        print("hostile input: peak RSS \(peak) KiB")
    }
}
