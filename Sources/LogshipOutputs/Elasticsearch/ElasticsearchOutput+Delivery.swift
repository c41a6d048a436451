import AsyncHTTPClient
import Logging
import LogshipCore
import NIOCore
import NIOHTTP1
import Synchronization

extension ElasticsearchOutput {
    /// A batch on its way: the request body is compressed once and reused by whole-batch retries.
    private struct WorkItem {
        var batch: Batch
        var attempt: Int
        var body: (buffer: ByteBuffer, compressed: Bool)?
    }

    /// Sends `batch` until every document is acknowledged or dead-lettered, retrying and splitting
    /// as `BulkOutcome` says. Returns early, leaving documents unacknowledged, when cancelled.
    func deliver(_ batch: Batch, client: HTTPClient) async {
        var work = [WorkItem(batch: batch, attempt: 0)]
        while var item = work.popLast() {
            if item.attempt > 0 {
                do { try await Task.sleep(for: retryPolicy.delay(attempt: item.attempt)) } catch { return }
            }
            if Task.isCancelled { return }
            if item.body == nil {
                guard let body = await makeBody(item.batch) else { return }
                item.body = body
            }
            guard let body = item.body else { return }
            let result = await post(
                body.buffer,
                compressed: body.compressed,
                uncompressedBytes: item.batch.bytes.count,
                documents: item.batch.count,
                client: client
            )
            // Cancelled by the shutdown timeout: not a failure worth counting or logging.
            if case .failure = result, Task.isCancelled { return }
            let outcome = BulkOutcome(result, documentCount: item.batch.count)
            record(result, outcome)
            switch outcome {
            case .items(let dispositions):
                var retry = dispositions.retry.map(\.index)
                var deadLettered: [Int] = []
                if !dispositions.deadLetter.isEmpty {
                    if writeDeadLetters(item.batch, dispositions.deadLetter) {
                        deadLettered = dispositions.deadLetter.map(\.index)
                    } else {
                        retry = (retry + dispositions.deadLetter.map(\.index)).sorted()
                    }
                }
                await complete(
                    item.batch,
                    acknowledged: dispositions.acknowledged,
                    conflicts: dispositions.conflicts.count,
                    deadLettered: deadLettered
                )
                if !retry.isEmpty {
                    noteRetry(documents: retry.count, attempt: item.attempt + 1, reason: "per-item 429/5xx")
                    work.append(WorkItem(batch: item.batch.subset(retry), attempt: item.attempt + 1))
                }
            case .retryAll(let reason):
                item.attempt += 1
                noteRetry(documents: item.batch.count, attempt: item.attempt, reason: reason)
                work.append(item)
            case .split(let error):
                logger.debug(
                    "bulk request rejected as a whole; splitting",
                    metadata: ["documents": "\(item.batch.count)", "error": "\(error)"]
                )
                let (first, second) = item.batch.split()
                work.append(WorkItem(batch: second, attempt: 0))
                work.append(WorkItem(batch: first, attempt: 0))
            case .deadLetterAll(let error):
                let all = Array(0..<item.batch.count)
                if writeDeadLetters(item.batch, all.map { ($0, error) }) {
                    await complete(item.batch, acknowledged: [], conflicts: 0, deadLettered: all)
                } else {
                    item.attempt += 1
                    noteRetry(documents: item.batch.count, attempt: item.attempt, reason: "dead-letter write failed")
                    work.append(item)
                }
            }
        }
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

    /// Sends one bulk request to the current host; moves to the next host when there is no response.
    private func post(
        _ body: ByteBuffer,
        compressed: Bool,
        uncompressedBytes: Int,
        documents: Int,
        client: HTTPClient
    ) async -> BulkAttemptResult {
        let url = state.withLock { state in
            state.statistics.inFlightRequests += 1
            state.statistics.bytesUncompressed += uncompressedBytes
            state.statistics.bytesCompressed += body.readableBytes
            state.statistics.requestDocuments.observe(Double(documents))
            return configuration.bulkURL(host: state.hostIndex % configuration.hosts.count)
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
        request.body = .bytes(body)
        do {
            let timeout = TimeAmount.nanoseconds(Int64(configuration.requestTimeout.seconds * 1e9))
            let response = try await client.execute(request, timeout: timeout, logger: logger)
            let bytes = try await response.body.collect(upTo: maximumResponseBytes)
            return .response(status: Int(response.status.code), body: Array(buffer: bytes))
        } catch {
            state.withLock { $0.hostIndex = ($0.hostIndex + 1) % configuration.hosts.count }
            return .failure("\(url): \(error)")
        }
    }

    /// Reports acknowledged and dead-lettered documents to `acknowledge` and releases them.
    private func complete(_ batch: Batch, acknowledged: [Int], conflicts: Int, deadLettered: [Int]) async {
        let indices = deadLettered.isEmpty ? acknowledged : (acknowledged + deadLettered).sorted()
        guard !indices.isEmpty else { return }
        let sources = indices.compactMap { batch.documents[$0].source }
        if !sources.isEmpty { await acknowledge(sources) }
        release(indices.count) { statistics in
            statistics.documentsAcknowledged += acknowledged.count
            statistics.documentsConflicted += conflicts
            statistics.documentsDeadLettered += deadLettered.count
        }
    }

    /// Writes rejected documents to the dead-letter file (or logs them when there is none);
    /// `false` when the file could not be written, so that they are retried.
    private func writeDeadLetters(_ batch: Batch, _ entries: [(index: Int, error: BulkError)]) -> Bool {
        let records = entries.map { entry in
            let document = batch.documents[entry.index]
            return DeadLetterRecord(
                error: entry.error,
                index: batch.indexName(at: entry.index),
                id: document.id,
                document: batch.documentJSON(at: entry.index)
            )
        }
        let suppressed = state.withLock { $0.deadLetterLog.admit(now: .now) }
        do {
            try deadLetterFile?.append(records)
        } catch {
            logger.error("cannot write the dead-letter file; retrying later", metadata: ["error": "\(error)"])
            state.withLock { $0.statistics.lastError = "\(error)" }
            return false
        }
        state.withLock { state in
            for entry in entries { state.statistics.deadLettered(1, type: entry.error.type) }
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

    /// Counts and logs (rate-limited) a retry.
    private func noteRetry(documents: Int, attempt: Int, reason: String) {
        let suppressed = state.withLock { state in
            state.statistics.documentsRetried += documents
            state.statistics.lastError = reason
            return state.retryLog.admit(now: .now)
        }
        guard let suppressed else { return }
        logger.warning(
            "bulk request failed; retrying with backoff",
            metadata: [
                "documents": "\(documents)", "attempt": "\(attempt)", "reason": "\(reason)",
                "suppressed": "\(suppressed)",
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
            if let first = dispositions.deadLetter.first { error = first.error.description }
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
            if let error { state.statistics.lastError = error }
        }
    }
}
