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
        if let size = mapping["max_buffered_bytes"]?.byteSize { configuration.maximumBufferedBytes = size.bytes }
        if let backoff = mapping["initial_backoff"]?.duration { configuration.initialBackoff = backoff }
        if let backoff = mapping["max_backoff"]?.duration { configuration.maximumBackoff = backoff }
        if let timeout = mapping["request_timeout"]?.duration { configuration.requestTimeout = timeout }
        if let timeout = mapping["shutdown_timeout"]?.duration { configuration.shutdownTimeout = timeout }
        if let limit = mapping["item_retry_limit"]?.int { configuration.itemRetryLimit = limit }
        configuration.deadLetterPath = mapping["dead_letter_path"]?.string ?? "\(dataDirectory)/dead-letter.ndjson"
        if let size = mapping["max_dead_letter_bytes"]?.byteSize { configuration.maximumDeadLetterBytes = size.bytes }
        if let count = mapping["max_dead_letter_files"]?.int { configuration.maximumDeadLetterFiles = count }
        // The disk buffer is on once it has a bound.
        if let size = mapping["disk_buffer_max_bytes"]?.byteSize {
            configuration.maximumDiskBufferBytes = size.bytes
            configuration.diskBufferPath = mapping["disk_buffer_path"]?.string ?? "\(dataDirectory)/buffer-\(id)"
        } else if let path = mapping["disk_buffer_path"] {
            path.report("disk_buffer_path needs disk_buffer_max_bytes (the buffer's bound)")
        }
        configuration.credentials = credentials(mapping)
        if let tls = mapping["tls"]?.mapping { configuration.tls = clientTLS(tls) }
        routing(mapping, into: &configuration)
        return validated(mapping) {
            try configuration.validate()
            return configuration
        }
    }

    /// `username` with `password` or `password_file`, or `api_key` or `api_key_file`. An empty
    /// value is no value, so that `${ES_PASSWORD:-}` in a shipped pipeline means "not set".
    private static func credentials(_ mapping: ConfigMapping) -> Credentials? {
        func text(_ key: String) -> String? {
            guard let value = mapping[key]?.string, !value.isEmpty else { return nil }
            return value
        }
        let username = text("username")
        let password = text("password").map { Credentials.SecretSource.inline(Secret($0)) }
        let passwordFile = text("password_file").map { Credentials.SecretSource.file($0) }
        let apiKey = text("api_key").map { Credentials.SecretSource.inline(Secret($0)) }
        let apiKeyFile = text("api_key_file").map { Credentials.SecretSource.file($0) }
        if password != nil && passwordFile != nil {
            mapping["password_file"]?.report("give password or password_file, not both")
        }
        if apiKey != nil && apiKeyFile != nil {
            mapping["api_key_file"]?.report("give api_key or api_key_file, not both")
        }
        let secret = password ?? passwordFile
        let key = apiKey ?? apiKeyFile
        switch (username, secret, key) {
        case (nil, nil, nil):
            return nil
        case (let user?, let secret?, nil):
            return .basic(username: user, password: secret)
        case (nil, nil, let key?):
            return .apiKey(key)
        case (_, _, _?):
            (mapping["api_key"] ?? mapping["api_key_file"])?.report(
                "give username and password, or an api_key, not both"
            )
            return nil
        case (nil, _?, nil):
            (mapping["password"] ?? mapping["password_file"])?.report("a password needs a username")
            return nil
        case (_?, nil, nil):
            mapping["username"]?.report("a username needs a password or a password_file")
            return nil
        }
    }

    /// `action`, `fallback_index`, `document_id` (`source`, `none` or `%{[field]}`), `pipeline`,
    /// `data_stream: {type, dataset, namespace}` (instead of `index`).
    private static func routing(_ mapping: ConfigMapping, into configuration: inout ElasticsearchOutputConfiguration) {
        if let action = mapping["action"]?.choice(BulkAction.Kind.allCases.map(\.rawValue)) {
            configuration.action = BulkAction.Kind(rawValue: action) ?? .create
        }
        if let fallback = mapping["fallback_index"]?.string { configuration.fallbackIndex = fallback }
        if let pipeline = mapping["pipeline"]?.string, !pipeline.isEmpty { configuration.pipeline = pipeline }
        if let value = mapping["document_id"], let text = value.string {
            switch text {
            case "source": configuration.documentID = .source
            case "none": configuration.documentID = .none
            default:
                if text.hasPrefix("%{["), text.hasSuffix("]}"),
                    let path = try? IndexPattern(parsing: "x" + text).fieldPaths.first
                {
                    configuration.documentID = .field(path)
                } else {
                    value.report("expected source, none or a field reference such as %{[event_id]}, found '\(text)'")
                }
            }
        }
        if let stream = mapping["data_stream"] {
            if mapping["index"] != nil { stream.report("give index or data_stream, not both") }
            if let parts = stream.mapping {
                var dataStream = ElasticsearchOutputConfiguration.DataStream()
                if let type = parts["type"]?.string { dataStream.type = type }
                if let dataset = parts["dataset"]?.string { dataStream.dataset = dataset }
                if let namespace = parts["namespace"]?.string { dataStream.namespace = namespace }
                parts.finish()
                configuration.dataStream = dataStream
            }
        }
    }

    /// `tls:` of an output: `ca_file`, `certificate_file`, `key_file` (an empty value is no value,
    /// for `${ES_CA_FILE:-}`), `verify`, `verify_hostname`. The files are read here, so that
    /// `logship validate` reports one that is missing or is not PEM, naming its key.
    private static func clientTLS(_ mapping: ConfigMapping) -> ClientTLS {
        func path(_ key: String) -> String? {
            guard let value = mapping[key]?.string, !value.isEmpty else { return nil }
            return value
        }
        var tls = ClientTLS(
            caFile: path("ca_file"),
            certificateFile: path("certificate_file"),
            keyFile: path("key_file")
        )
        if let verify = mapping["verify"]?.bool { tls.verifyCertificate = verify }
        if let verify = mapping["verify_hostname"]?.bool { tls.verifyHostname = verify }
        mapping.finish()
        do {
            _ = try tls.configuration()
        } catch {
            let key = String(error.key.dropFirst("tls.".count))
            (mapping[key] ?? mapping.value).report(error.description)
        }
        return tls
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
