import Foundation
import LogshipCore
import LogshipTail
import Synchronization
import Testing

/// A `FileInputDelegate` that records everything, for tests.
final class EventCollector: FileInputDelegate {
    struct Record: Sendable {
        var events: [Event] = []
        var opened: [(key: FileKey, path: String, offset: Int64)] = []
        var truncated: [(key: FileKey, path: String)] = []
        var closed: [(key: FileKey, path: String)] = []
        var batchSizes: [Int] = []
    }

    private let record = Mutex(Record())

    var snapshot: Record { record.withLock { $0 } }
    var messages: [String] { snapshot.events.compactMap(\.message) }

    func fileInputOpened(_ key: FileKey, path: String, at offset: Int64) async {
        record.withLock { $0.opened.append((key, path, offset)) }
    }

    func fileInputTruncated(_ key: FileKey, path: String) async {
        record.withLock { $0.truncated.append((key, path)) }
    }

    func fileInputClosed(_ key: FileKey, path: String) async {
        record.withLock { $0.closed.append((key, path)) }
    }

    func fileInputEmit(_ batch: consuming EventBatch) async {
        let events = batch.events
        record.withLock {
            $0.events += events
            $0.batchSizes.append(events.count)
        }
    }

    /// Waits until `condition` holds, checking every 10 ms; records an issue after `timeout`.
    func waitUntil(
        timeout: Duration = .seconds(5),
        sourceLocation: SourceLocation = #_sourceLocation,
        _ condition: (Record) -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        while !condition(snapshot) {
            guard ContinuousClock.now < deadline else {
                Issue.record(
                    "condition not met in \(timeout); messages: \(messages.suffix(20))",
                    sourceLocation: sourceLocation
                )
                return
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}
