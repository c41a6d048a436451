import LogshipCore
import Testing

struct JSONParserTests {
    @Test(
        arguments: [
            ("{}", FieldValue.object([:])),
            ("[]", .array([])),
            ("  \t\r\n 42 \n", .integer(42)),
            ("-0", .integer(0)),
            ("-12", .integer(-12)),
            ("9223372036854775807", .integer(Int64.max)),
            ("-9223372036854775808", .integer(Int64.min)),
            ("9223372036854775808", .double(9_223_372_036_854_775_808)),
            ("123456789012345678901234567890", .double(1.2345678901234568e29)),
            ("1.0", .double(1)),
            ("0.234", .double(0.234)),
            ("1e3", .double(1000)),
            ("-2.5E-3", .double(-0.0025)),
            ("1e400", .double(.infinity)),
            ("true", .bool(true)),
            ("false", .bool(false)),
            ("null", .null),
            ("\"\"", .string("")),
            ("\"caf\u{e9} \u{1F600}\"", .string("caf\u{e9} \u{1F600}")),
            (#""a\"b\\c\/d\b\f\n\r\t""#, .string("a\"b\\c/d\u{8}\u{c}\n\r\t")),
            (#""\u0041\u00e9\u20AC""#, .string("A\u{e9}\u{20AC}")),
            (#""\u0000""#, .string("\u{0}")),
            (#""\ud83d\ude00""#, .string("\u{1F600}")),
            (#""x\ud83dy""#, .string("x\u{FFFD}y")),
            (#""\ude00""#, .string("\u{FFFD}")),
            (#""\ud83d\u0041""#, .string("\u{FFFD}A")),
            ("[1, \"a\", [true], {\"k\": null}]", .array([1, "a", .array([.bool(true)]), .object(["k": .null])])),
        ] as [(String, FieldValue)]
    )
    func validDocuments(text: String, expected: FieldValue) throws {
        #expect(try JSONParser.parse(text) == expected)
    }

    @Test func objectKeysKeepOrderAndLastDuplicateWins() throws {
        let value = try JSONParser.parse(#"{"z": 1, "a": 2, "m": {"y": 1, "b": 2}, "z": 3}"#)
        let object = try #require(value.objectValue)
        #expect(object.entries.map(\.key) == ["z", "a", "m"])
        #expect(object["z"] == .integer(3))
        #expect(object["m"]?.objectValue?.entries.map(\.key) == ["y", "b"])
    }

    @Test func sampleMetricLine() throws {
        let line =
            #"{"timestamp": "2025-11-01T12:00:02.345678", "service": "aetherra_hub", "metric": "#
            + #""api_request_duration", "value": 0.234, "labels": {"endpoint": "/chat", "method": "POST"}, "#
            + #""type": "metric"}"#
        let object = try #require(try JSONParser.parse(line).objectValue)
        #expect(object.entries.map(\.key) == ["timestamp", "service", "metric", "value", "labels", "type"])
        #expect(object["value"] == .double(0.234))
        #expect(object[path: FieldPath("labels.method")] == .string("POST"))
    }

    @Test(
        arguments: [
            ("", JSONParseError.Reason.unexpectedEnd, 0),
            ("   ", .unexpectedEnd, 3),
            ("{} x", .trailingCharacters, 3),
            ("{}{}", .trailingCharacters, 2),
            ("1 2", .trailingCharacters, 2),
            ("{\"a\":1,}", .expectedKey, 7),
            ("[1,]", .unexpectedCharacter, 3),
            ("{a:1}", .expectedKey, 1),
            ("{\"a\" 1}", .expectedColon, 5),
            ("{\"a\":1 \"b\":2}", .expectedCommaOrEnd, 7),
            ("[1 2]", .expectedCommaOrEnd, 3),
            ("{\"a\":", .unexpectedEnd, 5),
            ("[", .unexpectedEnd, 1),
            ("tru", .unexpectedEnd, 3),
            ("trUe", .invalidLiteral, 2),
            ("nul", .unexpectedEnd, 3),
            ("NaN", .unexpectedCharacter, 0),
            ("01", .invalidNumber, 1),
            ("-", .unexpectedEnd, 1),
            ("-a", .invalidNumber, 1),
            ("1.", .unexpectedEnd, 2),
            ("1.e5", .invalidNumber, 2),
            ("1e", .unexpectedEnd, 2),
            ("1e+", .unexpectedEnd, 3),
            ("+1", .unexpectedCharacter, 0),
            (".5", .unexpectedCharacter, 0),
            ("\"abc", .unexpectedEnd, 4),
            ("\"a\tb\"", .controlCharacter, 2),
            ("\"a\nb\"", .controlCharacter, 2),
            (#""\x""#, .invalidEscape, 1),
            (#""\u12G4""#, .invalidEscape, 5),
            (#""\u12""#, .unexpectedEnd, 6),
            ("\"\\", .unexpectedEnd, 2),
            ("// comment\n1", .unexpectedCharacter, 0),
        ] as [(String, JSONParseError.Reason, Int)]
    )
    func invalidDocuments(text: String, reason: JSONParseError.Reason, offset: Int) {
        #expect(throws: JSONParseError(offset: offset, reason: reason)) { try JSONParser.parse(text) }
    }

    @Test(
        arguments: [
            [0x22, 0xFF, 0x22],  // never valid in UTF-8
            [0x22, 0x80, 0x22],  // stray continuation byte
            [0x22, 0xC0, 0xAF, 0x22],  // overlong '/'
            [0x22, 0xE0, 0x80, 0xAF, 0x22],  // overlong
            [0x22, 0xED, 0xA0, 0x80, 0x22],  // encoded surrogate U+D800
            [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],  // above U+10FFFF
            [0x22, 0xE2, 0x82, 0x22],  // truncated sequence
            [0x22, 0x5C, 0x6E, 0xC3, 0x28, 0x22],  // invalid after an escape
        ] as [[UInt8]]
    )
    func invalidUTF8(bytes: [UInt8]) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(bytes) }
        do {
            _ = try JSONParser.parse(bytes)
        } catch {
            #expect(error.reason == .invalidUTF8)
        }
    }

    @Test func validMultiByteUTF8() throws {
        let bytes: [UInt8] = [0x22, 0xC3, 0xA9, 0xE2, 0x82, 0xAC, 0xF0, 0x9F, 0x98, 0x80, 0x22]
        #expect(try JSONParser.parse(bytes) == .string("\u{e9}\u{20AC}\u{1F600}"))
    }

    @Test func nestingUpToTheMaximumIsAccepted() throws {
        let depth = JSONParser.maximumDepth
        let arrays = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        #expect(throws: Never.self) { try JSONParser.parse(arrays) }
        let objects = String(repeating: "{\"a\":", count: depth - 1) + "{}" + String(repeating: "}", count: depth - 1)
        #expect(throws: Never.self) { try JSONParser.parse(objects) }
    }

    @Test func nestingBeyondTheMaximumIsRejected() {
        let depth = JSONParser.maximumDepth + 1
        let arrays = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        #expect(throws: JSONParseError(offset: JSONParser.maximumDepth, reason: .tooDeep)) {
            try JSONParser.parse(arrays)
        }
        let deep = String(repeating: "[", count: 100_000)
        #expect(throws: JSONParseError(offset: JSONParser.maximumDepth, reason: .tooDeep)) {
            try JSONParser.parse(deep)
        }
    }

    @Test func errorDescriptionNamesOffsetAndReason() {
        let error = JSONParseError(offset: 7, reason: .expectedKey)
        #expect(error.description == "invalid JSON at byte 7: expected a string key")
    }
}
