import Foundation
import NIOSSL

import struct Foundation.URL
import struct Foundation.URLComponents

/// Settings of the Elasticsearch output. Every bound has a default; `validate()` checks them
/// without doing any I/O.
///
/// Batches close by bytes: `maximumBatchBytes` (2 MiB) closes a batch before `maximumBatchEvents`
/// (50,000) for events of more than about 42 encoded bytes, which is every realistic log line
/// (Aetherra events encode to about 600 with their action lines, some 3,500 to a batch).
///
/// Memory budget (the whole process should stay under 64 MiB): the output holds at most the open
/// batch, `maximumInFlightRequests` closed batches, one more closed by age meanwhile and one
/// delivered body kept empty for the next batch (5 × 2 MiB at the defaults), about 100 bytes of
/// layout per document (0.35 MiB a batch), each in-flight batch's gzip form (a twelfth of it) and
/// the compressor's scratch (resident only as far as it is written): about 12 MiB at most. In `.ci/bench` (1M lines) the rest of the process peaks at
/// about 56 MiB (measured with 256 KiB batches), and the whole at 59 MiB with 2 MiB batches,
/// 65-66 MiB with 4 MiB and more with 8 MiB. Larger batches hardly compress better: gzip's
/// window is 32 KiB, and igzip's ratio on Aetherra bodies was 11.81 at 1 MiB, 11.86 at 2 MiB,
/// 11.89 at 4 MiB, 11.90 at 8 MiB.
package struct ElasticsearchOutputConfiguration: Sendable, Equatable {
    /// The component id, used in errors, logs and metrics.
    package var id: String
    /// Base URLs such as `http://localhost:9200` (http or https, optionally with a path prefix);
    /// requests go to `<host>/_bulk`. After a connection error the next host is used.
    package var hosts: [String]
    /// Index name pattern, see `IndexPattern`.
    package var index: String
    /// Documents per bulk request (50,000; large enough that bytes close the batch).
    package var maximumBatchEvents: Int
    /// Uncompressed NDJSON bytes per bulk request (2 MiB; a single larger document is sent alone).
    /// gzip's window is 32 KiB, so the ratio hardly changes above 1 MiB; what large batches save
    /// is per-request work on both sides, and what they cost is memory (see the type).
    package var maximumBatchBytes: Int
    /// How long the first event of a batch waits for more before the batch is sent.
    package var maximumBatchAge: Duration
    /// gzip level 1-9 (1, the fastest, by default); 0 sends the body uncompressed. ISA-L's igzip
    /// compresses, on a thread of its own (`CompressionThread`); it has three levels, and 1 maps to
    /// its 1, 2-3 to its 2, 4-9 to its 3 (see `GzipCompressor`).
    package var compressionLevel: Int
    /// Bulk requests sent concurrently (each one retries on its own), 2. Also the number of closed
    /// batches `send` lets wait for delivery before it suspends (see `ElasticsearchOutput`): with
    /// 2, reading fills and compresses the next batch while one request is in flight; with 1 it
    /// waits for every response. In `.ci/bench` on two cores 2 was the fastest (1 took 1.3-1.5
    /// times as long, 3 about 1.05 times) and 3 held 3-7 MiB more.
    package var maximumInFlightRequests: Int
    /// Events accepted but not yet acknowledged (batching, in flight, waiting to retry) beyond which
    /// `send` suspends: the backpressure bound by count (100,000, two batches closed by count).
    /// Bytes are bounded by `maximumBufferedBytes`.
    package var maximumBufferedEvents: Int
    /// Uncompressed body bytes held (the open batch and the closed ones not yet acknowledged)
    /// beyond which `send` suspends: the output's part of the memory budget (16 MiB; at the
    /// defaults `maximumInFlightRequests` closed batches of 2 MiB bind first, so this bounds
    /// larger `max_batch_bytes` and more requests in flight). At least `maximumBatchBytes`.
    package var maximumBufferedBytes = 16 << 20
    /// The cap of the first retry delay.
    package var initialBackoff: Duration
    /// The largest retry delay.
    package var maximumBackoff: Duration
    /// Deadline of one bulk request, response included.
    package var requestTimeout: Duration
    /// How long a graceful shutdown waits for outstanding batches to be acknowledged.
    package var shutdownTimeout: Duration
    /// Retries of a document Elasticsearch answered 429, 5xx, 403 or 404 for, after which it is
    /// dead-lettered instead; `nil` (the default): retried until it lands, holding its checkpoint.
    package var itemRetryLimit: Int? = nil
    /// Where rejected documents are written; `nil` logs and drops them (they are still counted).
    package var deadLetterPath: String?
    /// Size at which the dead-letter file is rotated to `<path>.1`.
    package var maximumDeadLetterBytes: Int
    /// How requests authenticate (basic auth or an API key); `nil`: they do not. Printed as
    /// `<redacted>` wherever the configuration is.
    package var credentials: Credentials? = nil
    /// Rotated dead-letter files kept (`<path>.1` … `<path>.N`); the records of an older one are
    /// counted and logged when it is deleted.
    package var maximumDeadLetterFiles = 5
    /// The disk buffer's directory; `nil` (the default): no disk buffer (see `DiskBuffer`).
    package var diskBufferPath: String? = nil
    /// The disk buffer's bound.
    package var maximumDiskBufferBytes = 1 << 30
    /// TLS for `https://` hosts: verification on, the system's CAs, no client certificate by
    /// default (see `ClientTLS`).
    package var tls = ClientTLS()
    /// `create` (the default) or `index` (see `BulkAction`).
    package var action = BulkAction.Kind.create
    /// Where an event goes whose index name cannot be made from `index` (no field references).
    package var fallbackIndex = BulkAction.defaultFallback
    /// Where each document's `_id` comes from (see `BulkAction`).
    package var documentID = BulkAction.DocumentID.source
    /// An ingest pipeline every document goes through (`?pipeline=`); `nil`: the index's default.
    package var pipeline: String? = nil
    /// Write to a data stream `<type>-<dataset>-<namespace>` instead of `index` (`create` only;
    /// Elasticsearch rolls it over, so it has no date).
    package var dataStream: DataStream? = nil

    /// A data stream's name parts (Elasticsearch's naming scheme: `logs-aetherra-default`).
    package struct DataStream: Sendable, Equatable {
        package var type: String
        package var dataset: String
        package var namespace: String

        package init(type: String = "logs", dataset: String = "generic", namespace: String = "default") {
            self.type = type
            self.dataset = dataset
            self.namespace = namespace
        }

        /// The name, as an index pattern (the parts may hold field references).
        package var name: String { "\(type)-\(dataset)-\(namespace)" }
    }

    package init(
        id: String,
        hosts: [String],
        index: String = "logship-%{+yyyy.MM.dd}",
        maximumBatchEvents: Int = 50_000,
        maximumBatchBytes: Int = 2 << 20,
        maximumBatchAge: Duration = .seconds(1),
        compressionLevel: Int = 1,
        maximumInFlightRequests: Int = 2,
        maximumBufferedEvents: Int = 100_000,
        initialBackoff: Duration = .milliseconds(100),
        maximumBackoff: Duration = .seconds(30),
        requestTimeout: Duration = .seconds(30),
        shutdownTimeout: Duration = .seconds(10),
        deadLetterPath: String? = nil,
        maximumDeadLetterBytes: Int = 100 << 20
    ) {
        self.id = id
        self.hosts = hosts
        self.index = index
        self.maximumBatchEvents = maximumBatchEvents
        self.maximumBatchBytes = maximumBatchBytes
        self.maximumBatchAge = maximumBatchAge
        self.compressionLevel = compressionLevel
        self.maximumInFlightRequests = maximumInFlightRequests
        self.maximumBufferedEvents = maximumBufferedEvents
        self.initialBackoff = initialBackoff
        self.maximumBackoff = maximumBackoff
        self.requestTimeout = requestTimeout
        self.shutdownTimeout = shutdownTimeout
        self.deadLetterPath = deadLetterPath
        self.maximumDeadLetterBytes = maximumDeadLetterBytes
    }

    /// Checks every setting; the error names the key (`hosts[1]`, `index`, …) and the problem.
    package func validate() throws(ElasticsearchOutputError) {
        func fail(_ key: String, _ reason: String) -> ElasticsearchOutputError {
            .invalidConfiguration(outputID: id, key: key, reason: reason)
        }
        guard !hosts.isEmpty else { throw fail("hosts", "at least one host is required") }
        for (position, host) in hosts.enumerated() {
            guard let url = URL(string: host), let scheme = url.scheme?.lowercased(),
                scheme == "http" || scheme == "https", let name = url.host, !name.isEmpty
            else { throw fail("hosts[\(position)]", "'\(host)' is not an http(s) URL such as http://localhost:9200") }
            guard url.query == nil, url.fragment == nil else {
                throw fail("hosts[\(position)]", "'\(host)' must not have a query or fragment")
            }
        }
        _ = try bulkAction()
        if let pipeline, pipeline.isEmpty || pipeline.contains(where: { $0.isWhitespace || $0 == "&" || $0 == "#" }) {
            throw fail("pipeline", "'\(pipeline)' is not an ingest pipeline name")
        }
        guard maximumBatchEvents >= 1 else { throw fail("max_batch_events", "must be at least 1") }
        guard maximumBatchBytes >= 1024 else { throw fail("max_batch_bytes", "must be at least 1KiB") }
        guard maximumBatchAge > .zero else { throw fail("max_batch_age", "must be positive") }
        guard (0...9).contains(compressionLevel) else { throw fail("compression_level", "must be 0 through 9") }
        guard maximumInFlightRequests >= 1 else { throw fail("max_in_flight_requests", "must be at least 1") }
        guard maximumBufferedEvents >= 1 else { throw fail("max_buffered_events", "must be at least 1") }
        guard maximumBufferedBytes >= maximumBatchBytes else {
            throw fail("max_buffered_bytes", "must be at least max_batch_bytes (\(maximumBatchBytes) bytes)")
        }
        guard initialBackoff > .zero else { throw fail("initial_backoff", "must be positive") }
        guard maximumBackoff >= initialBackoff else {
            throw fail("max_backoff", "must not be less than initial_backoff")
        }
        guard requestTimeout > .zero else { throw fail("request_timeout", "must be positive") }
        guard shutdownTimeout >= .zero else { throw fail("shutdown_timeout", "must not be negative") }
        if let itemRetryLimit, itemRetryLimit < 0 { throw fail("item_retry_limit", "must not be negative") }
        if let deadLetterPath, deadLetterPath.isEmpty { throw fail("dead_letter_path", "must not be empty") }
        guard maximumDeadLetterBytes >= 1024 else { throw fail("max_dead_letter_bytes", "must be at least 1KiB") }
        guard maximumDeadLetterFiles >= 1 else { throw fail("max_dead_letter_files", "must be at least 1") }
        if diskBufferPath != nil, maximumDiskBufferBytes < maximumBatchBytes {
            throw fail("disk_buffer_max_bytes", "must be at least max_batch_bytes (\(maximumBatchBytes) bytes)")
        }
    }

    /// How documents are written: the action, the index or data stream and its fallback, the
    /// `_id`. Throws naming the key (`index`, `data_stream.dataset`, `fallback_index`, `action`).
    package func bulkAction() throws(ElasticsearchOutputError) -> BulkAction {
        func fail(_ key: String, _ reason: String) -> ElasticsearchOutputError {
            .invalidConfiguration(outputID: id, key: key, reason: reason)
        }
        func pattern(_ text: String, key: String) throws(ElasticsearchOutputError) -> IndexPattern {
            do {
                return try IndexPattern(parsing: text)
            } catch {
                throw fail(key, error.description)
            }
        }
        let fallback = try pattern(fallbackIndex, key: "fallback_index")
        if fallback.hasFields {
            throw fail("fallback_index", "must not refer to fields: it is where events go that lack them")
        }
        guard let dataStream else {
            return BulkAction(
                kind: action,
                index: try pattern(index, key: "index"),
                fallback: fallback,
                documentID: documentID
            )
        }
        guard action == .create else { throw fail("action", "data streams take only create") }
        for (key, part) in [
            ("type", dataStream.type), ("dataset", dataStream.dataset), ("namespace", dataStream.namespace),
        ] {
            let parsed = try pattern(part, key: "data_stream.\(key)")
            if parsed.usesDate {
                throw fail("data_stream.\(key)", "a data stream has no date: Elasticsearch rolls it over")
            }
            if part.contains("-") {
                throw fail("data_stream.\(key)", "'\(part)' must not contain '-' (it separates the parts)")
            }
            if part.utf8.count > 100 { throw fail("data_stream.\(key)", "at most 100 bytes") }
        }
        return BulkAction(
            kind: .create,
            index: try pattern(dataStream.name, key: "data_stream"),
            fallback: fallback,
            documentID: documentID
        )
    }

    /// Whether any host is `https://` (TLS settings matter only then).
    package var usesTLS: Bool {
        hosts.contains { $0.lowercased().hasPrefix("https://") }
    }

    /// The `_bulk` URL of `hosts[position]`, without a doubled slash, asking Elasticsearch to
    /// answer only `errors` and each item's `status` and `error` (`BulkResponse` reads the
    /// unfiltered form as well, for endpoints that ignore `filter_path`).
    package func bulkURL(host position: Int) -> String {
        var base = hosts[position]
        while base.hasSuffix("/") { base.removeLast() }
        var url = base + "/_bulk?" + Self.bulkQuery
        if let pipeline {
            url += "&pipeline=" + (pipeline.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? pipeline)
        }
        return url
    }

    /// `http://user:secret@host:9200/path` → `http://host:9200`: a host as logs, errors and
    /// `/status` show it, without credentials a URL may carry.
    package static func displayHost(_ url: String) -> String {
        guard let components = URLComponents(string: url), let host = components.host else { return "?" }
        let port = components.port.map { ":\($0)" } ?? ""
        return "\(components.scheme ?? "http")://\(host)\(port)"
    }

    /// The query of every `_bulk` request.
    package static let bulkQuery = "filter_path=errors,items.*.status,items.*.error"
}
