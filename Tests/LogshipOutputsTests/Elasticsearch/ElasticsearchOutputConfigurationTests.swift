import LogshipOutputs
import Testing

@Suite struct ElasticsearchOutputConfigurationTests {
    @Test func defaultsAreValid() throws {
        let configuration = ElasticsearchOutputConfiguration(
            id: "es",
            hosts: ["http://localhost:9200", "https://es:9243/prefix/"]
        )
        try configuration.validate()
        #expect(configuration.maximumBatchBytes == 2 * 1024 * 1024)
        #expect(configuration.maximumBatchEvents == 50_000)
        #expect(configuration.maximumDeadLetterBytes == 100 * 1024 * 1024)
        #expect(configuration.index == "logship-%{+yyyy.MM.dd}")
    }

    @Test func bulkURLAsksForTheFilteredResponse() {
        let configuration = ElasticsearchOutputConfiguration(id: "es", hosts: ["http://a:9200", "https://b/prefix//"])
        let query = "?filter_path=errors,items.*.status,items.*.error"
        #expect(configuration.bulkURL(host: 0) == "http://a:9200/_bulk" + query)
        #expect(configuration.bulkURL(host: 1) == "https://b/prefix/_bulk" + query)
    }

    @Test(arguments: [
        (ElasticsearchOutputConfiguration(id: "es", hosts: []), "hosts"),
        (ElasticsearchOutputConfiguration(id: "es", hosts: ["localhost:9200"]), "hosts[0]"),
        (ElasticsearchOutputConfiguration(id: "es", hosts: ["http://a:9200", "ftp://b"]), "hosts[1]"),
        (ElasticsearchOutputConfiguration(id: "es", hosts: ["http://a:9200?x=1"]), "hosts[0]"),
        (ElasticsearchOutputConfiguration(id: "es", hosts: ["http://a"], index: "Bad"), "index"),
        (ElasticsearchOutputConfiguration(id: "es", hosts: ["http://a"], compressionLevel: 10), "compression_level"),
        (
            ElasticsearchOutputConfiguration(id: "es", hosts: ["http://a"], maximumInFlightRequests: 0),
            "max_in_flight_requests"
        ),
        (
            ElasticsearchOutputConfiguration(
                id: "es",
                hosts: ["http://a"],
                initialBackoff: .seconds(2),
                maximumBackoff: .seconds(1)
            ), "max_backoff"
        ),
        (ElasticsearchOutputConfiguration(id: "es", hosts: ["http://a"], deadLetterPath: ""), "dead_letter_path"),
    ])
    func rejects(configuration: ElasticsearchOutputConfiguration, key: String) {
        #expect {
            try configuration.validate()
        } throws: { error in
            "\(error)".contains("'es'") && "\(error)".contains("invalid \(key):")
        }
    }
}
