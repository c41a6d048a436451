import Foundation
import Logging
import LogshipOutputs
import LogshipReceiver
import LogshipRuntime
import Testing

/// `logship replay-dead-letters` against the receiver over real HTTP.
@Suite struct DeadLetterReplayTests {
    let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    static let records = """
        {"@timestamp":"2025-11-01T12:00:01.000Z","status":400,"error":{"type":"mapper_parsing_exception","reason":"x"},"index":"logs-2025.11.01","id":"a1","document":{"message":"a","n":1.50}}
        not a record
        {"@timestamp":"2025-11-01T12:00:02.000Z","status":400,"error":{"type":"mapper_parsing_exception","reason":"y"},"index":"logs-2025.11.01","id":"b1","document":{"message":"b"}}

        """

    func withReceiver(
        _ body: (BulkReceiver, ElasticsearchOutputConfiguration, String) async throws -> Void
    )
        async throws
    {
        let receiver = BulkReceiver(strict: true, logger: logger)
        let port = try await receiver.start()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("replay-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let configuration = ElasticsearchOutputConfiguration(
            id: "es",
            hosts: ["http://127.0.0.1:\(port)"],
            maximumBatchAge: .milliseconds(20),
            initialBackoff: .milliseconds(5),
            maximumBackoff: .milliseconds(20)
        )
        do {
            try await body(receiver, configuration, directory.path)
        } catch {
            await receiver.shutdown()
            throw error
        }
        await receiver.shutdown()
    }

    @Test func replaysEachDocumentOnceWithItsIdAndNamesBadLines() async throws {
        try await withReceiver { receiver, configuration, directory in
            let file = "\(directory)/dead-letter.ndjson"
            try Self.records.write(toFile: file, atomically: true, encoding: .utf8)
            let first = try await DeadLetterReplay.run(
                files: [file],
                configuration: configuration,
                timeout: .seconds(60),
                logger: logger
            )
            #expect(first.records == 2 && first.acknowledged == 2 && first.conflicts == 0)
            #expect(first.malformed == ["\(file):2: not a JSON object"])
            #expect(!first.succeeded)
            let stored = receiver.documents(in: "logs-2025.11.01").sorted { $0.id < $1.id }
            #expect(stored.map(\.id) == ["a1", "b1"])
            // The document as it was written: numbers and key order kept.
            #expect(stored.first?.source == #"{"message":"a","n":1.50}"#)
            // A second replay stores nothing twice: both answered 409 and taken.
            let second = try await DeadLetterReplay.run(
                files: [file],
                configuration: configuration,
                timeout: .seconds(60),
                logger: logger
            )
            #expect(second.acknowledged == 2 && second.conflicts == 2)
            #expect(receiver.documentCount == 2)
        }
    }

    @Test func documentsRejectedAgainGoToTheirOwnFile() async throws {
        try await withReceiver { receiver, configuration, directory in
            let file = "\(directory)/dead-letter.ndjson.1"
            let lines = Self.records.split(separator: "\n")
            try (lines[0] + "\n").write(toFile: file, atomically: true, encoding: .utf8)
            receiver.enqueue(.itemStatuses([400]))
            let summary = try await DeadLetterReplay.run(
                files: [file],
                configuration: configuration,
                timeout: .seconds(60),
                logger: logger
            )
            #expect(summary.rejectedAgain == 1 && summary.acknowledged == 0 && !summary.succeeded)
            #expect(summary.rejectedFile == file + ".rejected")
            let rejected = try String(contentsOfFile: file + ".rejected", encoding: .utf8)
            #expect(rejected.contains(#""id":"a1""#) && rejected.contains(#""document":{"message":"a","n":1.50}"#))
        }
    }
}
