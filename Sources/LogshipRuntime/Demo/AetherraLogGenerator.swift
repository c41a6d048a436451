package import Foundation
import LogshipCore

/// Writes Aetherra-OS-style log text: Python logging lines, JSON metric lines (bare and after a
/// logging prefix) and multi-line tracebacks, in the proportions a busy hub produces.
///
/// Deterministic for a given seed, so the demo, the benchmark and the tests get the same text.
/// It also keeps the totals a test needs to check what a pipeline derived from the text.
package struct AetherraLogGenerator: Sendable {
    /// Totals of what was generated so far.
    package struct Totals: Sendable, Equatable {
        /// Physical lines written (a traceback counts each of its lines).
        package var lines = 0
        /// Events a multiline-aware reader should see (a traceback is one event).
        package var events = 0
        /// `api_request_duration` metric lines, by `method endpoint status`.
        package var requests: [String: Int] = [:]
        /// Durations per endpoint, for histogram checks.
        package var durations: [String: [Double]] = [:]
        package var tracebacks = 0
        package var bytes = 0
    }

    private static let endpoints = ["/chat", "/health", "/memory/query", "/plugins/run", "/api/status"]
    private static let methods = ["GET", "POST"]
    private static let messages = [
        "Request handled", "Memory consolidation finished", "Plugin registry refreshed",
        "Homeostasis check passed", "Self-improvement task queued", "Cache warmed",
    ]

    private var random: UInt64
    package private(set) var totals = Totals()
    /// The service name written in every line.
    package let service: String
    /// The kinds of event written (an invalid mix is written as the standard one).
    package let mix: Mix

    package init(seed: UInt64 = 42, service: String = "aetherra_hub", mix: Mix = .standard) {
        self.random = seed == 0 ? 0x9E37_79B9_7F4A_7C15 : seed
        self.service = service
        self.mix = mix.problem == nil ? mix : .standard
    }

    private mutating func next() -> UInt64 {
        // xorshift64*: fast, deterministic, good enough for sample data.
        random ^= random >> 12
        random ^= random << 25
        random ^= random >> 27
        return random &* 2_685_821_657_736_338_717
    }

    private mutating func pick<T>(_ items: [T]) -> T { items[Int(next() % UInt64(items.count))] }

    /// Appends one event's text (one line, or several for a traceback) stamped `date`.
    package mutating func appendEvent(at date: Date, to text: inout String) {
        let stamp = Self.loggingStamp(date)
        let roll = Int(next() % 100)
        let before = text.utf8.count
        let jsonPercent = mix.bareJSONPercent + mix.prefixedJSONPercent
        if roll < jsonPercent {
            let endpoint = pick(Self.endpoints)
            let method = pick(Self.methods)
            let status = next() % 20 == 0 ? "500" : "200"
            let duration = Double(next() % 3000) / 1000.0
            let json =
                "{\"timestamp\": \"\(Self.isoStamp(date))\", \"service\": \"\(service)\", \"metric\": \"api_request_duration\", \"value\": \(duration), \"labels\": {\"endpoint\": \"\(endpoint)\", \"method\": \"\(method)\", \"status\": \"\(status)\"}, \"type\": \"metric\"}"
            if roll < mix.bareJSONPercent {
                text += json + "\n"
            } else {
                text += "\(stamp) - \(service) - INFO - \(json)\n"
            }
            totals.requests["\(method) \(endpoint) \(status)", default: 0] += 1
            totals.durations[endpoint, default: []].append(duration)
            totals.lines += 1
        } else if roll < 100 - mix.tracebackPercent {
            let level = next() % 10 == 0 ? "WARNING" : "INFO"
            text += "\(stamp) - \(service) - \(level) - \(pick(Self.messages)) (request \(next() % 100_000))\n"
            totals.lines += 1
        } else {
            text += "\(stamp) - \(service) - ERROR - Unhandled exception in plugin runner\n"
            text += "Traceback (most recent call last):\n"
            text += "  File \"/opt/aetherra/plugins/runner.py\", line 88, in execute\n"
            text += "    result = plugin.run(**kwargs)\n"
            text += "ValueError: plugin returned no result\n"
            totals.lines += 5
            totals.tracebacks += 1
        }
        totals.events += 1
        totals.bytes += text.utf8.count - before
    }

    /// `2025-11-01 12:00:00,123`, as Python's logging writes it (UTC here).
    package static func loggingStamp(_ date: Date) -> String {
        var bytes: [UInt8] = []
        UTCDateTime(date).append(to: &bytes, separator: UInt8(ascii: " "), fraction: UInt8(ascii: ","))
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `2025-11-01T12:00:00.123000`, as `datetime.utcnow().isoformat()` writes it.
    package static func isoStamp(_ date: Date) -> String {
        var bytes: [UInt8] = []
        UTCDateTime(date).append(to: &bytes)
        bytes += Array("000".utf8)
        return String(decoding: bytes, as: UTF8.self)
    }
}
