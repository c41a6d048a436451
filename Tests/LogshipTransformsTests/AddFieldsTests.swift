import LogshipCore
import LogshipTransforms
import Testing

struct AddFieldsTests {
    @Test func addsAtTheRootOverwritingByDefault() throws {
        let transform = try AddFields(configuration: .init(fields: ["env": "prod", "service": "hub"]))
        let (events, statistics) = Fixtures.run(transform, [Fixtures.event(["message": "m", "env": "dev"])])
        #expect(events[0].fields == ["message": "m", "env": "prod", "service": "hub"])
        #expect(statistics.count(transform: "add_fields", outcome: .success) == 1)
    }

    @Test func withoutOverwriteExistingKeysStay() throws {
        let transform = try AddFields(
            configuration: .init(fields: ["env": "prod", "service": "hub"], overwrite: false)
        )
        let (events, _) = Fixtures.run(transform, [Fixtures.event(["message": "m", "env": "dev"])])
        #expect(events[0].fields == ["message": "m", "env": "dev", "service": "hub"])
    }

    @Test func targetIsCreatedOrMergedInto() throws {
        let transform = try AddFields(configuration: .init(fields: ["env": "prod"], target: FieldPath("meta.deploy")))
        let events = [
            Fixtures.event(["message": "a"]),
            Fixtures.event(["meta": .object(["deploy": .object(["region": "eu"])])]),
        ]
        let (result, _) = Fixtures.run(transform, events)
        #expect(result[0].fields[path: FieldPath("meta.deploy")] == .object(["env": "prod"]))
        #expect(result[1].fields[path: FieldPath("meta.deploy")] == .object(["region": "eu", "env": "prod"]))
    }

    @Test func nonObjectTargetIsReplacedOnlyWithOverwrite() throws {
        let event = Fixtures.event(["tags": "x"])
        let keep = try AddFields(configuration: .init(fields: ["a": 1], target: FieldPath("tags"), overwrite: false))
        #expect(Fixtures.run(keep, [event]).0[0].fields["tags"] == .string("x"))
        let replace = try AddFields(configuration: .init(fields: ["a": 1], target: FieldPath("tags")))
        #expect(Fixtures.run(replace, [event]).0[0].fields["tags"] == .object(["a": 1]))
    }

    @Test func emptyFieldsAreRejected() {
        #expect(
            throws: TransformError.missingSetting(
                transform: "meta",
                setting: "fields",
                reason: "list at least one field to add"
            )
        ) {
            try AddFields(id: "meta", configuration: .init(fields: [:]))
        }
    }
}
