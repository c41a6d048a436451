import Foundation
import Logging
import LogshipCore
import LogshipOutputs
import LogshipReceiver
import Testing

extension ElasticsearchOutputTests {
    /// Nothing listens where Elasticsearch should be (down, restarting): connections are refused,
    /// retried with backoff, the host marked down and the failure visible; once it listens,
    /// everything lands once and the failure clears.
    @Test(.timeLimit(.minutes(1))) func refusedConnectionsAreRetriedUntilElasticsearchListens() async throws {
        let port = try await unusedPort()
        let logs = LogCapture()
        let acknowledged = AcknowledgementRecorder()
        let output = ElasticsearchOutput(
            configuration: configuration(port: port),
            acknowledge: { acknowledged.record($0) },
            logger: logs.logger
        )
        let receiver = BulkReceiver(port: port, strict: true, logger: logger)
        try await withRunning(output) {
            await output.send(makeEvents(10))
            await logs.waitUntil(logged: "bulk request failed; retrying with backoff")
            let down = output.statistics
            #expect(down.failingSince != nil && down.documentsAcknowledged == 0)
            #expect((down.bulkRequests[.transportError] ?? 0) >= 1)
            #expect(down.hosts.first?.failures ?? 0 >= 1)
            #expect(down.lastError?.contains("http://127.0.0.1:\(port)") == true, "\(down.lastError ?? "-")")
            _ = try await receiver.start()
            await acknowledged.waitUntil(count: 10)
            let back = output.statistics
            #expect(back.failingSince == nil && back.lastError == nil && back.hosts.first?.failures == 0)
        }
        await receiver.shutdown()
        #expect(receiver.documentCount == 10)
        #expect(receiver.requests.flatMap(\.itemStatuses).filter { $0 == 201 }.count == 10)
    }
}
