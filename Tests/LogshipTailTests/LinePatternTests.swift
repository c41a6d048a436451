import Foundation
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

    @Test(arguments: [
        #"^(\d{4}-\d{2}-\d{2}|\{)"#, #"^\s"#, "ERROR", #"^\S+ \S+ - \S+ - ERROR"#, "^.{70}", #"^[^é]{3}"#, "é{32}",
        "end$", #"x\b"#, #"(?=.*ERROR)^x"#,
    ])
    func theFastPathNeverChangesTheAnswer(pattern: String) throws {
        let expression = try NSRegularExpression(pattern: pattern)
        let linePattern = LinePattern(expression)
        for line in Self.lines {
            let whole = expression.firstMatch(in: line, range: NSRange(location: 0, length: line.utf16.count)) != nil
            #expect(linePattern.matches(line) == whole, "\(pattern) on \(line.prefix(30))…")
        }
    }

    @Test func patternsThatLookPastTheMatchAlwaysSeeTheWholeLine() throws {
        #expect(LinePattern(try NSRegularExpression(pattern: #"^(\d{4}-\d{2}-\d{2}|\{)"#)).prefixMatchIsConclusive)
        for pattern in ["end$", #"x\b"#, "(?=a)", #"(a)\1"#, "(?>a+)", "a++", #"\Z"#] {
            #expect(!LinePattern(try NSRegularExpression(pattern: pattern)).prefixMatchIsConclusive, "\(pattern)")
        }
    }

    @Test func thePrefixEndsOnACharacterBoundary() {
        let text = "a" + String(repeating: "é", count: 40)  // 1 + 80 bytes
        let prefix = LinePattern.prefix(of: text)
        #expect(prefix.utf8.count == 63)
        #expect(!prefix.contains("\u{FFFD}"))
        #expect(text.hasPrefix(prefix))
    }
}
