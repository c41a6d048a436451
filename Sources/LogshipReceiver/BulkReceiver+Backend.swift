import Logging
import LogshipOutputs
import NIOCore
import Synchronization

extension BulkReceiver {
    /// Answers requests: routing, fault injection, decoding and the store.
    final class Backend: Sendable {
        let store: Mutex<Store>
        let maximumContentBytes: Int
        /// Full validation and stored documents (see `BulkReceiver.init`).
        let strict: Bool
        /// Accepted `Authorization` values; empty: none needed.
        let accepted: Set<String>
        let logger: Logger

        /// A backend refusing (decompressed) bodies over `maximumContentBytes` with 413.
        init(maximumContentBytes: Int, strict: Bool, accepted: Set<String> = [], logger: Logger) {
            self.maximumContentBytes = maximumContentBytes
            self.strict = strict
            self.accepted = accepted
            self.store = Mutex(Store(strict: strict))
            self.logger = logger
        }

        /// Routes one request; see `BulkReceiver` for the routes and answers.
        func respond(to request: HTTPServerRequest) async -> HTTPServerResponse {
            if !accepted.isEmpty, !accepted.contains(request.header("authorization") ?? "") {
                // As Elasticsearch 8 with security on: 401 and a challenge.
                let reason =
                    request.header("authorization") == nil
                    ? "missing authentication credentials for REST request [\(request.path)]"
                    : "unable to authenticate user for REST request [\(request.path)]"
                let body = JSON.error(RequestError(status: 401, type: "security_exception", reason: reason))
                return HTTPServerResponse(
                    status: 401,
                    contentType: "application/json",
                    body: body,
                    headers: [
                        ("WWW-Authenticate", #"Basic realm="security", charset="UTF-8""#),
                        ("WWW-Authenticate", "ApiKey"),
                    ]
                )
            }
            let segments = request.path.split(separator: "/", omittingEmptySubsequences: true)
            switch (request.method, segments.count, segments.last) {
            case ("GET", 0, _), ("HEAD", 0, _):
                return json(200, JSON.info)
            case ("GET", 2, "stats") where segments[0] == "_logship":
                return json(200, stats())
            case ("POST", 1, "_bulk"), ("PUT", 1, "_bulk"):
                return await bulk(request, defaultIndex: nil)
            case ("POST", 2, "_bulk"), ("PUT", 2, "_bulk"):
                return await bulk(request, defaultIndex: String(segments[0]))
            default:
                let error = RequestError(
                    status: 404,
                    type: "resource_not_found_exception",
                    reason: "no handler found for uri [\(request.path)] and method [\(request.method)]"
                )
                return json(404, JSON.error(error))
            }
        }

        private func bulk(_ request: HTTPServerRequest, defaultIndex: String?) async -> HTTPServerResponse {
            let started = ContinuousClock.now
            let gzip = request.header("content-encoding")?.lowercased().contains("gzip") ?? false
            var record = RequestRecord(
                sequence: 0,
                path: request.path,
                gzip: gzip,
                bodyBytes: request.body.readableBytes,
                status: 0,
                items: [],
                fault: nil
            )
            let fault = store.withLock { $0.nextFault() }
            record.fault = fault
            switch fault {
            case .closeConnection:
                store.withLock { $0.record(record) }
                return .closeConnectionWithoutAnswer
            case .rejectRequest(let status):
                record.status = status
                store.withLock { $0.record(record) }
                return rejection(status)
            case .tooLarge(let limit) where request.body.readableBytes > limit:
                record.status = 413
                store.withLock { $0.record(record) }
                return rejection(413)
            case .delay(let delay):
                try? await Task.sleep(for: delay)
            case .failItems, .itemStatuses, .tooLarge, .resetAfterStoring, nil:
                break
            }
            var forced: [Int] = []
            switch fault {
            case .failItems(let count, let status): forced = Array(repeating: status, count: count)
            case .itemStatuses(let statuses): forced = statuses
            default: break
            }
            let filter = ResponseFilter(parsing: request.queryParameter("filter_path").map(Self.percentDecoded))
            let answer: Result<[UInt8], RequestError>
            do {
                try checkContentType(request)
                let body = try decode(request, gzip: gzip)
                answer = body.withUnsafeReadableBytes { raw in
                    let bytes = raw.assumingMemoryBound(to: UInt8.self)
                    return Result { () throws(RequestError) -> [UInt8] in
                        var parsed = try BulkReceiver.parse(bytes, defaultIndex: defaultIndex, strict: strict)
                        let results = apply(
                            &parsed,
                            body: bytes,
                            forced: forced,
                            record: &record
                        )
                        let took = started.duration(to: .now).components
                        var writer = BulkResponseWriter(filter: filter)
                        writer.write(
                            request: parsed,
                            results: results,
                            body: bytes,
                            tookMilliseconds: Int(took.seconds) * 1000
                                + Int(took.attoseconds / 1_000_000_000_000_000)
                        )
                        return writer.bytes
                    }
                }
            } catch {
                answer = .failure(error)
            }
            switch answer {
            case .success where fault == .resetAfterStoring:
                return .closeConnectionWithoutAnswer
            case .success(let bytes):
                return json(200, ByteBuffer(bytes: bytes))
            case .failure(let error):
                record.status = error.status
                store.withLock { $0.record(record) }
                return json(error.status, error.status == 413 ? "" : JSON.error(error))
            }
        }

        /// Applies the operations under the lock and records the request; returns the item results.
        private func apply(
            _ request: inout BulkRequest,
            body: UnsafeBufferPointer<UInt8>,
            forced: [Int],
            record: inout RequestRecord
        ) -> [ItemResult] {
            store.withLock { store in
                let results = store.apply(&request, body: body, forced: forced)
                record.status = 200
                record.itemCount = results.count
                if strict {
                    record.items = zip(request.operations, results).map { operation, result in
                        RequestRecord.Item(
                            action: operation.action.name,
                            index: request.indexName(operation),
                            id: request.idText(operation, body: body),
                            status: result.status
                        )
                    }
                }
                store.record(record)
                return results
            }
        }

        /// `%2A` as `*` and so on; malformed escapes are kept as they are.
        static func percentDecoded(_ text: String) -> String {
            guard text.contains("%") else { return text }
            var bytes: [UInt8] = []
            var utf8 = Array(text.utf8)[...]
            while let byte = utf8.popFirst() {
                if byte == UInt8(ascii: "%"), utf8.count >= 2,
                    let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16)
                {
                    bytes.append(value)
                    utf8 = utf8.dropFirst(2)
                } else {
                    bytes.append(byte)
                }
            }
            return String(decoding: bytes, as: UTF8.self)
        }

        private func decode(_ request: HTTPServerRequest, gzip: Bool) throws(RequestError) -> ByteBuffer {
            guard gzip else { return request.body }
            let failure: GzipDecompressor.Failure
            do {
                return try GzipDecompressor.decompress(request.body, maximumBytes: maximumContentBytes)
            } catch {
                failure = error
            }
            switch failure {
            case .tooLarge:
                throw RequestError(
                    status: 413,
                    type: "content_too_long_exception",
                    reason: "decompressed body larger than \(maximumContentBytes) bytes"
                )
            case .invalid(let reason):
                throw RequestError(
                    status: 400,
                    type: "parse_exception",
                    reason: "failed to decompress the gzip request body: \(reason)"
                )
            }
        }

        private func checkContentType(_ request: HTTPServerRequest) throws(RequestError) {
            let value = request.header("content-type") ?? ""
            let mediaType = value.split(separator: ";").first?.trimmingCharacters(in: " \t").lowercased() ?? ""
            let accepted = ["application/x-ndjson", "application/json", "application/vnd.elasticsearch+x-ndjson"]
            guard accepted.contains(mediaType) else {
                throw RequestError(
                    status: 406,
                    type: "media_type_header_exception",
                    reason: "Content-Type header [\(value)] is not supported"
                )
            }
        }

        private func rejection(_ status: Int) -> HTTPServerResponse {
            switch status {
            case 429:
                let reason =
                    "rejected execution of coordinating operation [coordinating_and_primary_bytes=0, "
                    + "replica_bytes=0, all_bytes=0, coordinating_operation_bytes=0, max_coordinating_and_primary_bytes=0]"
                return json(
                    429,
                    JSON.error(RequestError(status: 429, type: "es_rejected_execution_exception", reason: reason))
                )
            case 503:
                let reason = "blocked by: [SERVICE_UNAVAILABLE/1/state not recovered / initialized];"
                return json(503, JSON.error(RequestError(status: 503, type: "cluster_block_exception", reason: reason)))
            case 413:
                return json(413, "")
            default:
                return json(
                    status,
                    JSON.error(RequestError(status: status, type: "exception", reason: "injected fault"))
                )
            }
        }

        private func stats() -> String {
            store.withLock { store in
                let documents = store.indices.filter { $0.value.versions.count > 0 }.map {
                    (index: $0.key, count: $0.value.versions.count)
                }
                .sorted { $0.index < $1.index }
                var statuses: [Int: Int] = [:]
                for record in store.requests { statuses[record.status, default: 0] += 1 }
                return JSON.stats(
                    documents: documents,
                    requests: store.requestCount,
                    gzipRequests: store.requests.count { $0.gzip },
                    statuses: statuses.sorted { $0.key < $1.key }.map { ($0.key, $0.value) },
                    pendingFaults: store.faults.count,
                    strict: strict
                )
            }
        }

        private func json(_ status: Int, _ body: String) -> HTTPServerResponse {
            json(status, ByteBuffer(string: body))
        }

        private func json(_ status: Int, _ body: ByteBuffer) -> HTTPServerResponse {
            HTTPServerResponse(
                status: status,
                headers: [("Content-Type", "application/json"), ("X-elastic-product", "Elasticsearch")],
                body: body
            )
        }
    }
}

extension StringProtocol {
    fileprivate func trimmingCharacters(in set: String) -> Substring {
        let text = Substring(self)
        let start = text.firstIndex { !set.contains($0) } ?? text.endIndex
        let end = text.lastIndex { !set.contains($0) }.map { text.index(after: $0) } ?? start
        return text[start..<Swift.max(start, end)]
    }
}
