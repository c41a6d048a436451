import Foundation
import LogshipCore
import LogshipOutputs
import LogshipTail

/// `GET /status`: every input and output as JSON, for an operator at 3 a.m. and for probes that
/// should notice an output that cannot deliver (503) without restarting logship for it.
struct PipelineStatusReport: Encodable {
    struct Input: Encodable {
        var id: String
        /// `opening` until the first scan, then `open`.
        var state: String
        var filesOpen: Int
        var filesQueued: Int
        var bytesBehind: Int
        var linesRead: UInt64
    }

    struct Host: Encodable {
        /// Scheme, host and port only: credentials in a URL are never shown.
        var url: String
        var up: Bool
        var failures: Int
    }

    struct Output: Encodable {
        var id: String
        /// `delivering`, `retrying` (documents failing for up to `failingAfter`), `failing`
        /// (for longer: `/status` answers 503) or `stopped`.
        var state: String
        var bufferedEvents: Int
        var inFlightRequests: Int
        var paused: Bool
        var retryingForSeconds: Double?
        var secondsSinceLastAcknowledgement: Double?
        var lastError: String?
        var hosts: [Host]
    }

    var status: String
    var pendingAcknowledgements: Int
    var inputs: [Input]
    var outputs: [Output]

    /// How long documents may fail before the output counts as failing.
    static let failingAfter: Duration = .seconds(10)
}

extension SelfMetrics {
    /// `/status`: whether every output delivers, and the JSON (keys sorted, snake case).
    func status(now: ContinuousClock.Instant = .now) -> (delivering: Bool, json: String) {
        var report = PipelineStatusReport(
            status: "ok",
            pendingAcknowledgements: ledger.pendingCount,
            inputs: [],
            outputs: []
        )
        report.inputs = inputs.map { input in
            let statistics = input.statistics
            return .init(
                id: input.configuration.id,
                state: input.isOpen ? "open" : "opening",
                filesOpen: statistics.filesOpen,
                filesQueued: statistics.filesQueued,
                bytesBehind: Int(statistics.bytesBehind),
                linesRead: statistics.linesRead
            )
        }
        var delivering = true
        if let output {
            let statistics = output.statistics
            let failing = statistics.failingSince.map { now - $0 }
            let state: String
            if output.isStopped {
                state = "stopped"
            } else if let failing, failing > PipelineStatusReport.failingAfter {
                state = "failing"
                delivering = false
            } else if failing != nil {
                state = "retrying"
            } else {
                state = "delivering"
            }
            report.outputs.append(
                .init(
                    id: output.configuration.id,
                    state: state,
                    bufferedEvents: statistics.bufferedEvents,
                    inFlightRequests: statistics.inFlightRequests,
                    paused: statistics.suspendedSenders > 0,
                    retryingForSeconds: failing?.seconds,
                    secondsSinceLastAcknowledgement: statistics.lastAcknowledgedAt.map { (now - $0).seconds },
                    lastError: statistics.lastError,
                    hosts: statistics.hosts.map {
                        .init(
                            url: ElasticsearchOutputConfiguration.displayHost($0.url),
                            up: $0.isAvailable(at: now),
                            failures: $0.failures
                        )
                    }
                )
            )
        }
        if !delivering { report.status = "failing" }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        let json = (try? encoder.encode(report)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return (delivering, json + "\n")
    }
}
