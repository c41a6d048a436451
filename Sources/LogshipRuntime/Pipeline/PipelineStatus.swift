package import LogshipOutputs
package import LogshipTail

/// A moment's figures of a running pipeline: for the status line, the shutdown summary and
/// logship's own metrics.
package struct PipelineStatus: Sendable {
    package var inputs: [FileInputStatistics]
    package var output: ElasticsearchOutputStatistics?
    package var runtime: RuntimeStatistics.Values
    package var pendingAcknowledgements: Int
    package var series: Int

    package var linesRead: UInt64 { inputs.reduce(0) { $0 + $1.linesRead } }
    package var bytesRead: UInt64 { inputs.reduce(0) { $0 + $1.bytesRead } }
    package var eventsRead: UInt64 { inputs.reduce(0) { $0 + $1.eventsEmitted } }
    package var filesOpen: Int { inputs.reduce(0) { $0 + $1.filesOpen } }

    /// One line: `lines 1,234 | events 1,100 | shipped 1,000 acked 990 dead-letter 0 | series 12`.
    package var line: String {
        var parts = ["files \(filesOpen)", "lines \(Self.grouped(linesRead))", "events \(Self.grouped(eventsRead))"]
        if let output {
            var shipped = "shipped \(Self.grouped(UInt64(output.eventsReceived)))"
            shipped += " acked \(Self.grouped(UInt64(output.documentsAcknowledged + output.documentsConflicted)))"
            if output.documentsDeadLettered > 0 { shipped += " dead-letter \(output.documentsDeadLettered)" }
            if output.documentsRetried > 0 { shipped += " retried \(output.documentsRetried)" }
            parts.append(shipped)
        }
        parts.append("pending \(Self.grouped(UInt64(pendingAcknowledgements)))")
        parts.append("series \(series)")
        if let error = output?.lastError { parts.append("last error: \(error)") }
        return parts.joined(separator: " | ")
    }

    /// The one-line JSON summary `logship run --once` prints when it is done:
    /// `{"lines":N,"bytes":N,"events":N,"acknowledged":N,"pending":N,"series":N}`. `acknowledged`
    /// counts events taken by Elasticsearch (or dead-lettered), or simply processed without an
    /// elasticsearch output; `pending` those still waiting, read again by the next run.
    package var summaryJSON: String {
        let pending = UInt64(pendingAcknowledgements)
        let acknowledged = eventsRead >= pending ? eventsRead - pending : 0
        return """
            {"lines":\(linesRead),"bytes":\(bytesRead),"events":\(eventsRead),\
            "acknowledged":\(acknowledged),"pending":\(pending),"series":\(series)}
            """
    }

    /// `1234567` as `1,234,567`.
    package static func grouped(_ value: UInt64) -> String {
        let digits = Array(String(value))
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { result.append(",") }
            result.append(digit)
        }
        return result
    }
}
