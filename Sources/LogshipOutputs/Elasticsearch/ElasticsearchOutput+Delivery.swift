import AsyncHTTPClient
import Logging
import LogshipCore
import NIOCore
import NIOHTTP1
import Synchronization

extension ElasticsearchOutput {
    /// Sends one request `DeliveryStateMachine` asked for and hands the answer back to it. A
    /// whole batch's body is compressed once and kept for its retries; a part of a batch (items
    /// to retry, a half after a 413) is copied out and compressed for the request.
    func deliver(_ request: DeliveryStateMachine.Request, client: HTTPClient) async {
        let (batch, cached) = state.withLock { state in
            (state.closed[request.batch], request.isWholeBatch ? state.compressed[request.batch] : nil)
        }
        guard let batch else { return }
        let payload = request.isWholeBatch ? batch : batch.subset(request.documents)
        let body: (buffer: ByteBuffer, compressed: Bool)
        if let cached {
            body = cached
        } else {
            guard let made = await makeBody(payload) else { return }
            body = made
            if request.isWholeBatch { state.withLock { $0.compressed[request.batch] = made } }
        }
        if Task.isCancelled { return }
        let result = await post(
            body.buffer,
            compressed: body.compressed,
            uncompressedBytes: payload.bytes.count,
            documents: payload.count,
            client: client
        )
        // Cancelled by the shutdown timeout: not a failure worth counting or logging.
        if case .failure = result, Task.isCancelled { return }
        let outcome = BulkOutcome(result, documentCount: payload.count)
        record(result, outcome)
        await perform(decide { $0.delivery.onResponse(request.id, outcome: outcome, now: .now) })
    }

    /// The request body: the NDJSON, gzip-compressed on the compression thread unless the level
    /// is 0 or compression fails (then it is sent as it is). `nil` when the task was cancelled
    /// while waiting for the thread.
    private func makeBody(_ batch: Batch) async -> (buffer: ByteBuffer, compressed: Bool)? {
        if let compressionThread {
            do {
                if let compressed = try await compressionThread.compress(batch.bytes) { return (compressed, true) }
                logger.warning("gzip compression failed; sending uncompressed")
            } catch is CancellationError {
                return nil
            } catch {
                logger.warning("gzip compression failed; sending uncompressed", metadata: ["error": "\(error)"])
            }
        }
        var buffer = ByteBufferAllocator().buffer(capacity: batch.bytes.count)
        buffer.writeBytes(batch.bytes)
        return (buffer, false)
    }

    /// Sends one bulk request to the host `HostPool` picks (round-robin over those up), and tells
    /// the pool whether the host answered.
    private func post(
        _ body: ByteBuffer,
        compressed: Bool,
        uncompressedBytes: Int,
        documents: Int,
        client: HTTPClient
    ) async -> BulkAttemptResult {
        let (host, url, authorization) = state.withLock { state in
            state.statistics.inFlightRequests += 1
            state.statistics.bytesUncompressed += uncompressedBytes
            state.statistics.bytesCompressed += body.readableBytes
            state.statistics.requestDocuments.observe(Double(documents))
            let host = state.hosts.pick(now: .now)
            return (host, configuration.bulkURL(host: host), state.authorization)
        }
        let started = ContinuousClock.now
        defer {
            let seconds = (ContinuousClock.now - started).seconds
            state.withLock { state in
                state.statistics.inFlightRequests -= 1
                state.statistics.requestSeconds.observe(seconds)
            }
        }
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-ndjson")
        if compressed { request.headers.add(name: "Content-Encoding", value: "gzip") }
        if let authorization { request.headers.add(name: "Authorization", value: authorization) }
        request.body = .bytes(body)
        do {
            let timeout = TimeAmount.nanoseconds(Int64(configuration.requestTimeout.seconds * 1e9))
            let response = try await client.execute(request, timeout: timeout, logger: logger)
            let bytes = try await response.body.collect(upTo: maximumResponseBytes)
            state.withLock { $0.hosts.answered(host) }
            if response.status.code == 401 { credentialsRefused(url: url) }
            return .response(status: Int(response.status.code), body: Array(buffer: bytes))
        } catch {
            // Cancelled by the shutdown deadline: not the host's fault.
            if !Task.isCancelled { state.withLock { $0.hosts.failed(host, now: .now) } }
            return .failure(TransportFailure.describe(error, url: url))
        }
    }

    /// Writes rejected documents to the dead-letter file (or logs them when there is none);
    /// `false` when the file could not be written, so that they are written again later.
    func writeDeadLetters(_ records: [DeadLetterRecord]) -> Bool {
        let suppressed = state.withLock { $0.deadLetterLog.admit(now: .now) }
        do {
            let dropped = try deadLetterFile?.append(records) ?? 0
            if dropped > 0 {
                state.withLock { $0.statistics.deadLetterRecordsDropped += dropped }
                logger.error(
                    "dead-letter files at their bound; the oldest was deleted with its records",
                    metadata: [
                        "records": "\(dropped)", "path": "\(configuration.deadLetterPath ?? "-")",
                        "max_dead_letter_files": "\(configuration.maximumDeadLetterFiles)",
                    ]
                )
            }
        } catch {
            logger.error("cannot write the dead-letter file; retrying later", metadata: ["error": "\(error)"])
            state.withLock { $0.statistics.lastError = "\(error)" }
            return false
        }
        if let suppressed, let first = records.first {
            logger.warning(
                deadLetterFile == nil
                    ? "Elasticsearch rejected documents; dropped (no dead_letter_path)"
                    : "Elasticsearch rejected documents; written to the dead-letter file",
                metadata: [
                    "documents": "\(records.count)", "error": "\(first.error)", "id": "\(first.id ?? "-")",
                    "suppressed": "\(suppressed)",
                ]
            )
        }
        return true
    }

    /// Elasticsearch refused the credentials: says so loudly (rate-limited; the documents are
    /// retried with backoff, nothing is dead-lettered for it) and reads secret files again, in
    /// case the password or key was rotated.
    private func credentialsRefused(url: String) {
        let (suppressed, header) = state.withLock { state -> (Int?, String?) in
            let suppressed = state.authLog.admit(now: .now)
            if let credentials = configuration.credentials, let header = try? credentials.authorization() {
                state.authorization = header
            }
            return (suppressed, state.authorization)
        }
        guard let suppressed else { return }
        logger.error(
            "Elasticsearch refused the credentials (401); retrying with backoff: check username and password, or api_key",
            metadata: [
                "host": "\(ElasticsearchOutputConfiguration.displayHost(url))",
                "credentials": "\(configuration.credentials.map { "\($0)" } ?? "none")",
                "sent": "\(header == nil ? "no Authorization header" : "an Authorization header")",
                "suppressed": "\(suppressed)",
            ]
        )
    }

    /// Logs a retry (rate-limited; each is counted in the statistics).
    func logRetry(_ retry: DeliveryStateMachine.Retry) {
        guard let suppressed = state.withLock({ $0.retryLog.admit(now: .now) }) else { return }
        logger.warning(
            "bulk request failed; retrying with backoff",
            metadata: [
                "documents": "\(retry.documents)", "attempt": "\(retry.attempt)", "reason": "\(retry.reason)",
                "delay": "\(retry.delay)", "suppressed": "\(suppressed)",
            ]
        )
    }

    /// Counts the request's outcome.
    private func record(_ result: BulkAttemptResult, _ outcome: BulkOutcome) {
        let label: BulkRequestOutcome
        var error: String?
        switch (result, outcome) {
        case (.failure, _):
            label = .transportError
        case (_, .items(let dispositions)):
            label = dispositions.retry.isEmpty && dispositions.deadLetter.isEmpty ? .success : .partial
            if let first = dispositions.deadLetter.first ?? dispositions.retry.first { error = first.error.description }
        case (.response(let status, _), .retryAll(let reason)):
            error = reason
            switch status {
            case 408, 429: label = .throttled
            case 500..<600: label = .serverError
            case 400..<500: label = .rejected
            default: label = .invalidResponse
            }
        case (.response(let status, _), .split(let bulkError)),
            (.response(let status, _), .deadLetterAll(let bulkError)):
            label = status == 413 ? .tooLarge : .rejected
            error = bulkError.description
        }
        state.withLock { state in
            state.statistics.bulkRequests[label, default: 0] += 1
            // A request that went through clears the last error: health follows the present.
            if let error {
                state.statistics.lastError = error
            } else if label == .success {
                state.statistics.lastError = nil
            }
        }
    }
}
