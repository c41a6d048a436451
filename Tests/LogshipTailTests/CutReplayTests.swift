import Foundation
import Logging
import LogshipCore
import LogshipTail
import Testing

/// Lines and events cut by a timeout (`partial_line_timeout`, the multiline `timeout`) are cut at
/// the same places when the file is read again from its checkpoint after a crash, so that every
/// event comes out with the same text under the same document id.
@Suite struct CutReplayTests {
    private func configuration(_ path: String) -> FileInputConfiguration {
        var configuration = FileInputConfiguration(
            id: "cuts",
            paths: [path],
            multiline: MultilineConfiguration(
                pattern: #"^\d{4}-"#,
                negate: true,
                match: .after,
                timeout: .milliseconds(100)
            )
        )
        configuration.partialLineTimeout = .milliseconds(100)
        return configuration
    }

    /// Reads the whole file again from offset 0, as after a crash before any acknowledgement.
    private func readAgain(_ path: String, key: FileKey, cuts: [FileCut]) async throws -> [Event] {
        var configuration = configuration(path)
        configuration.stopsAtEndOfFiles = true
        let collector = EventCollector()
        let input = FileInput(
            configuration: configuration,
            checkpoints: [FileCheckpoint(fileKey: key, path: path, offset: 0, cuts: cuts)],
            delegate: collector,
            logger: Logger(label: "test")
        )
        try await input.run()
        return collector.snapshot.events
    }

    /// Cuts belong to the content they were made in: a file truncated and written again before
    /// reading reaches them is not cut there.
    @Test func cutsAreForgottenWhenTheFileIsTruncated() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("app.log")
        let old = (0..<600).map { String(format: "OLD-%05d\n", $0) }.joined()
        try Data(old.utf8).write(to: URL(fileURLWithPath: path))
        var info = stat()
        #expect(stat(path, &info) == 0)
        let key = FileKey(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
        var configuration = FileInputConfiguration(
            id: "cuts",
            paths: [path],
            readBufferBytes: 100,
            maximumBatchEvents: 5
        )
        configuration.rescanInterval = .seconds(3600)
        let delegate = CopyTruncateWhileBehindTests.HeldCollector()
        let input = FileInput(
            configuration: configuration,
            checkpoints: [
                FileCheckpoint(fileKey: key, path: path, offset: 0, cuts: [FileCut(offset: 505, kind: .line)])
            ],
            delegate: delegate,
            logger: Logger(label: "test")
        )
        let new = (0..<600).map { String(format: "NEW-%05d\n", $0) }.joined()
        try await whileRunning(input) {
            await delegate.waitUntilHeld()
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            try handle.truncate(atOffset: 0)
            try handle.write(contentsOf: Data(new.utf8))
            try handle.close()
            delegate.release()
            try await delegate.collector.waitUntil { record in
                record.events.filter { $0.message?.hasPrefix("NEW-") == true }.count == 600
            }
        }
        let messages = delegate.collector.messages
        #expect(messages.allSatisfy { $0.count == 9 && ($0.hasPrefix("OLD-") || $0.hasPrefix("NEW-")) })
    }

    @Test func timeoutCutsAreMadeAgainAfterARestart() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("app.log")
        try Data("2025-11-01 start\n  cont1\n".utf8).write(to: URL(fileURLWithPath: path))
        let collector = EventCollector()
        let input = FileInput(configuration: configuration(path), delegate: collector, logger: Logger(label: "test"))
        // Each write comes after the previous event timed out: the writer paused mid-traceback.
        try await whileRunning(input) {
            try await collector.waitUntil { $0.events.count == 1 }
            try append("  cont2\n2025-11-01 next\npart", to: path)
            try await collector.waitUntil { $0.events.count == 3 }
            try append("ial\n", to: path)
            try await collector.waitUntil { $0.events.count == 4 }
        }
        let first = collector.snapshot
        #expect(
            first.events.map(\.message) == ["2025-11-01 start\n  cont1", "  cont2", "2025-11-01 next\npart", "ial"]
        )
        #expect(first.cuts.map(\.kind) == [.event, .line, .event, .event])
        let key = try #require(first.opened.first?.key)

        let again = try await readAgain(path, key: key, cuts: first.cuts)
        #expect(again.map(\.message) == first.events.map(\.message))
        #expect(again.map(\.source) == first.events.map(\.source))
        // Without the cuts the same bytes group otherwise: the test above can fail.
        let regrouped = try await readAgain(path, key: key, cuts: [])
        #expect(regrouped.map(\.message) == ["2025-11-01 start\n  cont1\n  cont2", "2025-11-01 next\npartial"])
    }
}
