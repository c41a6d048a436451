import Foundation
import LogshipCore
import LogshipOutputs
import LogshipReceiver
import Testing

/// Issue 8's answers end to end: the output against the receiver over real HTTP, with the
/// receiver answering as Elasticsearch 8 does when items or requests fail.
extension ElasticsearchOutputTests {
    /// Items answered 429, 400, 403, 409 and 201: the 429 and the 403 are retried and land, the
    /// 400 goes to the dead-letter file with its reason, the 409 (already there) is taken; nothing
    /// is stored twice, and the statistics say so.
    @Test(.timeLimit(.minutes(2))) func everyItemAnswerIsHandled() async throws {
        try await withReceiver { receiver, port in
            let directory = try temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let path = directory.appendingPathComponent("dead.ndjson").path
            let acknowledged = AcknowledgementRecorder()
            let output = ElasticsearchOutput(
                configuration: configuration(port: port) { $0.deadLetterPath = path },
                acknowledge: { acknowledged.record($0) },
                logger: logger
            )
            let events = makeEvents(5)
            try await withRunning(output) {
                // Event 3 first, so that it is there when the batch of five comes: a real 409.
                await output.send([events[3]])
                await acknowledged.waitUntil(count: 1)
                receiver.enqueue(.itemStatuses([429, 400, 403, 201, 201]))
                await output.send(events)
                await acknowledged.waitUntil(count: 6)
            }
            #expect(receiver.documentCount == 4)
            let statuses = receiver.requests.map(\.itemStatuses)
            #expect(statuses == [[201], [429, 400, 403, 409, 201], [201, 201]])
            let statistics = output.statistics
            #expect(statistics.documentsAcknowledged == 5)
            #expect(statistics.documentsConflicted == 1)
            #expect(statistics.documentsRetried == 2)
            #expect(statistics.documentsDeadLettered == 1)
            #expect(statistics.deadLetteredByReason == ["document_parsing_exception": 1])
            #expect(statistics.bulkRequests[.partial] == 1 && statistics.bulkRequests[.success] == 2)
            #expect(statistics.bufferedEvents == 0 && statistics.lastError == nil)
            let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
            #expect(lines.count == 1)
            #expect(lines.first?.contains(#""status":400"#) == true)
            #expect(lines.first?.contains(#""message":"line 1""#) == true)
        }
    }

    /// 413 above a body size: batches split until they fit and everything lands; the document
    /// too large on its own is dead-lettered with the 413.
    @Test(.timeLimit(.minutes(2))) func tooLargeSplitsUntilItFitsAndDeadLettersTheDocumentAlone() async throws {
        try await withReceiver { receiver, port in
            let directory = try temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let path = directory.appendingPathComponent("dead.ndjson").path
            receiver.enqueue(.tooLarge(above: 1_000))
            let acknowledged = AcknowledgementRecorder()
            let output = ElasticsearchOutput(
                configuration: configuration(port: port) {
                    $0.deadLetterPath = path
                    $0.compressionLevel = 0
                    $0.maximumBatchEvents = 40
                    $0.maximumBatchAge = .seconds(60)
                },
                acknowledge: { acknowledged.record($0) },
                logger: logger
            )
            var events = makeEvents(40)
            events[17].fields["message"] = .string(String(repeating: "x", count: 2_000))
            try await withRunning(output) {
                await output.send(events)
                await acknowledged.waitUntil(count: 40)
            }
            #expect(receiver.documentCount == 39)
            #expect(receiver.requests.filter { $0.status == 200 }.allSatisfy { $0.bodyBytes <= 1_000 })
            #expect(output.statistics.documentsDeadLettered == 1)
            #expect(output.statistics.documentsAcknowledged == 39)
            let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
            #expect(lines.count == 1 && lines.first?.contains(#""status":413"#) == true)
            #expect(lines.first?.contains("xxxxxxxxxx") == true)
        }
    }

    /// A connection reset after the documents were stored, and a request that times out: both
    /// are sent again, and `create` with the same ids stores nothing twice.
    @Test(.timeLimit(.minutes(2))) func resetsAndTimeoutsAreRetriedWithoutDuplicates() async throws {
        try await withReceiver { receiver, port in
            receiver.enqueue(.resetAfterStoring, .delay(.seconds(2)))
            let acknowledged = AcknowledgementRecorder()
            let output = ElasticsearchOutput(
                configuration: configuration(port: port) { $0.requestTimeout = .milliseconds(500) },
                acknowledge: { acknowledged.record($0) },
                logger: logger
            )
            try await withRunning(output) {
                await output.send(makeEvents(6))
                await acknowledged.waitUntil(count: 6)
            }
            #expect(receiver.documentCount == 6)
            #expect(Set(acknowledged.all).count == 6)
            #expect((output.statistics.bulkRequests[.transportError] ?? 0) >= 2)
            #expect(output.statistics.documentsAcknowledged == 6)
            // The resent documents were already there: 409, taken.
            #expect(output.statistics.documentsConflicted >= 6)
        }
    }
}

extension ElasticsearchOutputTests {
    /// Two hosts, one dead: every batch lands on the other, and the dead one is left out for a
    /// cooldown instead of taking every other request (round-robin alone would send it half of
    /// the 40 requests).
    @Test(.timeLimit(.minutes(2))) func aDeadHostIsLeftOutAndEverythingLandsOnTheOther() async throws {
        let dead = BulkReceiver(logger: logger)
        let deadPort = try await dead.start()
        await dead.shutdown()
        try await withReceiver { receiver, port in
            let acknowledged = AcknowledgementRecorder()
            let output = ElasticsearchOutput(
                configuration: configuration(port: port) {
                    $0.hosts = ["http://127.0.0.1:\(deadPort)", $0.hosts[0]]
                    $0.maximumBatchEvents = 1
                },
                acknowledge: { acknowledged.record($0) },
                logger: logger
            )
            let started = ContinuousClock.now
            try await withRunning(output) {
                for number in 0..<40 { await output.send(makeEvents(1, from: number)) }
                await acknowledged.waitUntil(count: 40)
                print("two hosts, one dead: 40 batches acknowledged \(ContinuousClock.now - started) after the first")
            }
            #expect(receiver.documentCount == 40)
            let failures = output.statistics.bulkRequests[.transportError] ?? 0
            #expect(failures >= 1 && failures < 10)
        }
    }
}

extension ElasticsearchOutputTests {
    /// Basic auth and an API key against a receiver that requires them; a wrong password is
    /// answered 401 and retried (nothing dead-lettered, nothing stored) until it is right, and the
    /// secret shows nowhere: not in the configuration's description, the statistics or the logs.
    @Test(.timeLimit(.minutes(2))) func basicAuthAndAPIKeysAndRefusedCredentials() async throws {
        let password = "s3cret-Pa55"
        let basic = Credentials.basic(username: "elastic", password: .inline(Secret(password)))
        let key = Credentials.apiKey(.inline(Secret("VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw==")))
        let receiver = BulkReceiver(
            strict: true,
            accepted: [try basic.authorization(), try key.authorization()],
            logger: logger
        )
        let port = try await receiver.start()
        defer { Task { await receiver.shutdown() } }
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let passwordFile = directory.appendingPathComponent("password").path
        try "wrong\n".write(toFile: passwordFile, atomically: true, encoding: .utf8)
        let logs = LogCapture()
        for (credentials, first) in [(basic, 0), (key, 10)] {
            let acknowledged = AcknowledgementRecorder()
            let output = ElasticsearchOutput(
                configuration: configuration(port: port) { $0.credentials = credentials },
                acknowledge: { acknowledged.record($0) },
                logger: logs.logger
            )
            try await withRunning(output) {
                await output.send(makeEvents(5, from: first))
                await acknowledged.waitUntil(count: 5)
            }
        }
        #expect(receiver.documentCount == 10)
        // A password file with the wrong password: 401s, retried; the file is read again after
        // each, so fixing it is enough.
        let acknowledged = AcknowledgementRecorder()
        let fromFile = Credentials.basic(username: "elastic", password: .file(passwordFile))
        let output = ElasticsearchOutput(
            configuration: configuration(port: port) { $0.credentials = fromFile },
            acknowledge: { acknowledged.record($0) },
            logger: logs.logger
        )
        try await withRunning(output) {
            await output.send(makeEvents(5, from: 20))
            #expect(await eventually { (output.statistics.bulkRequests[.rejected] ?? 0) >= 2 })
            #expect(acknowledged.count == 0 && output.statistics.documentsDeadLettered == 0)
            try "\(password)\n".write(toFile: passwordFile, atomically: true, encoding: .utf8)
            await acknowledged.waitUntil(count: 5)
        }
        #expect(receiver.documentCount == 15)
        #expect(logs.text.contains("Elasticsearch refused the credentials (401)"))
        for text in [logs.text, "\(configuration(port: port) { $0.credentials = basic })", "\(output.statistics)"] {
            #expect(!text.contains(password) && !text.contains("VnVhQ2ZH"))
        }
    }
}
