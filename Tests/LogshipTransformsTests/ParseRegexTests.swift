import LogshipCore
import LogshipTransforms
import Testing

struct ParseRegexTests {
    static let aetherraPattern =
        #"^(?P<timestamp>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3}) - "#
        + #"(?P<service>[^ ]+) - (?P<log.level>[A-Z]+) - (?P<text>.*)$"#

    @Test func pythonStyleNamedGroupsBecomeFields() throws {
        let transform = try ParseRegex(configuration: .init(pattern: Self.aetherraPattern))
        let (events, statistics) = Fixtures.run(transform, [Fixtures.event(Fixtures.aetherraLines[0])])
        let fields = events[0].fields
        #expect(fields["timestamp"] == .string("2025-11-01 12:00:00,123"))
        #expect(fields["service"] == .string("aetherra_hub"))
        #expect(fields[path: FieldPath("log.level")] == .string("INFO"))
        #expect(fields["text"] == .string("Server started on port 3001"))
        #expect(fields["message"] == .string(Fixtures.aetherraLines[0]))
        #expect(statistics.count(transform: "parse_regex", outcome: .success) == 1)
    }

    @Test func nonMatchingEventsAreKeptAndCounted() throws {
        let transform = try ParseRegex(configuration: .init(pattern: Self.aetherraPattern))
        let original = Fixtures.aetherraLines.map { Fixtures.event($0) }
        let (events, statistics) = Fixtures.run(transform, original + [Fixtures.event(["other": 1])])
        #expect(events.count == original.count + 1)
        #expect(events[2] == original[2])
        #expect(statistics.count(transform: "parse_regex", outcome: .success) == 3)
        #expect(statistics.count(transform: "parse_regex", outcome: .noMatch) == 4)
        #expect(statistics.count(transform: "parse_regex", outcome: .skipped) == 1)
    }

    @Test func capturesGoUnderTargetAndUnusedGroupsSetNothing() throws {
        let pattern = #"(?<word>[a-z]+)(?:-(?<number>\d+))?(\s)(?<é_ok>x)?"#
        #expect(throws: TransformError.self) { try ParseRegex(configuration: .init(pattern: pattern)) }
        let transform = try ParseRegex(
            configuration: .init(
                pattern: #"(?<word>[a-z]+)(?:-(?<number>\d+))?(\s)(?<tail>.*)"#,
                target: FieldPath("p")
            )
        )
        let (events, _) = Fixtures.run(transform, [Fixtures.event("héllo abc rest")])
        #expect(events[0].fields["p"] == .object(["word": "llo", "tail": "abc rest"]))
    }

    @Test func backreferencesByNameWork() throws {
        let transform = try ParseRegex(configuration: .init(pattern: #"(?P<q>['"])(?P<body>.*?)(?P=q)"#))
        let (events, _) = Fixtures.run(transform, [Fixtures.event(#"say "hi 'there'" now"#)])
        #expect(events[0].fields["body"] == .string("hi 'there'"))
        let angle = try ParseRegex(configuration: .init(pattern: #"(?<d>\d)\k<d>(?<after>.)"#))
        let (more, _) = Fixtures.run(angle, [Fixtures.event("a1223b")])
        #expect(more[0].fields["d"] == .string("2"))
        #expect(more[0].fields["after"] == .string("3"))
    }

    @Test(
        arguments: [
            (#"(?<d>\d)\k{d}(?<after>.)"#, "a1223b", ["d": "2", "after": "3"]),
            (#"(?<d>\d)\g{d}(?<after>.)"#, "a1223b", ["d": "2", "after": "3"]),
            (#"(?<d>\d)\k'd'(?<after>.)"#, "a1223b", ["d": "2", "after": "3"]),
            (#"^(?<word>[a-z]+)-(?&word)-(?P>word)-\g<word>$"#, "abc-de-f-gh", ["word": "abc"]),
            (#"^(?<q><)?(?<v>\w+)(?(<q>)>)$"#, "<abc>", ["q": "<", "v": "abc"]),
            (#"^(?<q><)?(?<v>\w+)(?(q)>)$"#, "abc", ["v": "abc"]),
            (#"(?#not (a group)(?<a>[[:alpha:]]+)(*SKIP)(?<b>[[(]+)"#, "abc((", ["a": "abc", "b": "(("]),
            (#"[]()](*atomic:(?<a.b>a+))b"#, ")aab", ["a": .object(["b": "aa"])]),
        ] as [(String, String, FieldObject)]
    )
    func pcre2ConstructsAndReferenceSpellingsAreMapped(pattern: String, text: String, expected: FieldObject) throws {
        let transform = try ParseRegex(configuration: .init(pattern: pattern, target: FieldPath("p")))
        let (events, statistics) = Fixtures.run(transform, [Fixtures.event(text)])
        #expect(statistics.count(transform: "parse_regex", outcome: .success) == 1)
        #expect(events[0].fields["p"] == .object(expected))
    }

    @Test func capturesAroundMultibyteCharactersAreWholeCharacters() throws {
        // Text read from a file with a broken byte holds U+FFFD (three bytes) in its place.
        let transform = try ParseRegex(configuration: .init(pattern: #"(?<level>[A-Z]+) - (?<text>.*)"#))
        let (events, _) = Fixtures.run(transform, [Fixtures.event("\u{FFFD}\u{FFFD} ERROR - bad \u{FFFD} byte")])
        #expect(events[0].fields["level"] == .string("ERROR"))
        #expect(events[0].fields["text"] == .string("bad \u{FFFD} byte"))
    }

    @Test func groupsInsideClassesEscapesAndLookaroundsAreNotCounted() throws {
        let pattern = #"[(](?<=\()\((?!x)(?<a>[^)\]]+)\)\Q(not a group)\E(?<b>.)"#
        let transform = try ParseRegex(configuration: .init(pattern: pattern))
        #expect(transform.pattern.groups.map(\.name) == ["a", "b"])
        let (events, _) = Fixtures.run(transform, [Fixtures.event("((inner)(not a group)!")])
        #expect(events[0].fields["a"] == .string("inner"))
        #expect(events[0].fields["b"] == .string("!"))
    }

    @Test func overwriteKeysFalseKeepsExistingFields() throws {
        let transform = try ParseRegex(configuration: .init(pattern: #"(?<level>\w+)"#, overwriteKeys: false))
        let (events, _) = Fixtures.run(transform, [Fixtures.event(["message": "WARN x", "level": "keep"])])
        #expect(events[0].fields["level"] == .string("keep"))
    }

    @Test(arguments: [
        (#"(?<a>[unclosed"#, "missing terminating ] for character class at offset 14"),
        (#"(?<log.level>x)(?<b>y"#, "missing closing parenthesis at offset 21"),
        (#"(?<a>x)\k<b>"#, "unknown group 'b'"),
        (#"(?|(?<a>x)|(?<b>y))"#, "could not map the named groups"),
        (#"no groups here"#, "has no named group"),
        (#"(?<a>x)(?<a>y)"#, "used twice"),
        (#"(?<1bad>x)"#, "must match"),
        (#"(?P=missing)(?<a>x)"#, "unknown group"),
        (#"(?'a'x)"#, "(?<name>...)"),
    ])
    func invalidPatternsAreRejectedAtInit(pattern: String, reason: String) {
        do {
            _ = try ParseRegex(id: "grok", configuration: .init(pattern: pattern))
            Issue.record("pattern \(pattern) was accepted")
        } catch {
            #expect(error.transform == "grok")
            #expect(error.setting == "pattern")
            #expect(error.description.contains(reason), "\(error)")
        }
    }
}
