import Foundation
package import Logging
import LogshipCore
import LogshipReceiver
import ServiceLifecycle

/// `logship demo`: the default pipeline on generated logs, with a built-in Elasticsearch-compatible
/// bulk endpoint, a live status line, and a summary at the end.
package struct DemoRunner {
    let pipelinePath: String
    let duration: Duration?
    let linesPerSecond: Int
    let metricsListen: String
    let logger: Logger

    package init(pipelinePath: String, duration: Duration?, linesPerSecond: Int, metricsListen: String, logger: Logger)
    {
        self.pipelinePath = pipelinePath
        self.duration = duration
        self.linesPerSecond = linesPerSecond
        self.metricsListen = metricsListen
        self.logger = logger
    }

    package func run() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("logship-demo-\(getpid())").path
        let logs = root + "/logs"
        let data = root + "/data"
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        let receiver = BulkReceiver(logger: logger)
        let port = try await receiver.start()
        var environment = ProcessInfo.processInfo.environment
        environment["AETHERRA_LOG_DIR"] = logs
        environment["LOGSHIP_DATA_DIR"] = data
        environment["ES_HOSTS"] = "http://127.0.0.1:\(port)"
        environment["METRICS_LISTEN"] = metricsListen
        let configuration = try PipelineLoader.load(path: pipelinePath, environment: environment)
        let runner = try await PipelineRunner(configuration: configuration, logger: logger)
        let writer = DemoLogWriter(directory: logs, linesPerSecond: linesPerSecond)
        let metricsURL = "http://\(metricsListen.hasPrefix(":") ? "127.0.0.1" + metricsListen : metricsListen)/metrics"
        print(
            """
            logship demo: \(configuration.file)
              logs written to      \(logs)/aetherra_hub.log (rotated to .1 after 5 s)
              checkpoints in       \(data)
              bulk endpoint        http://127.0.0.1:\(port)  (documents: http://127.0.0.1:\(port)/_logship/stats)
              Prometheus metrics   \(metricsURL)
            Ctrl-C stops it gracefully\(duration.map { "; it stops by itself after \($0.seconds) s" } ?? "").

            """
        )
        fflush(nil)  // all streams: the banner must show before the status line
        let status = StatusLine(prefix: "demo") { runner.status() }
        var last: [any Service] = [writer]
        if let duration { last.append(StopTimer(after: duration)) }
        try await runner.run(first: [status], last: last)
        await receiver.shutdown()
        let totals = writer.totals
        let final = runner.status()
        let indices = receiver.indices().map { "\($0) (\(receiver.documentCount(in: $0)))" }.joined(separator: ", ")
        print(
            """

            summary
              written    \(totals.lines) lines, \(totals.events) events (\(totals.tracebacks) tracebacks, \(totals.requests.values.reduce(0, +)) API metric lines)\(writer.hasRotated ? ", 1 rotation" : "")
              read       \(final.linesRead) lines, \(final.eventsRead) events
              stored     \(receiver.documentCount) documents in \(indices.isEmpty ? "no index" : indices)
              metrics    \(final.series) series; checkpoints in \(data)/checkpoints.json
            """
        )
    }
}

/// Ends the demo after a set time by returning, which shuts the service group down gracefully.
struct StopTimer: Service {
    let after: Duration

    init(after: Duration) { self.after = after }

    func run() async throws {
        try? await cancelWhenGracefulShutdown { try await Task.sleep(for: after) }
    }
}
