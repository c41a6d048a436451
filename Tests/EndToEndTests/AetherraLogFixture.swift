import Foundation
import LogshipRuntime

/// Aetherra logs written to a temp directory by the same generator the demo uses, stamped on
/// 2025-11-01 (UTC) so the daily index is known, with the totals a test compares against.
struct AetherraLogFixture {
    /// 2025-11-01T12:00:00Z.
    static let day = Date(timeIntervalSince1970: 1_761_998_400)
    static let index = "aetherra-logs-2025.11.01"

    var generator = AetherraLogGenerator(seed: 11)
    var eventsWritten = 0
    var linesWritten = 0
    let path: String

    /// - Parameters:
    ///   - seed: the generator's seed: fixtures of other seeds start with other lines.
    ///   - create: whether to create (empty) the file; `false` appends to the file that is there.
    init(directory: String, name: String = "aetherra_hub.log", seed: UInt64 = 11, create: Bool = true) {
        path = "\(directory)/\(name)"
        generator = AetherraLogGenerator(seed: seed)
        if create { FileManager.default.createFile(atPath: path, contents: nil) }
    }

    /// Appends `events` events, each one millisecond after the previous.
    mutating func append(events: Int) throws {
        let text = self.text(events: events)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
    }

    /// The next `events` events as text, counted as written (the caller writes them).
    mutating func text(events: Int) -> String {
        var text = ""
        for _ in 0..<events {
            generator.appendEvent(at: Self.day.addingTimeInterval(Double(eventsWritten) / 1000), to: &text)
            eventsWritten += 1
        }
        linesWritten += text.utf8.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
        return text
    }

    var totals: AetherraLogGenerator.Totals { generator.totals }

    /// What `appendContractLines()` wrote: the contract's metric kinds the generator does not
    /// write (a gauge, a summary, a counter of another metric, a state set).
    struct ContractTotals {
        var rounds = 0
        var lastConnections = 0
        var responses = 0
        var responseSum = 0.0
        var memoryStores = 0
        var homeostasis = ""
    }

    private(set) var contract = ContractTotals()

    /// Appends one round of lines of the contract's other kinds: `active_connections` (a gauge:
    /// the round's number, so the last value is known), two `response_time` observations, a
    /// `memory_event` of type `store`, and a `homeostasis_status` that alternates.
    mutating func appendContractLines() throws {
        contract.rounds += 1
        let round = contract.rounds
        let stamp = AetherraLogGenerator.loggingStamp(Self.day.addingTimeInterval(Double(eventsWritten) / 1000))
        func line(_ logger: String, _ metric: String, _ value: String, _ labels: String = "") -> String {
            "\(stamp) - \(logger) - INFO - {\"service\": \"\(logger)\", \"metric\": \"\(metric)\", \"value\": \(value), "
                + "\"labels\": {\(labels)}, \"type\": \"metric\"}\n"
        }
        let status = round.isMultiple(of: 2) ? "degraded" : "active"
        let responses = [0.25, Double(round % 7) / 8]
        let text =
            line("aetherra_hub", "active_connections", String(round))
            + responses.map { line("aetherra_hub", "response_time", String($0)) }.joined()
            + line("aetherra_memory", "memory_event", "1", "\"type\": \"store\"")
            + line("homeostasis", "homeostasis_status", "1", "\"status\": \"\(status)\"")
        contract.lastConnections = round
        contract.responses += responses.count
        contract.responseSum += responses.reduce(0, +)
        contract.memoryStores += 1
        contract.homeostasis = status
        eventsWritten += 5
        linesWritten += 5
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
    }

    /// What `/metrics` must say about what was written, exactly: every counter, the histogram's
    /// counts, the gauges' last values. Returns a description of each sample that differs.
    func mismatches(in samples: [String: Double]) -> [String] {
        var expected: [String: Double] = [:]
        var errors: [String: Double] = [:]
        for (key, count) in totals.requests {
            let parts = key.split(separator: " ")
            let labels = "method=\"\(parts[0])\",endpoint=\"\(parts[1])\",status=\"\(parts[2])\""
            expected["aetherra_api_requests_total{\(labels)}"] = Double(count)
            if parts[2] == "500" { errors["aetherra_api_errors_total{\(labels)}"] = Double(count) }
        }
        expected.merge(errors) { $1 }
        for (endpoint, durations) in totals.durations {
            expected["aetherra_request_duration_seconds_count{endpoint=\"\(endpoint)\"}"] = Double(durations.count)
            expected["aetherra_request_duration_seconds_bucket{endpoint=\"\(endpoint)\",le=\"0.5\"}"] = Double(
                durations.filter { $0 <= 0.5 }.count
            )
        }
        if contract.rounds > 0 {
            expected["aetherra_active_connections"] = Double(contract.lastConnections)
            expected["aetherra_response_time_count"] = Double(contract.responses)
            expected["aetherra_response_time_sum"] = contract.responseSum
            expected["aetherra_memory_events_total{type=\"store\"}"] = Double(contract.memoryStores)
            expected["aetherra_homeostasis_status{status=\"\(contract.homeostasis)\"}"] = 1
            let other = contract.homeostasis == "active" ? "degraded" : "active"
            if contract.rounds > 1 { expected["aetherra_homeostasis_status{status=\"\(other)\"}"] = 0 }
        }
        var mismatches = expected.sorted { $0.key < $1.key }.compactMap { series, value in
            samples[series] == value
                ? nil : "\(series): \(samples[series].map { "\($0)" } ?? "absent"), expected \(value)"
        }
        // Every event, once: the counter over all of them.
        let events = samples.filter { $0.key.hasPrefix("aetherra_log_events_total{") }.values.reduce(0, +)
        if events != Double(eventsWritten) {
            mismatches.append("aetherra_log_events_total: \(events), expected \(eventsWritten)")
        }
        let errorSeries = samples.filter { $0.key.hasPrefix("aetherra_api_errors_total{") }.count
        if errorSeries != errors.count { mismatches.append("\(errorSeries) error series, expected \(errors.count)") }
        return mismatches
    }
}

/// The samples of a Prometheus text exposition, keyed by `name{labels}` exactly as written.
func parseExposition(_ text: String) -> [String: Double] {
    var samples: [String: Double] = [:]
    for line in text.split(separator: "\n") where !line.hasPrefix("#") {
        guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
            continue
        }
        samples[String(line[..<space])] = value
    }
    return samples
}
