import Foundation
import Logging
import LogshipCore
import LogshipOutputs
import Synchronization
import Testing

/// 2025-11-01T12:00:00.123Z
let noon = Date(timeIntervalSince1970: 1_761_998_400.123)

/// A source in file 0x801/0x2a at `offset`, `length` bytes long.
func makeSource(offset: Int64, length: Int64 = 10) -> EventSource {
    EventSource(
        fileKey: FileKey(device: 0x801, inode: 0x2a),
        startOffset: offset,
        endOffset: offset + length
    )
}

/// `count` events with messages `line 0`… and sources at offsets 0, 10, 20…
func makeEvents(_ count: Int, from first: Int = 0, timestamp: Date = noon) -> [Event] {
    (first..<(first + count)).map { number in
        Event(message: "line \(number)", timestamp: timestamp, source: makeSource(offset: Int64(number) * 10))
    }
}

func makeBatch(_ events: [Event], pattern: String = "logs-%{+yyyy.MM.dd}") throws -> Batch {
    var batcher = Batcher(
        maximumEvents: 1_000_000,
        maximumBytes: 1 << 30,
        maximumAge: .seconds(1),
        encoder: BulkEncoder(indexPattern: try IndexPattern(parsing: pattern))
    )
    _ = batcher.append(events, now: .now)
    let batch = batcher.flush()
    return try #require(batch)
}

func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("logship-es-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Collects the sources passed to an output's `acknowledge`; tests wait for a count with
/// `waitUntil(count:)`, woken by the acknowledgement itself.
final class AcknowledgementRecorder: Sendable {
    private struct State {
        var sources: [EventSource] = []
        var waiters: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []
    }

    private let state = Mutex(State())

    var all: [EventSource] { state.withLock { $0.sources } }
    var count: Int { state.withLock { $0.sources.count } }

    func record(_ acknowledged: [EventSource]) {
        let ready = state.withLock { state in
            state.sources += acknowledged
            let total = state.sources.count
            defer { state.waiters.removeAll { $0.count <= total } }
            return state.waiters.filter { $0.count <= total }.map(\.continuation)
        }
        for waiter in ready { waiter.resume() }
    }

    /// Returns once at least `count` sources were acknowledged (bound the test with a time limit).
    func waitUntil(count: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let reached = state.withLock { state in
                guard state.sources.count < count else { return true }
                state.waiters.append((count, continuation))
                return false
            }
            if reached { continuation.resume() }
        }
    }
}

/// Polls `condition` every 10 ms until it holds or `timeout` passes; returns whether it held.
/// The timeout only bounds a broken test: the whole suite runs in one process on two cores, and
/// its cooperative threads can be starved for tens of seconds (5 s failed under a full run).
func eventually(timeout: Duration = .seconds(60), _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return condition()
}

/// Keeps every log line (message and metadata) for tests that check what is logged; a test can
/// wait for a line, woken by the line itself.
final class LogCapture: Sendable {
    private struct State {
        var lines: [String] = []
        var waiters: [(text: String, continuation: CheckedContinuation<Void, Never>)] = []
    }

    private let state = Mutex(State())

    var text: String { state.withLock { $0.lines.joined(separator: "\n") } }

    var logger: Logger {
        Logger(label: "test") { _ in Handler(capture: self) }
    }

    fileprivate func append(_ line: String) {
        let ready = state.withLock { state in
            state.lines.append(line)
            defer { state.waiters.removeAll { line.contains($0.text) } }
            return state.waiters.filter { line.contains($0.text) }.map(\.continuation)
        }
        for waiter in ready { waiter.resume() }
    }

    /// Returns once a line containing `text` was logged (bound the test with a time limit).
    func waitUntil(logged text: String) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let seen = state.withLock { state in
                guard !state.lines.contains(where: { $0.contains(text) }) else { return true }
                state.waiters.append((text, continuation))
                return false
            }
            if seen { continuation.resume() }
        }
    }

    private struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            capture.append("\(event.level) \(event.message) \(all.sorted { $0.key < $1.key })")
        }
    }
}
