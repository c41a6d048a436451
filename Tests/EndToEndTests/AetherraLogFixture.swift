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
