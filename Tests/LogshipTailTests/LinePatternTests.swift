import LogshipCore
import LogshipTail
import Testing

struct LinePatternTests {
    static let long = String(repeating: "x", count: 200)
    static let lines = [
        "2025-11-01 12:00:00,123 - aetherra_hub - INFO - " + long,
        "{\"timestamp\": \"2025-11-01T12:00:00\", " + long + "}",
        "  File \"/opt/aetherra/plugins/runner.py\", line 88, in execute " + long,
        "Traceback (most recent call last):",
        long + " ERROR at the end",
        String(repeating: "é", count: 40) + "2025-11-01",
        "",
    ]

    @Test(
        arguments: [
            (#"^(\d{4}-\d{2}-\d{2}|\{)"#, [true, true, false, false, false, false, false]),
            (#"^\s"#, [false, false, true, false, false, false, false]),
            ("ERROR", [false, false, false, false, true, false, false]),
            (#"^\S+ \S+ - \S+ - INFO"#, [true, false, false, false, false, false, false]),
            ("^.{70}", [true, true, true, false, true, false, false]),
            (#"^[^é]{3}"#, [true, true, true, true, true, false, false]),
            ("é{32}", [false, false, false, false, false, true, false]),
            ("end$", [false, false, false, false, true, false, false]),
            (#"\d{4}-\d{2}-\d{2}$"#, [false, false, false, false, false, true, false]),
            ("^$", [false, false, false, false, false, false, true]),
        ]
    )
    func matchesLines(pattern: String, expected: [Bool]) throws {
        let linePattern = LinePattern(try RegularExpression(pattern))
        for (line, expected) in zip(Self.lines, expected) {
            #expect(linePattern.matches(line) == expected, "\(pattern) on \(line.prefix(30))…")
            var bytes = Array(line.utf8)
            #expect(bytes.withUnsafeBufferPointer { linePattern.matches($0) } == expected)
            bytes.removeAll()
        }
    }

    @Test func linesWithInvalidUTF8AreMatchedAroundIt() throws {
        let linePattern = LinePattern(try RegularExpression(#"^(\d{4}-\d{2}-\d{2}|\{)"#))
        let date: [UInt8] = Array("2025-11-01 ".utf8) + [0xFF, 0xFE] + Array(" rest".utf8)
        let broken: [UInt8] = [0xC3] + Array("2025-11-01".utf8)
        #expect(date.withUnsafeBufferPointer { linePattern.matches($0) })
        #expect(!broken.withUnsafeBufferPointer { linePattern.matches($0) })
    }
}
