package import LogshipCore
package import LogshipOutputs

extension ComponentRegistry {
    /// `type: elasticsearch`. `hosts` takes a list or one comma-separated string, so that
    /// `ES_HOSTS=http://a:9200,http://b:9200` works.
    static func elasticsearch(
        _ mapping: ConfigMapping,
        id: String,
        dataDirectory: String
    ) -> ElasticsearchOutputConfiguration? {
        var configuration = ElasticsearchOutputConfiguration(id: id, hosts: [])
        if let hosts = mapping.required("hosts")?.stringList(splitCommas: true) {
            configuration.hosts = hosts
            if hosts.isEmpty { mapping["hosts"]?.report("list at least one host, such as http://localhost:9200") }
        }
        if let index = mapping["index"]?.string { configuration.index = index }
        if let count = mapping["max_batch_events"]?.int { configuration.maximumBatchEvents = count }
        if let size = mapping["max_batch_bytes"]?.byteSize { configuration.maximumBatchBytes = size.bytes }
        if let age = mapping["max_batch_age"]?.duration { configuration.maximumBatchAge = age }
        // Ranges are checked by `validate()` below, whose error names the key.
        if let level = mapping["compression_level"]?.int { configuration.compressionLevel = level }
        if let count = mapping["max_in_flight_requests"]?.int { configuration.maximumInFlightRequests = count }
        if let count = mapping["max_buffered_events"]?.int { configuration.maximumBufferedEvents = count }
        if let backoff = mapping["initial_backoff"]?.duration { configuration.initialBackoff = backoff }
        if let backoff = mapping["max_backoff"]?.duration { configuration.maximumBackoff = backoff }
        if let timeout = mapping["request_timeout"]?.duration { configuration.requestTimeout = timeout }
        if let timeout = mapping["shutdown_timeout"]?.duration { configuration.shutdownTimeout = timeout }
        if let limit = mapping["item_retry_limit"]?.int { configuration.itemRetryLimit = limit }
        configuration.deadLetterPath = mapping["dead_letter_path"]?.string ?? "\(dataDirectory)/dead-letter.ndjson"
        if let size = mapping["max_dead_letter_bytes"]?.byteSize { configuration.maximumDeadLetterBytes = size.bytes }
        if let count = mapping["max_dead_letter_files"]?.int { configuration.maximumDeadLetterFiles = count }
        return validated(mapping) {
            try configuration.validate()
            return configuration
        }
    }

    /// `type: prometheus`.
    static func prometheus(_ mapping: ConfigMapping, id: String) -> PrometheusOutputConfiguration? {
        var configuration = PrometheusOutputConfiguration(id: id, listen: "127.0.0.1:9464")
        if let listen = mapping["listen"] {
            if let text = listen.string {
                do {
                    _ = try ListenAddress(parsing: text)
                    configuration.listen = text
                } catch {
                    listen.report("\(error)")
                }
            }
        }
        if let count = mapping["max_series_per_metric"]?.int { configuration.maximumSeriesPerMetric = count }
        return configuration
    }
}
