import LogshipCore
import LogshipOutputs
import LogshipRuntime
import Testing

/// `index` with field references, `fallback_index`, `action`, `document_id`, `pipeline` and
/// `data_stream` of the elasticsearch output in YAML.
struct OutputRoutingConfigTests {
    func parse(_ output: String) -> (ElasticsearchOutputConfiguration?, [String]) {
        let text = """
            inputs: [{type: file, paths: [/tmp/*.log]}]
            outputs:
              - type: elasticsearch
                hosts: http://localhost:9200
            \(output.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
            """
        do {
            return (try PipelineLoader.parse(text, file: "test.yml", environment: [:]).elasticsearch, [])
        } catch {
            return (nil, error.errors.map(\.description))
        }
    }

    @Test func settingsBecomeTheBulkAction() throws {
        let (routed, none) = parse(
            """
            index: logs-%{[service]}-%{+yyyy.MM}
            fallback_index: logs-unrouted
            action: index
            document_id: "%{[event][id]}"
            pipeline: aetherra-geoip
            """
        )
        #expect(none == [])
        let action = try #require(try routed?.bulkAction())
        #expect(action.kind == .index && action.index.fieldPaths == [FieldPath("service")])
        #expect(action.fallback.pattern == "logs-unrouted" && action.documentID == .field(FieldPath("event.id")))
        #expect(routed?.bulkURL(host: 0).hasSuffix("&pipeline=aetherra-geoip") == true)

        let (stream, _) = parse("data_stream: {dataset: aetherra}\ndocument_id: none")
        #expect(try stream?.bulkAction().index.pattern == "logs-aetherra-default")
        #expect(stream?.documentID == BulkAction.DocumentID.none)
    }

    @Test func mistakesNameTheLineAndKey() {
        #expect(
            parse("index: logs\ndata_stream: {dataset: aetherra}").1 == [
                "test.yml:6:18: outputs[0].data_stream: give index or data_stream, not both"
            ]
        )
        #expect(
            parse("data_stream: {dataset: aetherra-hub}").1 == [
                "test.yml:5:28: outputs[0].data_stream.dataset: elasticsearch output 'elasticsearch': invalid data_stream.dataset: 'aetherra-hub' must not contain '-' (it separates the parts)"
            ]
        )
        #expect(
            parse("action: upsert").1 == [
                "test.yml:5:13: outputs[0].action: expected one of create, index, found 'upsert'"
            ]
        )
        #expect(
            parse("document_id: event_id").1 == [
                "test.yml:5:18: outputs[0].document_id: expected source, none or a field reference such as %{[event_id]}, found 'event_id'"
            ]
        )
        #expect(parse("index: logs-%{service}").1.first?.contains("outputs[0].index:") == true)
        #expect(
            parse("data_stream: {dataset: a, namespace: b, kind: c}").1.first?.contains("unknown key 'kind'") == true
        )
    }
}
