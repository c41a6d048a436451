import Foundation
package import Logging
package import LogshipCore
package import LogshipOutputs
import ServiceLifecycle

/// `logship replay-dead-letters`: sends the documents of dead-letter files to Elasticsearch again,
/// once the cause is fixed (a mapping corrected, an index created). Each record's document goes to
/// its index with `create` and its `_id`, so a document already there is answered 409 and taken,
/// and a replay run twice stores nothing twice. Documents rejected again go to `<file>.rejected`
/// (the replay does not write into the files it reads).
package enum DeadLetterReplay {
    /// What a replay did.
    package struct Summary: Encodable, Sendable, Equatable {
        package var records = 0
        package var acknowledged = 0
        package var conflicts = 0
        package var rejectedAgain = 0
        /// Sent but not answered before the deadline (Elasticsearch unreachable).
        package var notDelivered = 0
        /// Lines that are not dead-letter records, as `file:line: reason`.
        package var malformed: [String] = []
        package var rejectedFile: String?

        /// Whether every record landed.
        package var succeeded: Bool { malformed.isEmpty && rejectedAgain == 0 && notDelivered == 0 }
    }

    /// The records of `text` (a dead-letter file) as one bulk body, and the lines that are not
    /// records, named `file:line`.
    package static func batch(from text: [UInt8], file: String) -> (batch: Batch, malformed: [String]) {
        var bytes: [UInt8] = []
        var documents: [BulkDocument] = []
        var malformed: [String] = []
        var lineNumber = 0
        var start = 0
        while start < text.count {
            lineNumber += 1
            let end = text[start...].firstIndex(of: 0x0A) ?? text.count
            defer { start = end + 1 }
            let line = Array(text[start..<end])
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) { continue }
            switch record(line) {
            case .success(let record):
                let first = bytes.count
                bytes.append(contentsOf: #"{"create":{"_index":"#.utf8)
                JSONText.appendString(record.index, to: &bytes)
                if let id = record.id {
                    bytes.append(contentsOf: #","_id":"#.utf8)
                    JSONText.appendString(id, to: &bytes)
                }
                bytes.append(contentsOf: "}}\n".utf8)
                let sourceStart = bytes.count
                bytes.append(contentsOf: record.document)
                bytes.append(0x0A)
                documents.append(BulkDocument(range: first..<bytes.count, sourceStart: sourceStart, source: nil))
            case .failure(let reason):
                malformed.append("\(file):\(lineNumber): \(reason.text)")
            }
        }
        return (Batch(bytes: bytes, documents: documents), malformed)
    }

    private struct Reason: Error {
        var text: String
    }

    /// The index, id and document (its JSON as written) of one record line.
    private static func record(_ line: [UInt8]) -> Result<(index: String, id: String?, document: [UInt8]), Reason> {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else {
            return .failure(Reason(text: "not a JSON object"))
        }
        guard let index = object["index"] as? String, !index.isEmpty else {
            return .failure(Reason(text: "no \"index\""))
        }
        guard object["document"] is [String: Any] else { return .failure(Reason(text: "no \"document\" object")) }
        // The document's own bytes, not a re-serialisation: numbers and key order as sent.
        let document = line.withUnsafeBufferPointer { bytes in
            Array("document".utf8).withUnsafeBufferPointer { key in
                JSONScanner.member(named: key, inObject: bytes).map { Array(bytes[$0.value]) }
            }
        }
        guard let document else { return .failure(Reason(text: "no \"document\" object")) }
        return .success((index, object["id"] as? String, document))
    }

    /// Sends the records of `files` with `configuration` (the pipeline's output); waits up to
    /// `timeout` for every answer.
    package static func run(
        files: [String],
        configuration: ElasticsearchOutputConfiguration,
        timeout: Duration,
        logger: Logger
    ) async throws -> Summary {
        var summary = Summary()
        var batches: [Batch] = []
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ReplayError.unreadable(file)
            }
            let (batch, malformed) = batch(from: Array(data), file: file)
            summary.records += batch.count
            summary.malformed += malformed
            if !batch.isEmpty { batches.append(batch) }
        }
        guard summary.records > 0 else { return summary }
        var configuration = configuration
        let rejected = (files.first ?? "dead-letter.ndjson") + ".rejected"
        configuration.deadLetterPath = rejected
        configuration.shutdownTimeout = timeout
        let output = ElasticsearchOutput(configuration: configuration, acknowledge: { _ in }, logger: logger)
        let group = ServiceGroup(services: [output], logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            for batch in batches { await output.send(encoded: batch) }
            // The output flushes and waits up to `timeout` for every answer.
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        let statistics = output.statistics
        summary.acknowledged = statistics.documentsAcknowledged
        summary.conflicts = statistics.documentsConflicted
        summary.rejectedAgain = statistics.documentsDeadLettered
        summary.notDelivered = statistics.bufferedEvents
        if summary.rejectedAgain > 0 { summary.rejectedFile = rejected }
        return summary
    }

    package enum ReplayError: Error, CustomStringConvertible {
        case unreadable(String)
        case noOutput(String)

        package var description: String {
            switch self {
            case .unreadable(let file): "\(file): cannot read the file"
            case .noOutput(let config): "\(config): the pipeline has no elasticsearch output to replay to"
            }
        }
    }
}
