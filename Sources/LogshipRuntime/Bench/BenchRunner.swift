import AsyncHTTPClient
import Foundation
import LogshipTail
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// `logship bench`: generates an Aetherra file, then measures, in one run on the same file,
/// `cat`, `gzip -1`, and the real pipeline as a child `logship run --once` into a child
/// `logship receiver` on loopback and/or with `--output null`.
///
/// Every measured command is a child process reaped with `wait4`, so its CPU time and peak RSS
/// are its own; the pipeline's wall time runs from its start to its exit (reading, shipping, the
/// last acknowledgement and the checkpoints included). Allocations are counted by preloading
/// `libLogshipMallocCounter.so` (built beside `logship`) into the measured commands, never into
/// the receiver. The environment of `logship run` is what `pipelines/aetherra.yml` reads:
/// `AETHERRA_LOG_DIR`, `LOGSHIP_DATA_DIR` (a fresh one per run, so each reads from the start),
/// `ES_HOSTS`, `METRICS_LISTEN` (port 0).
package struct BenchRunner {
    /// Which pipeline runs to measure.
    package enum Outputs: String, Sendable, CaseIterable {
        /// Both, to ES first.
        case both
        /// Into the built-in bulk endpoint.
        case elasticsearch
        /// `logship run --output null`.
        case null
    }

    /// What went wrong; the text names the step and, for a failed child, the end of its log.
    package struct Failure: Error, CustomStringConvertible {
        package var description: String
    }

    package var lines: Int
    package var seed: UInt64
    package var mix: AetherraLogGenerator.Mix
    package var pipelinePath: String
    package var outputs: Outputs
    /// How many times `gzip -1` and the pipeline runs are measured, each pipeline run right after
    /// a `gzip -1` of its own (the machine's speed drifts; a ratio is taken between neighbours).
    package var rounds: Int = 1
    /// Where the file, the data directories and the logs go; nil for a temporary directory that
    /// is removed at the end.
    package var directory: String?
    /// Called with a line of progress for each step (to standard error in the command).
    package var progress: @Sendable (String) -> Void

    package init(
        lines: Int,
        seed: UInt64,
        mix: AetherraLogGenerator.Mix,
        pipelinePath: String,
        outputs: Outputs,
        directory: String?,
        progress: @escaping @Sendable (String) -> Void
    ) {
        self.lines = lines
        self.seed = seed
        self.mix = mix
        self.pipelinePath = pipelinePath
        self.outputs = outputs
        self.directory = directory
        self.progress = progress
    }

    /// The `logship` executable running now; children are started from it.
    static var executable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0]
    }

    /// The interposer library beside `logship`, if it was built.
    static var mallocCounter: String? {
        let path = URL(fileURLWithPath: executable).deletingLastPathComponent()
            .appendingPathComponent("libLogshipMallocCounter.so").path
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    package func run() async throws -> BenchReport {
        if let problem = mix.problem { throw Failure(description: "invalid mix: \(problem)") }
        guard FileManager.default.fileExists(atPath: pipelinePath) else {
            throw Failure(description: "\(pipelinePath): no such file")
        }
        let pipeline = URL(fileURLWithPath: pipelinePath).standardizedFileURL.path
        let work = try directory ?? Self.temporaryDirectory()
        defer { if directory == nil { try? FileManager.default.removeItem(atPath: work) } }
        let logs = work + "/logs"
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        let path = logs + "/aetherra_hub.log"
        progress("generating \(lines) lines (\(mix)) into \(path)")
        let totals = try AetherraLogGenerator.write(
            lines: lines,
            to: path,
            seed: seed,
            start: 1_761_998_400,
            mix: mix
        )
        // Events the pipeline makes of the file: its multiline events, or one per line for a
        // pipeline that does not join lines (examples/read-and-split.yml).
        let joinsLines =
            (try? PipelineLoader.load(path: pipeline, environment: ProcessInfo.processInfo.environment))?.inputs
            .contains { $0.multiline != nil } ?? true
        let file = BenchReport.File(
            path: path,
            lines: totals.lines,
            events: joinsLines ? totals.events : totals.lines,
            bytes: totals.bytes,
            bareJSONPercent: mix.bareJSONPercent,
            prefixedJSONPercent: mix.prefixedJSONPercent,
            tracebackPercent: mix.tracebackPercent,
            plainPercent: mix.plainPercent
        )
        var measure = Measurement(work: work, file: file)
        guard let cat = ChildProcess.find("cat"), let gzip = ChildProcess.find("gzip"),
            let wc = ChildProcess.find("wc")
        else {
            throw Failure(description: "cat, wc and gzip must be on PATH")
        }
        // Warm the page cache so that every row reads the file from memory.
        let warmUp = try measure.command(cat, [path], name: "warm-up")
        _ = await warmUp.wait()
        var rows: [BenchReport.Row] = []
        progress("measuring cat")
        rows.append(try await measure.row("cat", mode: "cat", cat, [path]))
        // What finding the line ends alone costs: the floor for reading and splitting.
        progress("measuring wc -l")
        rows.append(try await measure.row("wc -l", mode: "wc", wc, ["-l", path]))
        var receivers: [BenchReport.Receiver] = []
        for round in 1...max(1, rounds) {
            let gzipRow = { (measure: inout Measurement) async throws -> BenchReport.Row in
                progress("round \(round): measuring gzip -1")
                var row = try await measure.row("gzip -1", mode: "gzip", gzip, ["-1", "-c", path])
                row.round = round
                return row
            }
            if outputs != .null {
                rows.append(try await gzipRow(&measure))
                progress("round \(round): running logship run --once into logship receiver")
                var (row, figures) = try await measure.pipelineToReceiver(pipeline: pipeline, logs: logs)
                row.round = round
                rows.append(row)
                receivers.append(figures)
            }
            if outputs != .elasticsearch {
                // One gzip -1 for both pipeline runs of a single round, as before rounds existed.
                if outputs == .null || rounds > 1 { rows.append(try await gzipRow(&measure)) }
                progress("round \(round): running logship run --once --output null")
                var row = try await measure.pipeline(pipeline: pipeline, logs: logs, mode: "null", esHosts: nil)
                row.round = round
                rows.append(row)
            }
        }
        var report = BenchReport(
            file: file,
            cores: ProcessInfo.processInfo.activeProcessorCount,
            rows: rows,
            receiver: nil,
            allocationsCounted: Self.mallocCounter != nil
        )
        report.evaluate()
        // The receiver of the run to ES whose ratio is the median one.
        if let round = report.medianRound(mode: "elasticsearch"), round >= 1, round <= receivers.count {
            report.receiver = receivers[round - 1]
        }
        return report
    }

    private static func temporaryDirectory() throws -> String {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("logship-bench.XXXXXX").path
        var template = Array(base.utf8CString)
        guard let made = mkdtemp(&template) else {
            throw Failure(description: "cannot create a temporary directory: \(String(cString: strerror(errno)))")
        }
        return String(cString: made)
    }
}

/// The measuring steps of one bench run, over its work directory.
private struct Measurement {
    let work: String
    let file: BenchReport.File
    let environment = ProcessInfo.processInfo.environment
    var counter = 0

    /// Starts a command with allocation counting, its output to /dev/null, its errors to a log.
    mutating func command(
        _ executable: String,
        _ arguments: [String],
        name: String,
        extraEnvironment: [String: String] = [:],
        standardOutput: ChildProcess.Stream = .null
    ) throws -> ChildProcess {
        counter += 1
        var environment = self.environment.merging(extraEnvironment) { $1 }
        if let library = BenchRunner.mallocCounter {
            environment["LD_PRELOAD"] = library
            environment["LOGSHIP_MALLOC_COUNTS_FILE"] = countsPath(counter)
        }
        do {
            return try ChildProcess.spawn(
                executable,
                arguments,
                environment: environment,
                standardOutput: standardOutput,
                standardError: .file(logPath(counter))
            )
        } catch {
            throw BenchRunner.Failure(description: "\(name): \(error)")
        }
    }

    func countsPath(_ number: Int) -> String { "\(work)/allocations-\(number).txt" }
    func logPath(_ number: Int) -> String { "\(work)/stderr-\(number).log" }

    /// What the interposer wrote for command `number` (`malloc 123` lines), or nil.
    func counts(_ number: Int) -> [String: Int]? {
        guard BenchRunner.mallocCounter != nil,
            let text = try? String(contentsOfFile: countsPath(number), encoding: .utf8)
        else { return nil }
        var counts: [String: Int] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count == 2, let value = Int(parts[1]) { counts[String(parts[0])] = value }
        }
        return counts
    }

    /// The allocation calls counted for command `number`, or nil.
    func allocations(_ number: Int) -> Int? {
        counts(number).map { counts in
            ["malloc", "calloc", "realloc", "aligned"].reduce(0) { $0 + (counts[$1] ?? 0) }
        }
    }

    /// Waits for command `number` and takes its peak RSS from the interposer when it ran in it:
    /// `ru_maxrss` of a spawned child includes the RSS of this process at the spawn (Linux keeps
    /// the larger of the RSS before and after `execve`), the interposer's VmHWM does not.
    func wait(_ child: ChildProcess, _ number: Int) async -> ChildProcess.Termination {
        var termination = await child.wait()
        if let peak = counts(number)?["peak_rss_kib"], peak > 0 { termination.peakResidentKiB = peak }
        return termination
    }

    func failure(_ name: String, _ termination: ChildProcess.Termination, log number: Int) -> BenchRunner.Failure {
        let log = (try? String(contentsOfFile: logPath(number), encoding: .utf8)) ?? ""
        let tail = log.split(separator: "\n").suffix(20).joined(separator: "\n")
        return BenchRunner.Failure(description: "\(name) exited with status \(termination.status)\n\(tail)")
    }

    /// Runs one command to its end and makes its row.
    mutating func row(
        _ name: String,
        mode: String,
        _ executable: String,
        _ arguments: [String]
    ) async throws -> BenchReport.Row {
        let child = try command(executable, arguments, name: name)
        let number = counter
        let termination = await wait(child, number)
        guard termination.status == 0 else { throw failure(name, termination, log: number) }
        return BenchReport.Row(
            name: name,
            mode: mode,
            file: file,
            termination: termination,
            documents: nil,
            allocations: allocations(number)
        )
    }

    /// `logship run --once` with the pipeline; `esHosts` nil means `--output null`.
    mutating func pipeline(
        pipeline: String,
        logs: String,
        mode: String,
        esHosts: String?
    ) async throws -> BenchReport.Row {
        let name = esHosts == nil ? "logship run --output null" : "logship run (to ES)"
        var arguments = ["run", "--once", "--config", pipeline, "--log-level", "warning"]
        if esHosts == nil { arguments += ["--output", "null"] }
        // A fresh data directory per run (numbered like the logs): each reads the file from the start.
        let summaryPath = "\(work)/summary-\(mode)-\(counter + 1).json"
        let child = try command(
            BenchRunner.executable,
            arguments,
            name: name,
            extraEnvironment: [
                "AETHERRA_LOG_DIR": logs,
                "LOGSHIP_DATA_DIR": "\(work)/data-\(mode)-\(counter + 1)",
                "ES_HOSTS": esHosts ?? "http://127.0.0.1:9",
                "METRICS_LISTEN": "127.0.0.1:0",
            ],
            standardOutput: .file(summaryPath)
        )
        let number = counter
        let termination = await wait(child, number)
        guard termination.status == 0 else { throw failure(name, termination, log: number) }
        let summary = (try? Data(contentsOf: URL(fileURLWithPath: summaryPath))).flatMap {
            try? JSONSerialization.jsonObject(with: $0) as? [String: Any]
        }
        guard let acknowledged = summary?["acknowledged"] as? Int else {
            throw BenchRunner.Failure(description: "\(name) printed no summary in \(summaryPath)")
        }
        // A run that did not ship the whole file measured something else.
        guard acknowledged == file.events else {
            throw BenchRunner.Failure(
                description: "\(name) acknowledged \(acknowledged) of \(file.events) events; see \(logPath(number))"
            )
        }
        return BenchReport.Row(
            name: name,
            mode: mode,
            file: file,
            termination: termination,
            documents: acknowledged,
            allocations: allocations(number)
        )
    }

    /// Starts `logship receiver` on a free loopback port, runs the pipeline into it, and returns
    /// the pipeline's row (documents: what the receiver holds) and the receiver's figures.
    mutating func pipelineToReceiver(
        pipeline: String,
        logs: String
    ) async throws -> (BenchReport.Row, BenchReport.Receiver) {
        // The interposer runs in the receiver too, for its peak RSS and allocations.
        let receiver = try command(
            BenchRunner.executable,
            ["receiver", "--listen", "127.0.0.1:0"],
            name: "logship receiver",
            standardOutput: .pipe
        )
        let receiverNumber = counter
        // `bulk endpoint on http://127.0.0.1:PORT (…`
        guard let banner = receiver.readFirstLine(timeout: .seconds(30)),
            let start = banner.range(of: "http://")
        else {
            receiver.signal(SIGKILL)
            _ = await receiver.wait()
            throw BenchRunner.Failure(
                description: "logship receiver did not say where it listens; see \(logPath(receiverNumber))"
            )
        }
        let url = String(banner[start.lowerBound...].prefix { $0 != " " })
        var row: BenchReport.Row
        let documents: Int
        do {
            row = try await self.pipeline(pipeline: pipeline, logs: logs, mode: "elasticsearch", esHosts: url)
            documents = try await Self.documentCount(url)
        } catch {
            receiver.signal(SIGTERM)
            _ = await receiver.wait()
            throw error
        }
        receiver.signal(SIGTERM)
        let termination = await wait(receiver, receiverNumber)
        guard documents == file.events else {
            throw BenchRunner.Failure(
                description:
                    "logship receiver holds \(documents) documents of \(file.events) events; see \(logPath(receiverNumber))"
            )
        }
        row.documents = documents
        row.documentsPerSecond = Double(documents) / row.wallSeconds
        let figures = BenchReport.Receiver(
            cpuSeconds: termination.cpuSeconds,
            peakRSSMiB: Double(termination.peakResidentKiB) / 1024,
            documents: documents,
            cpuMicrosecondsPerDocument: termination.cpuSeconds * 1e6 / Double(max(documents, 1)),
            allocationsPerDocument: allocations(receiverNumber).map { Double($0) / Double(max(documents, 1)) }
        )
        return (row, figures)
    }

    /// `document_count` of `GET /_logship/stats`.
    static func documentCount(_ url: String) async throws -> Int {
        let request = HTTPClientRequest(url: url + "/_logship/stats")
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 16 << 20)
        let stats = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]
        guard let count = stats?["document_count"] as? Int else {
            throw BenchRunner.Failure(description: "GET \(url)/_logship/stats gave no document_count")
        }
        return count
    }
}
