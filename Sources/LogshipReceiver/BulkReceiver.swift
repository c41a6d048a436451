package import Logging
package import LogshipOutputs
import Synchronization

/// An in-process, Elasticsearch-8-compatible `_bulk` endpoint for the demo, `logship bench`,
/// `logship receiver` and the tests.
///
/// Routes: `GET /` (and `HEAD /`) answers Elasticsearch's info JSON (version 8.15.0, "You Know,
/// for Search"); `POST`/`PUT` `/_bulk` and `/<index>/_bulk` take NDJSON
/// (`Content-Type: application/x-ndjson` or `application/json`, `Content-Encoding: gzip`
/// decoded) and answer per item as Elasticsearch does: `create` of an existing id 409
/// `version_conflict_engine_exception`, `index` 201 created or 200 updated, `delete` 200 or 404,
/// `update` 400 (not supported), a source that is not a JSON object 400
/// `document_parsing_exception`, a missing `_index` 400. A malformed action line fails the whole
/// request with 400 `illegal_argument_exception`; bad gzip 400 `parse_exception`; a body (or its
/// decompressed form) over `maximumContentBytes` 413. `filter_path` (for example
/// `errors,items.*.status,items.*.error`) keeps only the named keys of the answer, see
/// `ResponseFilter`. `GET /_logship/stats` shows documents per index and request counts as JSON.
///
/// Two modes:
/// - fast (the default; `demo`, `bench`): every action line is validated, each source line is
///   only checked to start with `{` and end with `}`, and only each document's id fingerprint
///   and version are kept. Cheap enough not to weigh on a benchmark sharing the machine.
/// - strict: every source line is validated as JSON, and one naming a key twice is refused
///   with 400 `document_parsing_exception` ("Duplicate field"), as Elasticsearch 8 does; the
///   documents, the creates per id and the items of each request are kept for inspection
///   (`documents(in:)`, `createCounts`, `RequestRecord.items`).
///
/// Tests script misbehaviour with `enqueue(_:)` (see `Fault`).
///
/// Memory: per stored document about 40 bytes (fast) or its id and source text (strict), until
/// the receiver is released; the request log keeps the last 10,000 requests.
package final class BulkReceiver: Sendable {
    private let server: HTTPServer
    private let backend: Backend
    private let serving = Mutex<Task<Void, Never>?>(nil)

    /// A receiver that is not listening yet; call `start()`.
    ///
    /// - Parameters:
    ///   - maximumContentBytes: the largest body accepted, compressed and decompressed alike
    ///     (default 100 MiB, Elasticsearch's `http.max_content_length`).
    ///   - strict: full validation of every source and stored documents (see above).
    ///   - accepted: when not empty, the `Authorization` header values accepted (`Basic …`,
    ///     `ApiKey …`, as `Credentials.authorization()` makes them); any other request, or one
    ///     without the header, is answered 401 `security_exception` as Elasticsearch does.
    ///   - tls: HTTPS with this certificate and key (Elasticsearch 8's default); `nil`: HTTP.
    package init(
        host: String = "127.0.0.1",
        port: Int = 0,
        maximumContentBytes: Int = 100 << 20,
        strict: Bool = false,
        accepted: Set<String> = [],
        tls: ServerTLS? = nil,
        logger: Logger
    ) {
        let backend = Backend(
            maximumContentBytes: maximumContentBytes,
            strict: strict,
            accepted: accepted,
            logger: logger
        )
        self.backend = backend
        self.server = HTTPServer(
            configuration: .init(
                address: ListenAddress(host: host, port: port),
                maximumBodyBytes: maximumContentBytes,
                tls: tls
            ),
            logger: logger
        ) { request in
            await backend.respond(to: request)
        }
    }

    /// Whether the receiver validates every source and keeps documents.
    package var isStrict: Bool { backend.strict }

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

    /// Adds `count` copies of `fault` (an outage: every request refused until `clearFaults()`).
    package func enqueue(_ fault: Fault, count: Int) {
        backend.store.withLock { $0.faults += Array(repeating: fault, count: count) }
    }

    /// Drops the faults not yet applied (the outage is over).
    package func clearFaults() {
        backend.store.withLock { $0.faults.removeAll() }
    }

    /// The faults not yet applied.
    package var pendingFaults: [Fault] { backend.store.withLock { $0.faults } }

    /// Strict mode: the documents of `index` in the order they were first stored (an overwrite
    /// keeps the place); empty for an unknown index, and always empty in fast mode.
    package func documents(in index: String) -> [(id: String, source: String)] {
        backend.store.withLock { store in
            let documents = store.indices[index].map { Array($0.documents.values) } ?? []
            return documents.sorted { $0.order < $1.order }.map { (id: $0.id, source: $0.source) }
        }
    }

    /// The number of documents in `index` (both modes); 0 for an unknown index.
    package func documentCount(in index: String) -> Int {
        backend.store.withLock { $0.indices[index]?.versions.count ?? 0 }
    }

    /// The names of the indices holding at least one document, sorted.
    package func indices() -> [String] {
        backend.store.withLock { store in store.indices.filter { $0.value.versions.count > 0 }.keys.sorted() }
    }

    /// The number of stored documents over all indices.
    package var documentCount: Int {
        backend.store.withLock { store in store.indices.values.reduce(0) { $0 + $1.versions.count } }
    }

    /// The bulk requests received so far (the last 10,000), oldest first; faulted ones included.
    /// A body over `maximumContentBytes` as sent is refused by the HTTP layer before it gets here
    /// and is not recorded (one over it only once decompressed is). Items are kept in strict mode
    /// only.
    package var requests: [RequestRecord] { backend.store.withLock { $0.requests } }

    /// The number of bulk requests received so far.
    package var requestCount: Int { backend.store.withLock { $0.requestCount } }

    /// Strict mode: for each document id, how many `create` actions for it reached an index
    /// (answered 201 or 409). Creates refused by an injected fault or a failed request are not
    /// counted, so a value above 1 means the id was sent again after Elasticsearch had it. Empty
    /// in fast mode.
    package var createCounts: [String: Int] { backend.store.withLock { $0.createCounts } }
}
