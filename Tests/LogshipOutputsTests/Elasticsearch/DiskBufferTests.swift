import Foundation
import LogshipCore
import LogshipOutputs
import LogshipReceiver
import Testing

/// The disk buffer on its own (segments written, read back in order, bounded, found again by the
/// next run), and the output with it while Elasticsearch is down.
struct DiskBufferTests {
    @Test func segmentsComeBackInOrderAndSurviveARestart() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("buffer").path
        let first = try makeBatch(makeEvents(3))
        let second = try makeBatch(makeEvents(2, from: 3))
        let buffer = DiskBuffer(directory: path, maximumBytes: first.bytes.count + second.bytes.count)
        try buffer.open()
        #expect(try buffer.write(first) && buffer.write(second))
        #expect(try !buffer.write(first), "over the bound")
        #expect(buffer.bytes == first.bytes.count + second.bytes.count && buffer.documents == 5)

        // Read back as written: the same body, the same ids and indices, no sources.
        let read = try #require(try buffer.next())
        #expect(read.batch.bytes == first.bytes && read.batch.count == 3 && read.batch.sources.isEmpty)
        #expect((0..<3).map { read.batch.actionID(at: $0) } == (0..<3).map { first.actionID(at: $0) })
        buffer.remove(read.sequence, documents: 3)
        #expect(buffer.bytes == second.bytes.count && buffer.documents == 2)

        // The next run finds the second segment (a half-written one is dropped).
        try Data("partial".utf8).write(to: URL(fileURLWithPath: "\(path)/000000000009.ndjson.tmp"))
        let again = DiskBuffer(directory: path, maximumBytes: 1 << 20)
        try again.open()
        #expect(again.hasWaiting && again.bytes == second.bytes.count)
        let left = try #require(try again.next())
        #expect(left.batch.bytes == second.bytes && again.documents == 2)
        again.remove(left.sequence, documents: 2)
        #expect(try again.next() == nil)
        #expect(try FileManager.default.contentsOfDirectory(atPath: path).isEmpty)
    }

    @Test func aDamagedSegmentIsSetAsideAndSaid() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.path
        try Data("{\"create\":{}}\nno newline at the end".utf8).write(
            to: URL(fileURLWithPath: "\(path)/000000000001.ndjson")
        )
        let buffer = DiskBuffer(directory: path, maximumBytes: 1 << 20)
        try buffer.open()
        #expect(throws: DiskBufferError.unreadable(path: "\(path)/000000000001.ndjson")) { try buffer.next() }
        #expect(FileManager.default.fileExists(atPath: "\(path)/1.bad") && buffer.bytes == 0)
    }
}

extension ElasticsearchOutputTests {
    /// Elasticsearch down: sending does not wait (events go to disk and are acknowledged to the
    /// input); what a stopped run left is sent by the next, everything lands once and the buffer
    /// empties.
    @Test(.timeLimit(.minutes(2))) func theDiskBufferCarriesAnOutageAndARestart() async throws {
        try await withReceiver { receiver, port in
            let directory = try temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let buffer = directory.appendingPathComponent("buffer").path
            func output(_ acknowledged: AcknowledgementRecorder) -> ElasticsearchOutput {
                ElasticsearchOutput(
                    configuration: configuration(port: port) {
                        $0.diskBufferPath = buffer
                        $0.maximumDiskBufferBytes = 4 << 20
                        $0.maximumInFlightRequests = 1
                        $0.shutdownTimeout = .milliseconds(100)
                    },
                    acknowledge: { acknowledged.record($0) },
                    logger: logger
                )
            }
            receiver.enqueue(.rejectRequest(status: 503), count: 1_000_000)
            let first = AcknowledgementRecorder()
            let stopped = output(first)
            let spooled = 300
            try await withRunning(stopped) {
                // 30 sends of 10 while every request is refused: none waits for Elasticsearch;
                // each is acknowledged to the input once it is on disk.
                for round in 0..<30 { await stopped.send(makeEvents(10, from: round * 10)) }
                await first.waitUntil(count: spooled)
                let held = stopped.statistics
                #expect(held.documentsSpooled == spooled && held.diskBufferDocuments == spooled, "\(held)")
                #expect(held.diskBufferBytes > 0 && held.documentsAcknowledged == 0 && receiver.documentCount == 0)
                // Delivered from disk, and refused.
                #expect(await eventually { (stopped.statistics.bulkRequests[.serverError] ?? 0) >= 1 })
            }
            // Stopped with the outage on: the segments stay.
            #expect(try !FileManager.default.contentsOfDirectory(atPath: buffer).isEmpty)

            receiver.clearFaults()
            let second = AcknowledgementRecorder()
            let next = output(second)
            try await withRunning(next) {
                await next.send(makeEvents(10, from: 300))
                await second.waitUntil(count: 10)
                #expect(
                    await eventually { receiver.documentCount == spooled + 10 && next.statistics.diskBufferBytes == 0 }
                )
            }
            let created = receiver.requests.flatMap(\.itemStatuses).filter { $0 == 201 }.count
            #expect(created == spooled + 10)
            #expect(try FileManager.default.contentsOfDirectory(atPath: buffer).isEmpty)
        }
    }
}
