import Foundation
import LogshipOutputs
import Testing

@Suite struct DeadLetterFileTests {
    private func record(_ id: String?, document: String = #"{"message":"x"}"#) -> DeadLetterRecord {
        DeadLetterRecord(
            error: BulkError(status: 400, type: "mapper_parsing_exception", reason: "failed to parse \"level\""),
            index: "logs-2025.11.01",
            id: id,
            document: ArraySlice(document.utf8)
        )
    }

    @Test func writesOneLinePerRecord() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("dead.ndjson").path
        let file = DeadLetterFile(path: path, maximumBytes: 1 << 20)
        try file.openFile()
        try file.append([record("801-2a-0"), record(nil, document: #"{"a":[1,2]}"#)], now: noon)
        try file.append([record("801-2a-14")], now: noon)
        file.closeFile()
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(
            text == """
                {"@timestamp":"2025-11-01T12:00:00.123Z","status":400,"error":{"type":"mapper_parsing_exception","reason":"failed to parse \\"level\\""},"index":"logs-2025.11.01","id":"801-2a-0","document":{"message":"x"}}
                {"@timestamp":"2025-11-01T12:00:00.123Z","status":400,"error":{"type":"mapper_parsing_exception","reason":"failed to parse \\"level\\""},"index":"logs-2025.11.01","id":null,"document":{"a":[1,2]}}
                {"@timestamp":"2025-11-01T12:00:00.123Z","status":400,"error":{"type":"mapper_parsing_exception","reason":"failed to parse \\"level\\""},"index":"logs-2025.11.01","id":"801-2a-14","document":{"message":"x"}}

                """
        )
        for line in text.split(separator: "\n") {
            #expect(throws: Never.self) { try JSONSerialization.jsonObject(with: Data(line.utf8)) }
        }
        #expect(file.recordsWritten == 3)
    }

    @Test func rotatesKeepingOneOldFile() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("dead.ndjson").path
        var line: [UInt8] = []
        record("1").appendLine(millisecondsSince1970: 0, to: &line)
        // Room for two lines per file.
        let file = DeadLetterFile(path: path, maximumBytes: line.count * 2 + 1)
        for id in 1...5 { try file.append([record(String(id))], now: Date(timeIntervalSince1970: 0)) }
        #expect(file.rotations == 2)
        let current = try String(contentsOfFile: path, encoding: .utf8)
        let old = try String(contentsOfFile: path + ".1", encoding: .utf8)
        #expect(current.split(separator: "\n").count == 1 && current.contains(#""id":"5""#))
        #expect(old.split(separator: "\n").count == 2 && old.contains(#""id":"3""#) && old.contains(#""id":"4""#))
        #expect(!FileManager.default.fileExists(atPath: path + ".2"))
    }

    @Test func continuesAnExistingFile() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("dead.ndjson").path
        try Data(String(repeating: "x", count: 100).utf8).write(to: URL(fileURLWithPath: path))
        let file = DeadLetterFile(path: path, maximumBytes: 150)
        try file.append([record("1")])
        #expect(file.rotations == 1)
        #expect(try String(contentsOfFile: path + ".1", encoding: .utf8) == String(repeating: "x", count: 100))
    }

    @Test func unwritablePathIsAnErrorNamingIt() {
        let file = DeadLetterFile(path: "/nonexistent-dir/dead.ndjson", maximumBytes: 1024)
        #expect {
            try file.openFile()
        } throws: { error in
            "\(error)".contains("/nonexistent-dir/dead.ndjson") && "\(error)".contains("open")
        }
    }
}
