import Foundation
import Logging
import LogshipCore
import LogshipOutputs
import LogshipReceiver
import ServiceLifecycle
import Testing

/// The output against the in-process `BulkReceiver`: real HTTP, gzip, faults.
@Suite struct ElasticsearchOutputTests {
    let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    func configuration(
        port: Int,
        _ change: (inout ElasticsearchOutputConfiguration) -> Void = { _ in }
    )
        -> ElasticsearchOutputConfiguration
    {
        var configuration = ElasticsearchOutputConfiguration(
            id: "es",
            hosts: ["http://127.0.0.1:\(port)"],
            index: "logs-%{+yyyy.MM.dd}",
            maximumBatchEvents: 10,
            maximumBatchAge: .milliseconds(20),
            initialBackoff: .milliseconds(5),
            maximumBackoff: .milliseconds(20),
            requestTimeout: .seconds(5),
            shutdownTimeout: .seconds(5)
        )
        change(&configuration)
        return configuration
    }

    /// Runs `output` in a service group around `body`, then shuts it down gracefully and returns
    /// how long the shutdown took.
    @discardableResult
    func withRunning(
        _ output: ElasticsearchOutput,
        _ body: () async throws -> Void
    ) async throws -> Duration {
        let group = ServiceGroup(services: [output], logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await body()
            let start = ContinuousClock.now
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return ContinuousClock.now - start
        }
    }

    /// Runs `body` with a started receiver and its port, and shuts the receiver down afterwards;
    /// with `tls` the receiver serves HTTPS.
    func withReceiver(tls: ServerTLS? = nil, _ body: (BulkReceiver, Int) async throws -> Void) async throws {
        let receiver = BulkReceiver(strict: true, tls: tls, logger: logger)
        let port = try await receiver.start()
        do {
            try await body(receiver, port)
        } catch {
            await receiver.shutdown()
            throw error
        }
        await receiver.shutdown()
    }

    @Test func shipsCompressedBatchesAndAcknowledges() async throws {
        try await withReceiver { receiver, port in
            let acknowledged = AcknowledgementRecorder()
            let output = ElasticsearchOutput(
                configuration: configuration(port: port),
                acknowledge: { acknowledged.record($0) },
                logger: logger
            )
            let events = makeEvents(25)
            try await withRunning(output) {
                await output.send(Array(events[0..<12]))
                await output.send(Array(events[12...]))
                #expect(await eventually { acknowledged.count == 25 })
            }
            #expect(Set(acknowledged.all) == Set(events.compactMap(\.source)))
            let stored = receiver.documents(in: "logs-2025.11.01")
            #expect(stored.count == 25)
            #expect(
                stored.first { $0.id == "801-2a-0-0" }?.source
                    == #"{"@timestamp":"2025-11-01T12:00:00.123Z","message":"line 0"}"#
            )
            #expect(receiver.requests.allSatisfy { $0.gzip && $0.path == "/_bulk" && $0.status == 200 })
            #expect(receiver.createCounts.values.allSatisfy { $0 == 1 })
            let statistics = output.statistics
            #expect(statistics.eventsReceived == 25)
            #expect(statistics.documentsAcknowledged == 25)
            #expect(statistics.bufferedEvents == 0)
            #expect(statistics.bulkRequests[.success] == receiver.requestCount)
            #expect(statistics.bytesCompressed < statistics.bytesUncompressed)
            #expect(statistics.inFlightRequests == 0)
        }
    }

    @Test func retriesAfterWholeRequestAndPerItem429() async throws {
        try await withReceiver { receiver, port in
            receiver.enqueue(.rejectRequest(status: 429), .failItems(count: 2, status: 429))
            let acknowledged = AcknowledgementRecorder()
            let output = ElasticsearchOutput(
                configuration: configuration(port: port) { $0.compressionLevel = 0 },
                acknowledge: { acknowledged.record($0) },
                logger: logger
            )
            try await withRunning(output) {
                await output.send(makeEvents(5))
                #expect(await eventually { acknowledged.count == 5 })
            }
            let requests = receiver.requests
            #expect(requests.map(\.status) == [429, 200, 200])
            #expect(requests[1].itemStatuses == [429, 429, 201, 201, 201])
            #expect(requests[2].items.map(\.id) == ["801-2a-0-0", "801-2a-a-0"])
            #expect(requests.allSatisfy { !$0.gzip })
            #expect(receiver.documentCount == 5)
            let statistics = output.statistics
            #expect(statistics.documentsRetried == 7)
            #expect(statistics.bulkRequests[.throttled] == 1)
            #expect(statistics.bulkRequests[.partial] == 1)
            #expect(statistics.bulkRequests[.success] == 1)
            #expect(statistics.bytesCompressed == statistics.bytesUncompressed)
        }
    }

    @Test func conflictsAreAcknowledged() async throws {
        try await withReceiver { receiver, port in
            let acknowledged = AcknowledgementRecorder()
            let output = ElasticsearchOutput(
                configuration: configuration(port: port),
                acknowledge: { acknowledged.record($0) },
                logger: logger
            )
            try await withRunning(output) {
                await output.send(makeEvents(3))
                #expect(await eventually { acknowledged.count == 3 })
                // The same lines read again after a restart: already there.
                await output.send(makeEvents(3))
                #expect(await eventually { acknowledged.count == 6 })
            }
            #expect(receiver.documentCount == 3)
            #expect(output.statistics.documentsConflicted == 3)
            #expect(output.statistics.documentsAcknowledged == 6)
        }
    }

    @Test func rejectedDocumentsGoToTheDeadLetterFile() async throws {
        try await withReceiver { receiver, port in
            let directory = try temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let path = directory.appendingPathComponent("dead.ndjson").path
            receiver.enqueue(.failItems(count: 1, status: 400))
            let acknowledged = AcknowledgementRecorder()
            let output = ElasticsearchOutput(
                configuration: configuration(port: port) { $0.deadLetterPath = path },
                acknowledge: { acknowledged.record($0) },
                logger: logger
            )
            try await withRunning(output) {
                await output.send(makeEvents(3))
                #expect(await eventually { acknowledged.count == 3 })
            }
            #expect(receiver.documentCount == 2)
            #expect(output.statistics.documentsDeadLettered == 1)
            #expect(output.statistics.deadLetteredByReason == ["document_parsing_exception": 1])
            #expect(output.statistics.documentsAcknowledged == 2)
            // One request of three documents, timed.
            #expect(output.statistics.requestDocuments.count == 1 && output.statistics.requestDocuments.sum == 3)
            #expect(output.statistics.requestSeconds.count == 1)
            let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
            #expect(lines.count == 1)
            #expect(lines.first?.contains(#""status":400"#) == true)
            #expect(lines.first?.contains(#""index":"logs-2025.11.01","#) == true)
            #expect(
                lines.first?.contains(
                    #""id":"801-2a-0-0","document":{"@timestamp":"2025-11-01T12:00:00.123Z","message":"line 0"}}"#
                ) == true
            )
        }
    }

    @Test func tooLargeRequestIsSplit() async throws {
        try await withReceiver { receiver, port in
            receiver.enqueue(.rejectRequest(status: 413), .rejectRequest(status: 413))
            let acknowledged = AcknowledgementRecorder()
            let output = ElasticsearchOutput(
                configuration: configuration(port: port),
                acknowledge: { acknowledged.record($0) },
                logger: logger
            )
            try await withRunning(output) {
                await output.send(makeEvents(8))
                #expect(await eventually { acknowledged.count == 8 })
            }
            // 8 → 413; its halves go out side by side: one 4 → 413 (then 2 + 2), the other lands.
            #expect(receiver.requests.map(\.items.count).sorted() == [0, 0, 2, 2, 4])
            #expect(receiver.documentCount == 8)
            #expect(output.statistics.bulkRequests[.tooLarge] == 2)
        }
    }

    @Test func movesToTheNextHostAfterAConnectionError() async throws {
        let dead = BulkReceiver(logger: logger)
        let deadPort = try await dead.start()
        await dead.shutdown()
        try await withReceiver { receiver, port in
            receiver.enqueue(.closeConnection)
            let acknowledged = AcknowledgementRecorder()
            let output = ElasticsearchOutput(
                configuration: configuration(port: port) { $0.hosts = ["http://127.0.0.1:\(deadPort)", $0.hosts[0]] },
                acknowledge: { acknowledged.record($0) },
                logger: logger
            )
            try await withRunning(output) {
                await output.send(makeEvents(4))
                #expect(await eventually { acknowledged.count == 4 })
            }
            #expect(receiver.documentCount == 4)
            #expect((output.statistics.bulkRequests[.transportError] ?? 0) >= 2)
            // Delivered in the end: the last error is cleared (health follows the present).
            #expect(output.statistics.bulkRequests[.success] == 1)
            #expect(output.statistics.lastError == nil)
        }
    }

    @Test func gracefulShutdownFlushesTheOpenBatch() async throws {
        try await withReceiver { receiver, port in
            let acknowledged = AcknowledgementRecorder()
            let output = ElasticsearchOutput(
                configuration: configuration(port: port) { $0.maximumBatchAge = .seconds(60) },
                acknowledge: { acknowledged.record($0) },
                logger: logger
            )
            let shutdown = try await withRunning(output) {
                await output.send(makeEvents(3))
            }
            #expect(acknowledged.count == 3)
            #expect(receiver.documentCount == 3)
            // Not the 60 s batch age: shutdown flushed at once. (A bound well under it: on a
            // loaded host with the suite running in parallel a shutdown took 2.2 s.)
            #expect(shutdown < .seconds(30))
        }
    }

    @Test func backpressureSuspendsSendUntilAcknowledged() async throws {
        try await withReceiver { receiver, port in
            receiver.enqueue(.delay(.milliseconds(300)))
            let acknowledged = AcknowledgementRecorder()
            let output = ElasticsearchOutput(
                configuration: configuration(port: port) {
                    $0.maximumBufferedEvents = 4
                    $0.maximumBatchEvents = 4
                },
                acknowledge: { acknowledged.record($0) },
                logger: logger
            )
            try await withRunning(output) {
                await output.send(makeEvents(4))
                let second = Task { await output.send(makeEvents(4, from: 4)) }
                #expect(await eventually { output.statistics.suspendedSenders == 1 })
                #expect(acknowledged.count == 0)
                await second.value
                #expect(acknowledged.count >= 4)
                #expect(await eventually { acknowledged.count == 8 })
            }
            #expect(receiver.documentCount == 8)
        }
    }

    /// `max_buffered_bytes` binds before the slots and the event count do.
    @Test(.timeLimit(.minutes(1))) func backpressureHoldsTheBufferedBytes() async throws {
        try await withReceiver { receiver, port in
            receiver.enqueue(.delay(.milliseconds(300)))
            let acknowledged = AcknowledgementRecorder()
            let output = ElasticsearchOutput(
                configuration: configuration(port: port) {
                    $0.maximumBatchEvents = 1000
                    $0.maximumBatchBytes = 1024
                    $0.maximumBufferedBytes = 1024
                    $0.maximumInFlightRequests = 4
                    $0.maximumBufferedEvents = 1000
                },
                acknowledge: { acknowledged.record($0) },
                logger: logger
            )
            try await withRunning(output) {
                // About 120 bytes a document: one batch closes by bytes, the rest stays open.
                await output.send(makeEvents(12))
                let held = output.statistics
                #expect(held.bufferedBatches == 1 && held.bufferedBatchBytes + held.openBatchBytes >= 1024)
                let second = Task { await output.send(makeEvents(4, from: 12)) }
                #expect(await eventually { output.statistics.suspendedSenders == 1 })
                await second.value
                // Resumed once an acknowledgement freed bytes.
                #expect(acknowledged.count > 0)
                await acknowledged.waitUntil(count: 16)
            }
            #expect(receiver.documentCount == 16)
        }
    }

    @Test func backpressureAdmitsOneClosedBatchPerRequestSlot() async throws {
        try await withReceiver { receiver, port in
            receiver.enqueue(.delay(.milliseconds(300)))
            let acknowledged = AcknowledgementRecorder()
            let output = ElasticsearchOutput(
                configuration: configuration(port: port) {
                    $0.maximumBatchEvents = 1000
                    $0.maximumBatchBytes = 1024
                    $0.maximumInFlightRequests = 1
                    $0.maximumBufferedEvents = 1000
                },
                acknowledge: { acknowledged.record($0) },
                logger: logger
            )
            try await withRunning(output) {
                // About 120 bytes a document: a batch closes by bytes and fills the only slot.
                await output.send(makeEvents(12))
                #expect(output.statistics.bufferedBatches >= 1)
                #expect(output.statistics.bufferedBatchBytes > 512)
                let second = Task { await output.send(makeEvents(4, from: 12)) }
                #expect(await eventually { output.statistics.suspendedSenders == 1 })
                #expect(acknowledged.count == 0)
                await second.value
                #expect(await eventually { acknowledged.count == 16 })
            }
            #expect(receiver.documentCount == 16)
            #expect(output.statistics.bufferedBatches == 0)
            #expect(output.statistics.bufferedBatchBytes == 0)
        }
    }

    @Test func shutdownTimeoutLeavesUnacknowledgedEvents() async throws {
        try await withReceiver { receiver, port in
            for _ in 0..<1000 { receiver.enqueue(.rejectRequest(status: 503)) }
            let acknowledged = AcknowledgementRecorder()
            let output = ElasticsearchOutput(
                configuration: configuration(port: port) { $0.shutdownTimeout = .milliseconds(200) },
                acknowledge: { acknowledged.record($0) },
                logger: logger
            )
            let shutdown = try await withRunning(output) {
                await output.send(makeEvents(3))
                #expect(await eventually { receiver.requestCount >= 2 })
            }
            // Bounded by the timeout, not by the 1,000 answers of 503 and their backoff (minutes).
            // Loose: the suite runs on two shared cores (4.4 s seen under load); issue 8's output
            // state machine, driven by an injected clock, will test this without the wall clock.
            #expect(shutdown < .seconds(15))
            #expect(acknowledged.count == 0)
            #expect(output.statistics.bufferedEvents == 3)
            #expect((output.statistics.bulkRequests[.serverError] ?? 0) >= 2)
        }
    }
}

struct OutputStatisticsTests {
    @Test func deadLetterReasonsAreBounded() {
        var statistics = ElasticsearchOutputStatistics()
        for number in 0..<30 { statistics.deadLettered(1, type: "exception_\(number)") }
        statistics.deadLettered(2, type: "exception_3")
        #expect(statistics.deadLetteredByReason.count == ElasticsearchOutputStatistics.maximumReasons + 1)
        #expect(statistics.deadLetteredByReason["other"] == 10)
        #expect(statistics.deadLetteredByReason["exception_3"] == 3)
    }

    @Test func histogramsAreCumulative() {
        var histogram = ObservedHistogram(bounds: [1, 10])
        for value in [0.5, 1, 5, 50] { histogram.observe(value) }
        #expect(histogram.cumulativeCounts == [2, 3, 4])
        #expect(histogram.sum == 56.5 && histogram.count == 4)
    }
}
