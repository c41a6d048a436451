import LogshipCore
import Testing

struct RegularExpressionTests {
    /// The ranges of `pattern`'s first match in `text`, group by group (nil: not set), or nil.
    func firstMatch(_ pattern: String, in text: [UInt8]) throws -> [Range<Int>?]? {
        let expression = try RegularExpression(pattern)
        let matcher = expression.makeMatcher()
        return text.withUnsafeBufferPointer { bytes in
            matcher.firstMatch(in: bytes).map { match in
                (0...expression.captureGroupCount).map { match.range(at: $0) }
            }
        }
    }

    func matches(_ expression: RegularExpression, _ text: [UInt8]) -> Bool {
        text.withUnsafeBufferPointer { expression.makeMatcher().matches($0) }
    }

    @Test func namedAndNumberedGroupsGiveByteRanges() throws {
        let text = Array("at 2025-11-01 é=x".utf8)
        let ranges = try firstMatch(#"(?<year>\d{4})-(\d\d)-(?P<day>\d\d)(?: (é)=(y))?"#, in: text)
        #expect(ranges == [3..<13, 3..<7, 8..<10, 11..<13, nil, nil])
        let expression = try RegularExpression("(?<year>\\d{4})(x)?")
        #expect(expression.captureGroupCount == 2)
        #expect(expression.isJITCompiled)
    }

    @Test func capturesAreBytesOfCharacters() throws {
        // é is two bytes; a group around it spans both, `.` takes whole characters.
        let text = Array("naïve café".utf8)
        #expect(try firstMatch("(.)ve (caf.)", in: text) == [2..<12, 2..<4, 7..<12])
    }

    @Test func invalidUTF8IsNeverAnErrorAndMatchesNothing() throws {
        let text: [UInt8] = [0x61, 0xFF, 0x62, 0xC3, 0x28, 0x63]  // a, invalid, b, truncated é, (, c
        let expression = try RegularExpression("b.*c")
        #expect(!matches(expression, text))  // `.` does not cross the broken é
        #expect(try firstMatch("b", in: text) == [2..<3])
        #expect(try firstMatch(#"\(c"#, in: text) == [4..<6])
        #expect(try firstMatch("a.b", in: text) == nil)
        #expect(expression.matchErrorCount == 0)
    }

    @Test func compileErrorsCarryPCRE2sMessageAndTheOffset() {
        #expect(throws: RegularExpressionError.self) { try RegularExpression("(") }
        do {
            _ = try RegularExpression(#"^é(\d{4}"#)
            Issue.record("compiled")
        } catch {
            #expect(error.message == "missing closing parenthesis")
            #expect(error.offset == 9)  // the end of the pattern, in bytes
            #expect(error.description == "missing closing parenthesis at offset 9")
            #expect(error.pattern == #"^é(\d{4}"#)
        }
        do {
            _ = try RegularExpression("ab)")
            Issue.record("compiled")
        } catch {
            #expect(error.description == "unmatched closing parenthesis at offset 2")
        }
        // \C could split a character: refused.
        #expect(throws: RegularExpressionError.self) { try RegularExpression(#"a\C"#) }
    }

    @Test func emptyMatchesAndEmptySubjects() throws {
        #expect(try firstMatch("x*", in: Array("abc".utf8)) == [0..<0])
        #expect(try firstMatch("(?<e>)$", in: Array("abc".utf8)) == [3..<3, 3..<3])
        #expect(try firstMatch("^$", in: []) == [0..<0])
        #expect(try firstMatch("a", in: []) == nil)
        #expect(try firstMatch("", in: Array("abc".utf8)) == [0..<0])
    }

    @Test func aHostilePatternGivesUpAtTheLimitInsteadOfHanging() throws {
        let expression = try RegularExpression("(a+)+$")
        let text = [UInt8](repeating: UInt8(ascii: "a"), count: 10_000) + [UInt8(ascii: "b")]
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            #expect(!matches(expression, text))
        }
        #expect(expression.matchErrorCount == 1)
        #expect(elapsed < .seconds(2))
        // The same pattern on friendly text is fine.
        #expect(matches(expression, Array("aaaa".utf8)))
        #expect(expression.matchErrorCount == 1)
    }

    @Test func withoutTheJITTheInterpreterGivesTheSameAnswersAndLimits() throws {
        let expression = try RegularExpression(#"(*NO_JIT)^(?<date>\d{4}-\d{2}-\d{2}) (?<rest>.*)"#)
        #expect(!expression.isJITCompiled)
        #expect(try firstMatch(expression.pattern, in: Array("2025-11-01 é x".utf8)) == [0..<15, 0..<10, 11..<15])
        #expect(try firstMatch(expression.pattern, in: Array("x2025-11-01 é x".utf8)) == nil)
        let hostile = try RegularExpression("(*NO_JIT)(a+)+$")
        #expect(!matches(hostile, [UInt8](repeating: UInt8(ascii: "a"), count: 10_000) + [UInt8(ascii: "b")]))
        #expect(hostile.matchErrorCount == 1)
        let repeated = try RegularExpression("(*NO_JIT)^(x|y)*$")
        #expect(matches(repeated, [UInt8](repeating: UInt8(ascii: "x"), count: 20_000)))
    }

    @Test func aMatcherGrowsItsJITStackForLongRepetitions() throws {
        // A repeated group uses JIT stack per repetition; PCRE2's default 32 KiB lasts for about
        // a thousand here.
        let expression = try RegularExpression("^(x|y)*$")
        let text = [UInt8](repeating: UInt8(ascii: "x"), count: 20_000)
        let matcher = expression.makeMatcher()
        let ranges = text.withUnsafeBufferPointer { matcher.firstMatch(in: $0).map { ($0.range, $0.range(at: 1)) } }
        #expect(ranges?.0 == 0..<20_000)
        #expect(ranges?.1 == 19_999..<20_000)
        #expect(expression.matchErrorCount == 0)
        // The allocation-free convenience keeps to the default stack and gives up.
        #expect(!text.withUnsafeBufferPointer { expression.matches($0) })
        #expect(expression.matchErrorCount == 1)
    }

    @Test(
        arguments: [
            (#"^(\d{4}-\d{2}-\d{2}|\{)"#, Array("0123456789{".utf8)),
            (#"^\{"#, Array("{".utf8)),
            (#"\A\["#, Array("[".utf8)),
            (#"^(?i)k"#, Array("kK".utf8) + [0xE2]),  // and the Kelvin sign, E2 84 AA
            (#"^\s"#, Array(" \t\n\u{B}\u{C}\r".utf8)),
            (#"^(?i)a"#, nil),  // a single letter: PCRE2 does not say whether case matters
            ("^.*x", nil),
            ("^(?:x|$)", nil),  // may match empty
            ("x", nil),  // not anchored
            (#"(?m)^\{"#, nil),  // ^ after any newline
        ] as [(String, [UInt8]?)]
    )
    func leadingBytesComeFromPCRE2sAnalysis(pattern: String, leadingBytes: [UInt8]?) throws {
        let expression = try RegularExpression(pattern)
        for byte in UInt8.min...UInt8.max {
            let expected = leadingBytes?.contains(byte) ?? true
            #expect(expression.mayMatch(startingWith: byte) == expected, "\(pattern): byte \(byte)")
        }
        #expect(expression.mayMatch(startingWith: nil) == (leadingBytes == nil))
    }

    @Test(arguments: [
        #"^(\d{4}-\d{2}-\d{2}|\{)"#, #"^\{"#, #"^(?i)k"#, #"^(?i)é"#, #"^[^é]{3}"#, #"^\s"#, "^x?y",
        #"^(?:\d|[a-f])+:"#,
    ])
    func checkingTheFirstByteNeverChangesTheAnswer(pattern: String) throws {
        let expression = try RegularExpression(pattern)
        // Without start-of-match optimizations PCRE2 knows no leading bytes.
        let reference = try RegularExpression("(*NO_START_OPT)" + pattern)
        #expect(reference.mayMatch(startingWith: nil))
        let lines = [
            "2025-11-01 12:00:00,123 - hub - INFO - x", "{\"a\": 1}", "  File \"x.py\", line 1", "Traceback", "",
            "kelvin", "Kelvin", "\u{212A}elvin", "ÉCOLE", "école", "y", "xy", "ab0:", "\t", "ééé",
        ]
        for line in lines {
            let bytes = Array(line.utf8)
            #expect(matches(expression, bytes) == matches(reference, bytes), "\(pattern) on \(line)")
        }
    }

    @Test func oneExpressionIsSharedByConcurrentMatchers() async throws {
        let expression = try RegularExpression(#"^(?<date>\d{4}-\d{2}-\d{2}) (?<rest>.*)"#)
        let counts = await withTaskGroup(of: Int.self) { group in
            for task in 0..<4 {
                group.addTask {
                    let matcher = expression.makeMatcher()
                    var found = 0
                    for index in 0..<2_000 {
                        let text = Array("202\(task)-01-0\(index % 10) line \(index)".utf8)
                        let length = text.withUnsafeBufferPointer { matcher.firstMatch(in: $0)?.range(at: 2)?.count }
                        if length == "line \(index)".utf8.count { found += 1 }
                    }
                    return found
                }
            }
            return await group.reduce(0, +)
        }
        #expect(counts == 8_000)
    }
}

/// `AnchoredPrefixes`: the patterns it takes match exactly as PCRE2 matches them (`(*NO_JIT)`
/// in front keeps a pattern from it, same meaning), and the others are left to PCRE2.
struct AnchoredPrefixesTests {
    static let subjects: [[UInt8]] =
        [
            "", "2025-11-01 12:00:00,001 - hub - INFO - x", "2025-11-0", "2025-1x-01", "{", "{\"a\": 1}", " {",
            "Traceback (most recent call last):", "  File \"x.py\"", "ERROR boom", "WARN", "WARNING x", "abc", "ab",
            "a", "x", " - ", "\"k\": 1", "[", "]x", "٣٣٣٣-٠١-٠١", "2025-11-01", "99999-11-01", "a\\b", "a|b",
        ].map { Array($0.utf8) } + [[0xFF, 0x32, 0x30], [0x32, 0x30, 0x32, 0x35, 0xC3]]

    @Test(arguments: [
        #"^(\d{4}-\d{2}-\d{2}|\{)"#, #"^\{"#, #"^\d{4}-\d{2}"#, #"^(?:ERROR|WARN)"#, "^abc", "^(a|ab|abc)",
        #"^\d{0}x"#, #"^ \- "#, #"^"k""#, #"^(\[|\])"#, #"^a\\b"#, #"^(a\\|b)"#, #"^\d\d\d\d-"#, #"^a\|b"#,
    ])
    func takesThePatternAndMatchesAsPCRE2(pattern: String) throws {
        let fast = try RegularExpression(pattern)
        let slow = try RegularExpression("(*NO_JIT)" + pattern)
        #expect(fast.matchesPrefixesWithoutPCRE2)
        #expect(!slow.matchesPrefixesWithoutPCRE2)
        let matcher = fast.makeMatcher()
        for subject in Self.subjects {
            subject.withUnsafeBufferPointer { bytes in
                #expect(fast.matches(bytes) == slow.matches(bytes), "\(pattern) on \(subject)")
                #expect(matcher.matches(bytes) == slow.matches(bytes), "\(pattern) on \(subject)")
            }
        }
    }

    @Test(arguments: [
        "abc", "^a|b", "^a$", "^a.", "^[0-9]", "^a*", "^a+", "^a?", #"^\d{1,3}"#, "^(?i)abc", "^(?<n>a)",
        "^((a)|b)", "^(a|)", #"^\w"#, "^é", "^a{", #"^\d{x}"#, "^", "^()",
    ])
    func leavesOtherPatternsToPCRE2(pattern: String) throws {
        #expect(try !RegularExpression(pattern).matchesPrefixesWithoutPCRE2)
    }
}
