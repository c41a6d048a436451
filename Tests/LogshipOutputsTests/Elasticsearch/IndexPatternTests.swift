import Foundation
import LogshipOutputs
import Testing

@Suite struct IndexPatternTests {
    @Test(arguments: [
        ("aetherra-logs-%{+yyyy.MM.dd}", "aetherra-logs-2025.11.01"),
        ("logs-%{+yyyy-MM}", "logs-2025-11"),
        ("logs-%{+yyyy.MM.dd.HH}", "logs-2025.11.01.12"),
        ("%{+yyyy_MM_dd}-app", "2025_11_01-app"),
        ("a-%{+yyyy}-b-%{+MM}", "a-2025-b-11"),
        ("plain", "plain"),
        ("100%-done", "100%-done"),
    ])
    func formats(pattern: String, expected: String) throws {
        let index = try IndexPattern(parsing: pattern)
        #expect(index.indexName(for: noon) == expected)
    }

    @Test func usesUTC() throws {
        let index = try IndexPattern(parsing: "l-%{+yyyy.MM.dd.HH}")
        #expect(index.indexName(for: Date(timeIntervalSince1970: 0)) == "l-1970.01.01.00")
        #expect(index.indexName(for: Date(timeIntervalSince1970: 951_868_800)) == "l-2000.03.01.00")
        #expect(index.indexName(for: Date(timeIntervalSince1970: 951_868_799)) == "l-2000.02.29.23")
        #expect(index.usesHour)
        #expect(!(try IndexPattern(parsing: "l-%{+yyyy}")).usesHour)
        #expect((try IndexPattern(parsing: "l")).isConstant)
    }

    @Test(arguments: [
        ("", "empty"),
        ("logs-%{+yyyy.MM.dd", "not closed"),
        ("logs-%{host}", "neither a date"),
        ("logs-%{+YYYY.MM.dd}", "week-based year"),
        ("logs-%{+yy}", "unsupported date format"),
        ("logs-%{+}", "no format"),
        ("Logs-%{+yyyy}", "lower case"),
        ("logs/x", "'/' is not allowed"),
        ("logs x", "' ' is not allowed"),
        ("-logs", "must not start with '-'"),
        ("_logs", "must not start with '_'"),
        ("..", "not index names"),
        (String(repeating: "a", count: 250) + "%{+yyyy.MM}", "255 bytes"),
    ])
    func rejects(pattern: String, problem: String) {
        #expect {
            try IndexPattern(parsing: pattern)
        } throws: { error in
            "\(error)".contains(problem) && "\(error)".contains("'\(pattern)'")
        }
    }
}
