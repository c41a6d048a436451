import Foundation
import Logging
import LogshipCore
import LogshipTail
import Testing

/// `stopsAtEndOfFiles` (`logship run --once`): the input returns by itself once it has read
/// every matched file to its end, after flushing the pending multiline event.
@Suite struct StopAtEndOfFilesTests {
    @Test func returnsAfterReadingEveryFileToItsEnd() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let lines = (0..<5_000).map { "2025-11-01 line \($0)\n" }.joined()
        #expect(FileManager.default.createFile(atPath: directory.file("a.log"), contents: Data(lines.utf8)))
        let traceback = "2025-11-01 error\nTraceback\n  File x\n2025-11-01 last\n  continued\npartial"
        #expect(FileManager.default.createFile(atPath: directory.file("b.log"), contents: Data(traceback.utf8)))
        var configuration = FileInputConfiguration(
            id: "once",
            paths: [directory.file("*.log")],
            multiline: MultilineConfiguration(pattern: #"^\d{4}-"#, negate: true, match: .after),
            maximumBatchEvents: 100
        )
        configuration.stopsAtEndOfFiles = true
        let collector = EventCollector()
        let input = FileInput(configuration: configuration, delegate: collector, logger: Logger(label: "test"))
        // Returns by itself; the deadline only keeps a broken input from hanging the suite.
        let returned = try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                try await input.run()
                return true
            }
            group.addTask {
                try await Task.sleep(for: .seconds(30))
                return false
            }
            let first = try await group.next() ?? false
            group.cancelAll()
            return first
        }
        #expect(returned)
        // 5,000 lines, then two multiline events (the last flushed at the end); the partial
        // last line is left for the next run.
        #expect(collector.snapshot.events.count == 5_002)
        #expect(input.statistics.linesRead == 5_005)
    }
}
