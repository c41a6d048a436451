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

    /// Numbered like logrotate's files, newest `.1`; beyond `maximumFiles` the oldest is deleted
    /// and its records counted.
    @Test func rotatesIntoNumberedFilesAndCountsWhatItDeletes() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("dead.ndjson").path
        var line: [UInt8] = []
        record("1").appendLine(millisecondsSince1970: 0, to: &line)
        // Room for two lines per file, two rotated files kept.
        let file = DeadLetterFile(path: path, maximumBytes: line.count * 2 + 1, maximumFiles: 2)
        var dropped: [Int] = []
        for id in 1...9 { dropped.append(try file.append([record(String(id))], now: Date(timeIntervalSince1970: 0))) }
        #expect(file.rotations == 4)
        func ids(_ path: String) throws -> [String] {
            try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map { line in
                String(line.split(separator: #""id":""#)[1].prefix { $0 != "\"" })
            }
        }
        #expect(try ids(path) == ["9"])
        #expect(try ids(path + ".1") == ["7", "8"])
        #expect(try ids(path + ".2") == ["5", "6"])
        #expect(!FileManager.default.fileExists(atPath: path + ".3"))
        // Records 1-2 went with the third rotation, 3-4 with the fourth.
        #expect(dropped == [0, 0, 0, 0, 0, 0, 2, 0, 2])
        #expect(file.recordsDropped == 4)
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
