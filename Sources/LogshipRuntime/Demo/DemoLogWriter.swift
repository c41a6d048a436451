package import Foundation
package import ServiceLifecycle
import Synchronization

/// The demo's log source: appends Aetherra-style events to `<directory>/aetherra_hub.log` at
/// `linesPerSecond` (in ten slices a second) and rotates it once, by rename to
/// `aetherra_hub.log.1`, after `rotateAfter`: the way logrotate's default `create` mode does.
package final class DemoLogWriter: Service, Sendable {
    private let directory: String
    private let linesPerSecond: Int
    private let rotateAfter: Duration
    private let generator = Mutex(AetherraLogGenerator(seed: 7))
    private let rotated = Atomic<Bool>(false)

    package init(directory: String, linesPerSecond: Int, rotateAfter: Duration = .seconds(5)) {
        self.directory = directory
        self.linesPerSecond = max(1, linesPerSecond)
        self.rotateAfter = rotateAfter
    }

    /// What has been written so far.
    package var totals: AetherraLogGenerator.Totals { generator.withLock { $0.totals } }

    /// Whether the rotation has happened.
    package var hasRotated: Bool { rotated.load(ordering: .relaxed) }

    private var path: String { "\(directory)/aetherra_hub.log" }

    package func run() async throws {
        let clock = ContinuousClock()
        let started = clock.now
        var carry = 0.0
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            carry += Double(linesPerSecond) / 10
            let count = Int(carry)
            carry -= Double(count)
            append(events: count)
            if !hasRotated && clock.now - started >= rotateAfter { rotate() }
            // The generator's pace, not synchronisation.
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(100)) }
        }
    }

    private func append(events: Int) {
        guard events > 0 else { return }
        let text = generator.withLock { generator in
            var text = ""
            for _ in 0..<events { generator.appendEvent(at: Date(), to: &text) }
            return text
        }
        if !FileManager.default.fileExists(atPath: path) { FileManager.default.createFile(atPath: path, contents: nil) }
        guard let handle = FileHandle(forWritingAtPath: path) else { return }
        defer { try? handle.close() }
        _ = try? handle.seekToEnd()
        try? handle.write(contentsOf: Data(text.utf8))
    }

    private func rotate() {
        try? FileManager.default.moveItem(atPath: path, toPath: path + ".1")
        FileManager.default.createFile(atPath: path, contents: nil)
        rotated.store(true, ordering: .relaxed)
    }
}
