import LogshipCore
import Testing

struct JSONScannerTests {
    private func scan(_ text: String) -> (members: [JSONMember], end: Int, repeats: Bool)? {
        var members: [JSONMember] = []
        let bytes = Array(text.utf8)
        let found = bytes.withUnsafeBufferPointer { JSONScanner.scanObject($0, from: 0, into: &members) }
        return found.map { (members, $0.end, $0.mayHaveRepeatedKeys) }
    }

    /// The scanner accepts exactly the objects the parser accepts.
    @Test(arguments: [
        "{}", #"{"a":1}"#, #" {"a": [1, 2.5e-3, -0, true, false, null, {"b": "c"}]} "#,
        #"{"s": "caf\u00e9 \ud83d\ude00 \n \"q\""}"#, "{\"é\": \"€\"}", #"{"a": 01}"#, #"{"a": 1,}"#,
        #"{"a" 1}"#, #"{"a": tru}"#, #"{"a": "\x"}"#, #"{"a": "\u12"}"#, "{\"a\": \"\u{1}\"}", #"{"a": 1} x"#,
        #"{"a": [1,]}"#, #"{"a": .5}"#, #"{"a": 1.}"#, #"{"a": 1e}"#, #"{"a": -}"#, "[1]", "42", #"{"a":"#,
        #"{"a": NaN}"#, String(repeating: "[", count: 70) + String(repeating: "]", count: 70),
        "{\"a\":" + String(repeating: "[", count: 70) + String(repeating: "]", count: 70) + "}",
    ])
    func agreesWithTheParser(text: String) {
        let parsed = try? JSONParser.parse(text)
        let isObject: Bool
        if case .object? = parsed { isObject = true } else { isObject = false }
        #expect((scan(text) != nil) == isObject, "\(text)")
    }

    @Test func rejectsInvalidUTF8InStrings() {
        var bytes = Array(#"{"a": "x"}"#.utf8)
        bytes[7] = 0xFF
        var members: [JSONMember] = []
        #expect(bytes.withUnsafeBufferPointer { JSONScanner.scanObject($0, from: 0, into: &members) } == nil)
    }

    @Test func findsMembersWithoutDecoding() throws {
        let text = #"{"k": "v\"w", "n": 12.50, "o": {"x": [1]}, "t": true}"#
        let found = try #require(scan(text))
        let bytes = Array(text.utf8)
        func slice(_ range: Range<Int>) -> String { String(decoding: bytes[range], as: UTF8.self) }
        #expect(found.members.map { slice($0.key) } == ["k", "n", "o", "t"])
        #expect(found.members.map { slice($0.value) } == [#"v\"w"#, "12.50", #"{"x": [1]}"#, "true"])
        #expect(found.members.map(\.kind) == [.string, .number, .object, .true])
        #expect(found.members.map(\.valueHasEscapes) == [true, false, false, false])
        #expect(found.end == bytes.count)
        #expect(!found.repeats)
    }

    @Test(arguments: [
        (#"{"a": 1, "a": 2}"#, true), (#"{"a": {"b": 1, "b": 2}}"#, true), (#"{"a": 1, "b": {"a": 2}}"#, false),
        (#"{"\u0061": 1}"#, true), (#"{"a": [{"b": 1}, {"b": 2}]}"#, false),
        (#"{"a_key_of_twenty_by": 1, "a_key_of_twenty_by": 2}"#, true), (#"{"abcd": 1, "abce": 2}"#, false),
        (#"{"abcdefghijklmnop": 1, "abcdefghijklmnoq": 2, "bcdefghijklmnopq": 3}"#, false),
        (#"{"ab": 1, "b": 2, "ba": 3, "": 4, "abc": 5, "": 6}"#, true),
    ])
    func flagsObjectsThatMayRepeatAKey(text: String, repeats: Bool) throws {
        #expect(try #require(scan(text)).repeats == repeats)
    }

    @Test func findsANestedMemberByKey() throws {
        let text = #"{"a": 1, "labels": {"endpoint": "/chat", "status": 500}}"#
        let bytes = Array(text.utf8)
        let member = bytes.withUnsafeBufferPointer { object in
            Array("a".utf8).withUnsafeBufferPointer { JSONScanner.member(named: $0, inObject: object) }
        }
        #expect(member?.kind == .number)
        #expect(member.map { String(decoding: bytes[$0.value], as: UTF8.self) } == "1")
    }

    /// `JSONMemberReader` gives, for a validated object, the members the scanner found; on any
    /// prefix of one (text it must never be given, but must not crash on) it stops early.
    @Test(arguments: [
        "{}", " { } ", #"{"a":1}"#, #" {"a": [1, 2.5e-3, -0, true, false, null, {"b": "c"}]} "#,
        #"{"s": "caf\u00e9 \ud83d\ude00 \n \"q\"", "\u0061b": {"x": {"y": []}}, "e": ""}"#,
        #"{"k": "v\"w", "n": 12.50, "o": {"x": [1]}, "t": true}"#, "{\"é\": \"€\",\n\t\"z\" :\r null}",
    ])
    func readsTheMembersTheScannerFinds(text: String) throws {
        let found = try #require(scan(text))
        let bytes = Array(text.utf8)
        let read = bytes.withUnsafeBufferPointer { object in
            var reader = JSONMemberReader(object: object)
            var members: [JSONMember] = []
            while let member = reader.next() { members.append(member) }
            return members
        }
        #expect(read == found.members)
        for end in 0..<bytes.count {
            let partial = Array(bytes[..<end]).withUnsafeBufferPointer { object in
                var reader = JSONMemberReader(object: object)
                var members: [JSONMember] = []
                while let member = reader.next() { members.append(member) }
                return members
            }
            // A number cut short reads as a shorter number; the keys are the scanner's.
            #expect(partial.count <= found.members.count)
            #expect(partial.map(\.key) == found.members.prefix(partial.count).map(\.key), "prefix of \(end) bytes")
        }
    }
}
