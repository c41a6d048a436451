import Foundation

/// What `logship bench` measured: the file, one row per command, the receiver's own cost, and
/// the ratios the throughput issue's targets are stated in. Printed as a Markdown table or as
/// JSON (snake_case keys, see `CodingKeys`).
package struct BenchReport: Sendable, Codable {
    /// The generated file.
    package struct File: Sendable, Codable {
        package var path: String
        package var lines: Int
        /// Events the pipeline makes of the file: with multiline, a traceback is one; without,
        /// one per line.
        package var events: Int
        package var bytes: Int
        package var bareJSONPercent: Int
        package var prefixedJSONPercent: Int
        package var tracebackPercent: Int
        package var plainPercent: Int

        enum CodingKeys: String, CodingKey {
            case path, lines, events, bytes
            case bareJSONPercent = "bare_json_percent"
            case prefixedJSONPercent = "prefixed_json_percent"
            case tracebackPercent = "traceback_percent"
            case plainPercent = "plain_percent"
        }
    }

    /// One measured command.
    package struct Row: Sendable, Codable {
        /// `cat`, `wc -l`, `gzip -1`, `logship run (to ES)`, `logship run --output null`.
        package var name: String
        /// `cat`, `wc`, `gzip`, `elasticsearch` or `null`.
        package var mode: String
        /// Lines of the file (every row reads the whole file).
        package var lines: Int
        /// Documents stored by the receiver (to ES) or events acknowledged (`--output null`);
        /// nil for `cat`, `wc` and `gzip`.
        package var documents: Int?
        package var wallSeconds: Double
        package var cpuSeconds: Double
        package var userSeconds: Double
        package var systemSeconds: Double
        package var peakRSSMiB: Double
        /// Calls of malloc, calloc, realloc and the aligned allocators; nil when not counted.
        package var allocations: Int?
        package var linesPerSecond: Double
        /// Megabytes (10⁶ bytes) of the file per wall second.
        package var megabytesPerSecond: Double
        package var documentsPerSecond: Double?
        package var allocationsPerLine: Double?
        /// `linesPerSecond` divided by that of the `gzip -1` measured just before; nil for `cat`
        /// and `gzip`.
        package var ratioToGzip: Double?
        /// Which round of `--rounds` the row belongs to (from 1); nil for `cat`.
        package var round: Int?

        enum CodingKeys: String, CodingKey {
            case name, mode, lines, documents, allocations, round
            case wallSeconds = "wall_seconds"
            case cpuSeconds = "cpu_seconds"
            case userSeconds = "user_seconds"
            case systemSeconds = "system_seconds"
            case peakRSSMiB = "peak_rss_mib"
            case linesPerSecond = "lines_per_second"
            case megabytesPerSecond = "megabytes_per_second"
            case documentsPerSecond = "documents_per_second"
            case allocationsPerLine = "allocations_per_line"
            case ratioToGzip = "ratio_to_gzip"
        }

        /// A row from a child's figures; rates over its wall time.
        init(
            name: String,
            mode: String,
            file: File,
            termination: ChildProcess.Termination,
            documents: Int?,
            allocations: Int?
        ) {
            let wall = max(
                Double(termination.wall.components.seconds) + Double(termination.wall.components.attoseconds) / 1e18,
                1e-9
            )
            self.name = name
            self.mode = mode
            self.lines = file.lines
            self.documents = documents
            self.wallSeconds = wall
            self.cpuSeconds = termination.cpuSeconds
            self.userSeconds = termination.userSeconds
            self.systemSeconds = termination.systemSeconds
            self.peakRSSMiB = Double(termination.peakResidentKiB) / 1024
            self.allocations = allocations
            self.linesPerSecond = Double(file.lines) / wall
            self.megabytesPerSecond = Double(file.bytes) / wall / 1e6
            self.documentsPerSecond = documents.map { Double($0) / wall }
            self.allocationsPerLine = allocations.map { Double($0) / Double(max(file.lines, 1)) }
        }
    }

    /// The bulk endpoint's cost in the run to ES (another process on the same cores).
    package struct Receiver: Sendable, Codable {
        package var cpuSeconds: Double
        package var peakRSSMiB: Double
        package var documents: Int
        package var cpuMicrosecondsPerDocument: Double
        package var allocationsPerDocument: Double?

        enum CodingKeys: String, CodingKey {
            case documents
            case cpuSeconds = "cpu_seconds"
            case peakRSSMiB = "peak_rss_mib"
            case cpuMicrosecondsPerDocument = "cpu_microseconds_per_document"
            case allocationsPerDocument = "allocations_per_document"
        }
    }

    /// One of the throughput issue's targets and where this run stands.
    package struct Target: Sendable, Codable {
        package var name: String
        package var value: Double
        package var limit: Double
        /// Whether `value` must be at least (`true`) or at most (`false`) `limit`.
        package var atLeast: Bool
        package var met: Bool

        enum CodingKeys: String, CodingKey {
            case name, value, limit, met
            case atLeast = "at_least"
        }

        init(name: String, value: Double, limit: Double, atLeast: Bool) {
            self.name = name
            self.value = value
            self.limit = limit
            self.atLeast = atLeast
            self.met = atLeast ? value >= limit : value <= limit
        }
    }

    package var file: File
    /// Cores the machine has (`logship` and the receiver share them).
    package var cores: Int
    package var rows: [Row]
    package var receiver: Receiver?
    package var targets: [Target] = []
    /// Whether allocations were counted (the interposer library was found beside `logship`).
    package var allocationsCounted: Bool

    enum CodingKeys: String, CodingKey {
        case file, cores, rows, receiver, targets
        case allocationsCounted = "allocations_counted"
    }

    /// Fills in the ratios to `gzip -1` (each pipeline row against the `gzip -1` row measured
    /// last before it) and the targets: over several rounds, the median ratio and the highest
    /// peak RSS and allocations.
    mutating func evaluate() {
        targets = []
        var gzip: Row?
        for index in rows.indices {
            switch rows[index].mode {
            case "gzip": gzip = rows[index]
            case "elasticsearch", "null":
                if let gzip { rows[index].ratioToGzip = rows[index].linesPerSecond / max(gzip.linesPerSecond, 1e-9) }
            default: break
            }
        }
        for mode in ["elasticsearch", "null"] {
            let measured = rows.filter { $0.mode == mode && $0.ratioToGzip != nil }
            guard let round = medianRound(mode: mode),
                let median = measured.first(where: { $0.round == round })?.ratioToGzip
            else { continue }
            let label = mode == "null" ? "--output null" : "to ES"
            let over = measured.count > 1 ? " (median of \(measured.count))" : ""
            targets.append(
                Target(
                    name: "\(label): lines/s ÷ gzip -1\(over)",
                    value: median,
                    limit: mode == "null" ? 1.5 : 0.5,
                    atLeast: true
                )
            )
            let rss = measured.map(\.peakRSSMiB).max() ?? 0
            targets.append(Target(name: "\(label): peak RSS MiB", value: rss, limit: 64, atLeast: false))
            let perLine = measured.compactMap(\.allocationsPerLine)
            if let highest = perLine.max() {
                targets.append(Target(name: "\(label): allocations per line", value: highest, limit: 1, atLeast: false))
            }
        }
    }

    /// The round whose `mode` row has the median ratio to `gzip -1` (the lower middle one of an
    /// even count); nil when there is none.
    package func medianRound(mode: String) -> Int? {
        let measured = rows.filter { $0.mode == mode && $0.ratioToGzip != nil }
            .sorted { $0.ratioToGzip! < $1.ratioToGzip! }
        guard !measured.isEmpty else { return nil }
        return measured[(measured.count - 1) / 2].round ?? 1
    }

    /// The report as JSON, keys sorted.
    package var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(self)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// The report as a Markdown table with notes.
    package var markdown: String {
        var text = "file: \(Self.grouped(file.lines)) lines, \(Self.grouped(file.events)) events, "
        text += "\(Self.decimal(Double(file.bytes) / 1e6, 1)) MB (\(file.bareJSONPercent)% JSON, "
        text += "\(file.prefixedJSONPercent)% prefixed JSON, \(file.tracebackPercent)% tracebacks, "
        text += "\(file.plainPercent)% plain); \(cores) cores\n\n"
        let rounds = rows.compactMap(\.round).max() ?? 1
        text += "| what | lines/s | MB/s | docs/s | wall s | CPU s | peak RSS MiB | allocs/line |\n"
        text += "|---|---:|---:|---:|---:|---:|---:|---:|\n"
        for row in rows {
            let name = rounds > 1 && row.round != nil ? "\(row.name) (\(row.round!))" : row.name
            let cells = [
                name, Self.grouped(Int(row.linesPerSecond.rounded())), Self.decimal(row.megabytesPerSecond, 1),
                row.documentsPerSecond.map { Self.grouped(Int($0.rounded())) } ?? "–",
                Self.decimal(row.wallSeconds, 2), Self.decimal(row.cpuSeconds, 2), Self.decimal(row.peakRSSMiB, 1),
                row.allocationsPerLine.map { Self.decimal($0, 2) } ?? "–",
            ]
            text += "| " + cells.joined(separator: " | ") + " |\n"
        }
        text += "\n"
        for row in rows {
            guard let ratio = row.ratioToGzip else { continue }
            if rounds > 1, let round = row.round { text += "round \(round), " }
            text += "\(row.name): \(Self.decimal(ratio, 3))× the lines/s of gzip -1"
            if let documents = row.documents {
                text += "; \(Self.grouped(documents)) documents of \(Self.grouped(file.events)) events"
            }
            text += "\n"
        }
        if let receiver {
            text += "receiver (logship receiver, another process on the same cores"
            text += rounds > 1 ? ", in the run to ES of median ratio): " : "): "
            text += "\(Self.decimal(receiver.cpuSeconds, 2)) CPU s, "
            text += "\(Self.decimal(receiver.cpuMicrosecondsPerDocument, 2)) µs per document, "
            if let perDocument = receiver.allocationsPerDocument {
                text += "\(Self.decimal(perDocument, 2)) allocations per document, "
            }
            text += "peak RSS \(Self.decimal(receiver.peakRSSMiB, 1)) MiB\n"
        }
        if !allocationsCounted {
            text += "allocations not counted: libLogshipMallocCounter.so was not found beside logship\n"
        }
        if !targets.isEmpty {
            text += "targets: "
            text += targets.map { target in
                // Three decimals: 0.496 printed as 0.50 beside "not met" read as a contradiction.
                "\(target.name) \(Self.decimal(target.value, 3)) (\(target.atLeast ? "≥" : "≤") "
                    + "\(Self.decimal(target.limit, 1)): \(target.met ? "met" : "not met"))"
            }
            .joined(separator: "; ")
            text += "\n"
        }
        return text
    }

    /// `1234567` as `1,234,567`.
    static func grouped(_ value: Int) -> String {
        PipelineStatus.grouped(UInt64(max(value, 0)))
    }

    static func decimal(_ value: Double, _ places: Int) -> String {
        String(format: "%.\(places)f", value)
    }
}
