import Foundation
import LogshipCore
import LogshipOutputs
import LogshipReceiver
import Testing

/// Index names from fields, the fallback index, the action and the `_id` (`BulkAction`).
struct IndexRoutingTests {
    func event(_ fields: FieldObject, offset: Int64 = 0) -> Event {
        Event(fields: fields, timestamp: noon, source: makeSource(offset: offset))
    }

    func encode(_ events: [Event], _ action: BulkAction) -> (Batch, BulkEncoder) {
        var encoder = BulkEncoder(action: action)
        let batch = Batch(encoding: EventBatch(events), encoder: &encoder)
        return (batch, encoder)
    }

    func actionLines(_ batch: Batch) -> [String] {
        batch.text.split(separator: "\n").enumerated().filter { $0.offset % 2 == 0 }.map { String($0.element) }
    }

    @Test func fieldReferencesAreParsed() throws {
        let pattern = try IndexPattern(parsing: "logs-%{[service]}-%{+yyyy.MM}")
        #expect(pattern.hasFields && pattern.usesDate && !pattern.isConstant)
        #expect(pattern.fieldPaths == [FieldPath("service")])
        #expect(try IndexPattern(parsing: "l-%{[labels][app]}").fieldPaths == [FieldPath("labels.app")])
        #expect(try IndexPattern(parsing: "l-%{[labels.app]}").fieldPaths == [FieldPath("labels.app")])
        for bad in ["l-%{[service}", "l-%{[]}", "l-%{service}", "l-%{[a]x}", "l-%{[a..b]}"] {
            #expect(throws: ElasticsearchOutputError.self, "\(bad)") { try IndexPattern(parsing: bad) }
        }
    }

    @Test func namesFromFieldsAreLowerCasedAndInvalidOnesGoToTheFallback() throws {
        let action = BulkAction(index: try IndexPattern(parsing: "logs-%{[service]}-%{+yyyy.MM}"))
        let (batch, encoder) = encode(
            [
                event(["service": "Aetherra_Hub"]),
                event(["service": "memory"], offset: 10),
                event(["message": "no service"], offset: 20),
                event(["service": "a/b"], offset: 30),
                event(["service": "_private"], offset: 40),
                event(["service": .integer(42)], offset: 50),
                event(["service": "Ünïcode"], offset: 60),
                event(["service": .object(["x": "y"])], offset: 70),
                event(["service": ""], offset: 80),
            ],
            action
        )
        #expect(
            (0..<batch.count).map { batch.indexName(at: $0) } == [
                "logs-aetherra_hub-2025.11", "logs-memory-2025.11", "logship-fallback-2025.11.01",
                "logship-fallback-2025.11.01", "logs-_private-2025.11", "logs-42-2025.11", "logs-ünïcode-2025.11",
                "logship-fallback-2025.11.01", "logship-fallback-2025.11.01",
            ]
        )
        #expect(encoder.fallbacks == 4)
        #expect(encoder.firstFallback == .missingField(FieldPath("service")))
        // Every document keeps its source, whatever its index.
        #expect(batch.sources.count == 9)
        // A name may not start with '_', '-' or '+'.
        let leading = BulkAction(index: try IndexPattern(parsing: "%{[service]}"))
        let (first, _) = encode([event(["service": "_private"]), event(["service": "ok"], offset: 10)], leading)
        #expect((0..<first.count).map { first.indexName(at: $0) } == ["logship-fallback-2025.11.01", "ok"])
    }

    @Test func theActionAndTheDocumentID() throws {
        let pattern = try IndexPattern(parsing: "logs")
        let events = [event(["event_id": "evt-1\"x"]), event(["message": "no id"], offset: 10)]
        let sourceID = makeSource(offset: 10).documentID

        let (created, _) = encode(events, BulkAction(index: pattern))
        #expect(actionLines(created)[1] == #"{"create":{"_index":"logs","_id":"\#(sourceID)"}}"#)

        let (indexed, _) = encode(events, BulkAction(kind: .index, index: pattern))
        #expect(actionLines(indexed)[1] == #"{"index":{"_index":"logs","_id":"\#(sourceID)"}}"#)

        let (none, _) = encode(events, BulkAction(index: pattern, documentID: .none))
        #expect(actionLines(none) == [#"{"create":{"_index":"logs"}}"#, #"{"create":{"_index":"logs"}}"#])

        let (fromField, _) = encode(events, BulkAction(index: pattern, documentID: .field(FieldPath("event_id"))))
        #expect(
            actionLines(fromField) == [
                #"{"create":{"_index":"logs","_id":"evt-1\"x"}}"#,
                #"{"create":{"_index":"logs","_id":"\#(sourceID)"}}"#,
            ]
        )
        #expect(fromField.actionID(at: 1) == sourceID)
        // The source lines are the same whatever the action line says.
        let sources = { (batch: Batch) in
            (0..<batch.count).map { String(decoding: batch.documentJSON(at: $0), as: UTF8.self) }
        }
        #expect(sources(created) == sources(none) && sources(none) == sources(fromField))
    }

    @Test func dataStreamsAndTheirRules() throws {
        var configuration = ElasticsearchOutputConfiguration(id: "es", hosts: ["http://localhost:9200"])
        configuration.dataStream = .init(type: "logs", dataset: "aetherra", namespace: "production")
        let action = try configuration.bulkAction()
        #expect(action.kind == .create && action.index.pattern == "logs-aetherra-production")

        func problem(_ change: (inout ElasticsearchOutputConfiguration) -> Void) -> String {
            var changed = configuration
            change(&changed)
            do {
                try changed.validate()
                return ""
            } catch {
                return "\(error)"
            }
        }
        let problems = [
            problem { $0.action = .index },
            problem { $0.dataStream?.dataset = "aetherra-hub" },
            problem { $0.dataStream?.namespace = "%{+yyyy}" },
            problem { $0.dataStream?.dataset = "Aetherra" },
            problem { $0.fallbackIndex = "fallback-%{[service]}" },
            problem { $0.pipeline = "a&b" },
            problem { $0.dataStream = nil },
        ]
        let expected = [
            "data streams take only create", "must not contain '-'", "has no date", "lower case",
            "must not refer to fields", "not an ingest pipeline name",
        ]
        for (found, wanted) in zip(problems, expected) { #expect(found.contains(wanted), "\(found)") }
        #expect(problems.last == "")
    }

    @Test func theIngestPipelineIsAQueryParameter() {
        var configuration = ElasticsearchOutputConfiguration(id: "es", hosts: ["http://localhost:9200/"])
        #expect(
            configuration.bulkURL(host: 0) == "http://localhost:9200/_bulk?"
                + ElasticsearchOutputConfiguration.bulkQuery
        )
        configuration.pipeline = "aetherra geo"
        #expect(configuration.bulkURL(host: 0).hasSuffix("&pipeline=aetherra%20geo"))
    }
}

extension ElasticsearchOutputTests {
    /// Over HTTP: each event lands in the index its fields name, the unroutable one in the
    /// fallback, counted and logged.
    @Test(.timeLimit(.minutes(1))) func eventsLandInTheIndexTheirFieldsName() async throws {
        try await withReceiver { receiver, port in
            let logs = LogCapture()
            let acknowledged = AcknowledgementRecorder()
            let output = ElasticsearchOutput(
                configuration: configuration(port: port) {
                    $0.index = "aetherra-%{[service]}-%{+yyyy.MM.dd}"
                    $0.fallbackIndex = "aetherra-unrouted"
                },
                acknowledge: { acknowledged.record($0) },
                logger: logs.logger
            )
            let services: [FieldValue?] = ["aetherra_hub", "Memory", nil, "aetherra_hub"]
            let events = services.enumerated().map { number, service in
                var fields: FieldObject = ["message": .string("line \(number)")]
                if let service { fields["service"] = service }
                return Event(fields: fields, timestamp: noon, source: makeSource(offset: Int64(number) * 10))
            }
            try await withRunning(output) {
                await output.send(events)
                await acknowledged.waitUntil(count: 4)
            }
            #expect(receiver.documents(in: "aetherra-aetherra_hub-2025.11.01").count == 2)
            #expect(receiver.documents(in: "aetherra-memory-2025.11.01").count == 1)
            #expect(receiver.documents(in: "aetherra-unrouted").count == 1)
            #expect(output.statistics.documentsToFallbackIndex == 1)
            #expect(logs.text.contains("went to the fallback index"), "\(logs.text)")
            #expect(logs.text.contains("no string, number or boolean at 'service'"))
        }
    }
}
