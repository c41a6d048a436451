package import Logging
import Synchronization

/// An in-process, Elasticsearch-8-compatible `_bulk` endpoint for the demo and the tests.
///
/// Routes: `GET /` (and `HEAD /`) answers Elasticsearch's info JSON (version 8.15.0, "You Know,
/// for Search"); `POST`/`PUT` `/_bulk` and `/<index>/_bulk` take NDJSON
/// (`Content-Type: application/x-ndjson` or `application/json`, `Content-Encoding: gzip`
/// decoded) and answer per item as Elasticsearch does: `create` of an existing id 409
/// `version_conflict_engine_exception`, `index` 201 created or 200 updated, `delete` 200 or 404,
/// `update` 400 (not supported), a source that is not a JSON object 400
/// `document_parsing_exception`, a missing `_index` 400. A malformed action line fails the whole
/// request with 400 `illegal_argument_exception`; bad gzip 400 `parse_exception`; a body (or its
/// decompressed form) over `maximumContentBytes` 413. `GET /_logship/stats` shows documents per
/// index and request counts as JSON.
///
/// Tests script misbehaviour with `enqueue(_:)` (see `Fault`) and inspect `documents(in:)`,
/// `requests` and `createCounts`.
///
/// Memory: every stored document is kept until the receiver is released; the request log keeps
/// the last 10,000 requests.
package final class BulkReceiver: Sendable {
    private let server: HTTPServer
    private let backend: Backend
    private let serving = Mutex<Task<Void, Never>?>(nil)

    /// A receiver that is not listening yet; call `start()`.
    ///
    /// - Parameters:
    ///   - maximumContentBytes: the largest body accepted, compressed and decompressed alike
    ///     (default 100 MiB, Elasticsearch's `http.max_content_length`).
    package init(host: String = "127.0.0.1", port: Int = 0, maximumContentBytes: Int = 100 << 20, logger: Logger) {
        let backend = Backend(maximumContentBytes: maximumContentBytes, logger: logger)
        self.backend = backend
        self.server = HTTPServer(
            configuration: .init(address: ListenAddress(host: host, port: port), maximumBodyBytes: maximumContentBytes),
            logger: logger
        ) { request in
            await backend.respond(to: request)
        }
    }

    /// Binds and starts serving in the background; returns the bound port.
    ///
    /// - Throws: `HTTPServerError.cannotListen` naming the address and the reason.
    package func start() async throws(HTTPServerError) -> Int {
        let port = try await server.start()
        let server = self.server
        serving.withLock { $0 = Task { await server.run() } }
        return port
    }

    /// Stops listening, answers requests in progress, closes all connections and returns once
    /// serving has ended.
    package func shutdown() async {
        server.shutdown()
        let task = serving.withLock { $0 }
        await task?.value
    }

    /// Adds faults to apply to the next bulk requests, one per request, in order.
    package func enqueue(_ faults: Fault...) {
        backend.store.withLock { $0.faults += faults }
    }

    /// The faults not yet applied.
    package var pendingFaults: [Fault] { backend.store.withLock { $0.faults } }

    /// The documents of `index` in the order they were first stored (an overwrite keeps the
    /// place); empty for an unknown index.
    package func documents(in index: String) -> [(id: String, source: String)] {
        backend.store.withLock { store in
            (store.indices[index] ?? [:]).sorted { $0.value.order < $1.value.order }.map {
                (id: $0.key, source: $0.value.source)
            }
        }
    }

    /// The names of the indices holding at least one document, sorted.
    package func indices() -> [String] {
        backend.store.withLock { store in store.indices.filter { !$0.value.isEmpty }.keys.sorted() }
    }

    /// The number of stored documents over all indices.
    package var documentCount: Int {
        backend.store.withLock { store in store.indices.values.reduce(0) { $0 + $1.count } }
    }

    /// The bulk requests received so far (the last 10,000), oldest first; faulted ones included.
    /// A body over `maximumContentBytes` as sent is refused by the HTTP layer before it gets here
    /// and is not recorded (one over it only once decompressed is).
    package var requests: [RequestRecord] { backend.store.withLock { $0.requests } }

    /// The number of bulk requests received so far.
    package var requestCount: Int { backend.store.withLock { $0.requestCount } }

    /// For each document id, how many `create` actions for it reached an index (answered 201 or
    /// 409). Creates refused by an injected fault or a failed request are not counted, so a value
    /// above 1 means the id was sent again after Elasticsearch had it.
    package var createCounts: [String: Int] { backend.store.withLock { $0.createCounts } }
}
