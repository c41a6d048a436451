import Foundation
import Glibc
import Logging
import LogshipCore
import LogshipTail
import Testing

@Suite struct FileInputTests {
    private static let fixedDate = Date(timeIntervalSince1970: 1_700_000_000)

    private func makeInput(
        _ configuration: FileInputConfiguration,
        checkpoints: [FileCheckpoint] = [],
        collector: EventCollector
    ) -> FileInput {
        FileInput(
            configuration: configuration,
            checkpoints: checkpoints,
            delegate: collector,
            logger: Logger(label: "test"),
            now: { Self.fixedDate }
        )
    }

    private func create(_ path: String, _ text: String = "") throws {
        #expect(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)))
    }

    private func fileKey(_ path: String) throws -> FileKey {
        var info = stat()
        try #require(stat(path, &info) == 0)
        return FileKey(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
    }

    @Test func appendedLinesArrive() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("app.log")
        try create(path, "one\ntwo\n")
        try create(directory.file("skip.log"), "excluded\n")
        let collector = EventCollector()
        let configuration = FileInputConfiguration(
            id: "test",
            paths: [directory.file("*.log")],
            exclude: ["*/skip.log"],
            fields: ["env": "prod"]
        )
        let input = makeInput(configuration, collector: collector)
        try await whileRunning(input) {
            try await collector.waitUntil { $0.events.count == 2 }
            try append("three\nfour", to: path)
            try await collector.waitUntil { $0.events.count == 3 }
            try append("\n", to: path)
            try await collector.waitUntil { $0.events.count == 4 }
        }
        #expect(collector.messages == ["one", "two", "three", "four"])
        let snapshot = collector.snapshot
        let key = try fileKey(path)
        #expect(snapshot.opened.map(\.path) == [path])
        #expect(snapshot.opened.map(\.offset) == [0])
        let first = try #require(snapshot.events.first)
        #expect(first.timestamp == Self.fixedDate)
        #expect(
            first.source
                == EventSource(
                    fileKey: key,
                    startOffset: 0,
                    endOffset: 4,
                    fingerprint: EventSource.fingerprint(of: first.message ?? "")
                )
        )
        let expectedFields: FieldObject = [
            "message": "one",
            "log": .object(["file": .object(["path": .string(path)]), "offset": 0]),
            "fields": .object(["env": "prod"]),
        ]
        #expect(first.fields == expectedFields)
        #expect(snapshot.events.last?.source?.endOffset == 19)
        let statistics = input.statistics
        #expect(statistics.linesRead == 4)
        #expect(statistics.eventsEmitted == 4)
        #expect(statistics.bytesRead == 19)
    }

    @Test func renameRotationLosesAndDuplicatesNothing() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("app.log")
        try create(path, (1...100).map { "line \($0)\n" }.joined())
        let collector = EventCollector()
        let input = makeInput(FileInputConfiguration(id: "test", paths: [path]), collector: collector)
        try await whileRunning(input) {
            try await collector.waitUntil { $0.events.count == 100 }
            let writer = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            try writer.seekToEnd()
            try writer.write(contentsOf: Data((101...150).map { "line \($0)\n" }.joined().utf8))
            #expect(rename(path, directory.file("app.log.1")) == 0)
            // The writer still holds the renamed file.
            try writer.write(contentsOf: Data((151...160).map { "line \($0)\n" }.joined().utf8))
            try writer.close()
            try create(path, (161...200).map { "line \($0)\n" }.joined())
            try await collector.waitUntil { $0.events.count >= 200 }
            // The renamed file no longer matches the pattern: once quiet at its end it is closed.
            let rotatedKey = collector.snapshot.events.first { $0.message == "line 155" }?.source?.fileKey
            try await collector.waitUntil { record in record.closed.contains { $0.key == rotatedKey } }
        }
        #expect(collector.messages.sorted() == (1...200).map { "line \($0)" }.sorted())
        #expect(Set(collector.messages).count == collector.messages.count)
        let rotatedPaths = Set(
            collector.snapshot.events.filter { $0.message == "line 155" }.compactMap {
                $0.fields["log"]?.objectValue?["file"]?.objectValue?["path"]?.stringValue
            }
        )
        #expect(rotatedPaths == [path])
        #expect(input.statistics.rotations >= 1)
    }

    @Test func truncationRestartsAtZero() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("app.log")
        try create(path, "first line\nsecond line\n")
        let collector = EventCollector()
        let input = makeInput(FileInputConfiguration(id: "test", paths: [path]), collector: collector)
        try await whileRunning(input) {
            try await collector.waitUntil { $0.events.count == 2 }
            #expect(truncate(path, 0) == 0)
            try append("new\n", to: path)
            try await collector.waitUntil { $0.events.count == 3 }
        }
        let snapshot = collector.snapshot
        #expect(collector.messages == ["first line", "second line", "new"])
        #expect(snapshot.truncated.map(\.path) == [path])
        #expect(snapshot.events.last?.source?.startOffset == 0)
        #expect(input.statistics.truncations == 1)
        // Read again from 0 as a new generation: opened as 0, truncated as 1.
        #expect(snapshot.generations == [0, 1])
        #expect(snapshot.events.map { $0.source?.generation } == [0, 0, 1])
    }

    /// A checkpointed file found shorter than its checkpoint (truncated while logship was
    /// stopped) starts a new generation; one found at least as long goes on with its own.
    @Test func aCheckpointPastTheEndStartsANewGeneration() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let short = directory.file("short.log")
        let long = directory.file("long.log")
        try create(short, "a\n")
        try create(long, "b\nc\n")
        let collector = EventCollector()
        let input = makeInput(
            FileInputConfiguration(id: "test", paths: [directory.file("*.log")]),
            checkpoints: [
                FileCheckpoint(fileKey: try fileKey(short), path: short, offset: 50, generation: 3),
                FileCheckpoint(fileKey: try fileKey(long), path: long, offset: 2, generation: 3),
            ],
            collector: collector
        )
        try await whileRunning(input) {
            try await collector.waitUntil { $0.events.count == 2 }
        }
        let generations = Dictionary(
            uniqueKeysWithValues: collector.snapshot.events.map { ($0.message ?? "", $0.source?.generation) }
        )
        #expect(generations == ["a": 4, "c": 3])
    }

    @Test func resumesFromACheckpoint() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("app.log")
        try create(path, "one\ntwo\nthree\n")
        let key = try fileKey(path)
        let collector = EventCollector()
        let input = makeInput(
            FileInputConfiguration(id: "test", paths: [path], readFrom: .end),
            checkpoints: [FileCheckpoint(fileKey: key, path: "/elsewhere/app.log", offset: 4)],
            collector: collector
        )
        try await whileRunning(input) {
            try await collector.waitUntil { $0.events.count == 2 }
        }
        #expect(collector.messages == ["two", "three"])
        #expect(collector.snapshot.opened.map(\.offset) == [4])
        #expect(collector.snapshot.events.map { $0.source?.startOffset } == [4, 8])
    }

    /// Rotated while logship was stopped: the rest of the checkpointed file, now `app.log.1`, is
    /// read first (from its checkpoint), then the new `app.log`.
    @Test func aFileRotatedWhileStoppedIsFinishedFirst() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("app.log")
        try create(path, "one\ntwo\nthree\n")
        let key = try fileKey(path)
        try FileManager.default.moveItem(atPath: path, toPath: path + ".1")
        try create(path, "four\nfive\n")
        let collector = EventCollector()
        let input = makeInput(
            FileInputConfiguration(id: "test", paths: [directory.file("*.log")]),
            checkpoints: [FileCheckpoint(fileKey: key, path: path, offset: 4)],
            collector: collector
        )
        try await whileRunning(input) {
            try await collector.waitUntil { $0.events.count == 4 && $0.closed.count == 1 }
        }
        #expect(collector.messages == ["two", "three", "four", "five"])
        #expect(collector.snapshot.closed.map(\.path) == [path + ".1"])
        // Both checkpointed under the name the patterns found them by: after another restart the
        // rotated one is looked for beside it again.
        #expect(collector.snapshot.opened.map(\.path) == [path, path])
    }

    @Test func readFromEndSkipsExistingContent() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("app.log")
        try create(path, "old\n")
        let collector = EventCollector()
        let input = makeInput(FileInputConfiguration(id: "test", paths: [path], readFrom: .end), collector: collector)
        try await whileRunning(input) {
            try await collector.waitUntil { $0.opened.count == 1 }
            try append("new\n", to: path)
            try await collector.waitUntil { $0.events.count == 1 }
        }
        #expect(collector.messages == ["new"])
        #expect(collector.snapshot.opened.map(\.offset) == [4])
    }

    @Test func pythonTracebackArrivesAsOneEvent() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("app.log")
        let traceback = """
            2024-05-01 10:00:00 ERROR request failed
            Traceback (most recent call last):
              File "/srv/app.py", line 12, in handle
                result = compute()
            ZeroDivisionError: division by zero
            """
        try create(path, traceback + "\n2024-05-01 10:00:01 INFO next\n")
        let collector = EventCollector()
        let multiline = MultilineConfiguration(pattern: #"^(\d{4}-\d{2}-\d{2}|\{)"#, negate: true, match: .after)
        let input = makeInput(
            FileInputConfiguration(id: "test", paths: [path], multiline: multiline, fieldsUnderRoot: true),
            collector: collector
        )
        try await whileRunning(input) {
            try await collector.waitUntil { $0.events.count == 1 }
        }
        let event = try #require(collector.snapshot.events.first)
        #expect(event.message == traceback)
        #expect(event.flags == ["multiline"])
        #expect(event.source?.startOffset == 0)
        #expect(event.source?.endOffset == Int64(traceback.utf8.count + 1))
    }

    @Test func multilineEventIsFlushedAfterTheTimeout() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("app.log")
        try create(path, "2024-05-01 start\n  continued\n")
        let collector = EventCollector()
        let multiline = MultilineConfiguration(
            pattern: #"^\d{4}"#,
            negate: true,
            match: .after,
            timeout: .milliseconds(200)
        )
        let input = makeInput(
            FileInputConfiguration(id: "test", paths: [path], multiline: multiline),
            collector: collector
        )
        try await whileRunning(input) {
            try await collector.waitUntil { $0.events.count == 1 }
        }
        #expect(collector.messages == ["2024-05-01 start\n  continued"])
    }

    @Test func shutdownFlushesThePendingMultilineEvent() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("app.log")
        try create(path, "2024-05-01 start\n  continued\n  partial")
        let collector = EventCollector()
        let multiline = MultilineConfiguration(pattern: #"^\d{4}"#, negate: true, match: .after, timeout: .seconds(60))
        let input = makeInput(
            FileInputConfiguration(id: "test", paths: [path], multiline: multiline),
            collector: collector
        )
        try await whileRunning(input) {
            // The step that opens the file reads it too, and its statistics are published
            // before its calls: once `opened` arrived, the two complete lines were read.
            try await collector.waitUntil { !$0.opened.isEmpty }
            #expect(input.statistics.linesRead == 2)
            #expect(collector.snapshot.events.isEmpty)
        }
        #expect(collector.messages == ["2024-05-01 start\n  continued"])
        #expect(collector.snapshot.events.first?.source?.endOffset == 29)
        #expect(input.statistics.filesOpen == 0)
    }

    @Test func fileInAMissingDirectoryIsFoundByTheRescan() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let subdirectory = directory.file("later")
        let collector = EventCollector()
        let input = makeInput(
            FileInputConfiguration(id: "test", paths: [subdirectory + "/*.log"], rescanInterval: .milliseconds(50)),
            collector: collector
        )
        try await whileRunning(input) {
            try FileManager.default.createDirectory(atPath: subdirectory, withIntermediateDirectories: false)
            try create(subdirectory + "/app.log", "hello\n")
            try await collector.waitUntil { $0.events.count == 1 }
        }
        #expect(collector.messages == ["hello"])
    }

    @Test func batchesAreBoundedAndLongLinesTruncated() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("app.log")
        var content = (1...1000).map { "line \($0)\n" }.joined()
        content += String(repeating: "x", count: 5000) + "\n" + "after\n"
        try create(path, content)
        let collector = EventCollector()
        let configuration = FileInputConfiguration(
            id: "test",
            paths: [path],
            maximumLineBytes: 100,
            readBufferBytes: 512,
            maximumBatchEvents: 64
        )
        let input = makeInput(configuration, collector: collector)
        try await whileRunning(input) {
            try await collector.waitUntil { $0.events.count == 1002 }
        }
        let snapshot = collector.snapshot
        try #require(snapshot.events.count == 1002)
        #expect(snapshot.batchSizes.allSatisfy { $0 <= 64 })
        #expect(collector.messages.prefix(1000) == ArraySlice((1...1000).map { "line \($0)" }))
        #expect(snapshot.events[1000].message == String(repeating: "x", count: 100))
        #expect(snapshot.events[1000].flags == ["truncated"])
        #expect(collector.messages.last == "after")
        #expect(input.statistics.truncatedLines == 1)
    }
}
