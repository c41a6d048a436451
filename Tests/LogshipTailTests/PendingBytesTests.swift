import Foundation
import Logging
import LogshipCore
import LogshipTail
import Synchronization
import Testing

/// `maximumPendingBytes`: partial lines and pending multiline events of all files together stay
/// within one budget; a line cut for it is flagged, counted, and still delivered once.
@Suite struct PendingBytesTests {
    /// Records each batch with the input's held memory right after the step that made it.
    private final class Sampler: FileInputDelegate {
        let input = Mutex<FileInput?>(nil)
        let state = Mutex((events: [Event](), peak: 0))

        func fileInputOpened(_ key: FileKey, path: String, at offset: Int64, generation: UInt32) async {}
        func fileInputTruncated(_ key: FileKey, path: String, generation: UInt32) async {}
        func fileInputEmit(_ batch: consuming EventBatch) async {
            let events = batch.events
            let held = input.withLock { $0?.statistics.pendingBytes ?? 0 }
            state.withLock {
                $0.events += events
                $0.peak = max($0.peak, held)
            }
        }
    }

    @Test func longLinesInManyFilesShareTheBudgetAndNoneIsLost() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // 12 files of 3 lines of 40 KiB, read 4 KiB at a time, a file after the other: each holds
        // a partial line between its reads, 480 KiB together against a budget of 64 KiB.
        var lines: [String: String] = [:]
        for file in 0..<12 {
            var text = ""
            for index in 0..<3 {
                let line = "f\(file)-l\(index)-" + String(repeating: "é", count: 20 << 10)
                lines["f\(file)-l\(index)-"] = line
                text += line + "\n"
            }
            #expect(FileManager.default.createFile(atPath: directory.file("\(file).log"), contents: Data(text.utf8)))
        }
        var configuration = FileInputConfiguration(
            id: "budget",
            paths: [directory.file("*.log")],
            maximumLineBytes: 48 << 10,
            readBufferBytes: 4 << 10
        )
        configuration.maximumPendingBytes = 64 << 10
        configuration.stopsAtEndOfFiles = true
        let sampler = Sampler()
        let input = FileInput(configuration: configuration, delegate: sampler, logger: Logger(label: "test"))
        sampler.input.withLock { $0 = input }
        try await input.run()
        let (events, peak) = sampler.state.withLock { ($0.events, $0.peak) }
        #expect(events.count == 36)
        var seen = Set<String>()
        var cut = 0
        for event in events {
            let message = event.message ?? ""
            let key = String(message.prefix { $0 != "é" })
            guard let line = lines[key] else {
                Issue.record("unexpected event \(message.prefix(40))")
                continue
            }
            #expect(seen.insert(key).inserted)
            #expect(line.hasPrefix(message))
            if event.flags.contains("truncated") {
                cut += 1
                #expect(message.utf8.count >= FileInputConfiguration.pendingBytesKeptPerFile - 1)
            } else {
                #expect(message == line)
            }
        }
        #expect(cut > 0)
        #expect(input.statistics.linesCutForMemory == UInt64(cut))
        #expect(input.statistics.truncatedLines == UInt64(cut))
        // The budget, one file's line and a kibibyte per file (capacity rounding aside).
        #expect(peak <= (64 << 10) + (48 << 10) + 12 * 2048)
        #expect(input.statistics.pendingBytes == 0)
    }
}
