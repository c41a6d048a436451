import Foundation
import Glibc
import LogshipReceiver
import LogshipRuntime
import Testing

/// Rename rotations under a steady write load, with `kill -9` at 20 random moments (some
/// followed by a rotation while logship is down) and a restart each time: the union of what was
/// delivered is every event exactly once, and the derived counter is exact.
@Suite(.serialized)
struct RotationUnderLoadTests {
    private func rotate(_ logs: String) throws {
        try rotateNumbered(logs, name: "aetherra_hub.log")
        #expect(FileManager.default.createFile(atPath: "\(logs)/aetherra_hub.log", contents: nil))
    }

    /// Waits until the receiver holds every event written, checks the derived counter, stops
    /// logship, and checks that every event is in exactly one document. Returns the distinct event
    /// times found.
    private func expectEveryEventOnce(
        _ setup: PipelineEndToEndTests.Setup,
        _ fixture: AetherraLogFixture,
        _ logship: LogshipProcess,
        within timeout: Duration
    ) async throws -> Set<Substring> {
        let complete = await waitUntil(timeout: timeout) { setup.receiver.documentCount >= fixture.eventsWritten }
        #expect(
            complete,
            "\(setup.receiver.documentCount) of \(fixture.eventsWritten); log:\n\(logship.log.suffix(3000))"
        )
        let exposition = try #require(httpGet(setup.metricsURL))
        let counted = parseExposition(exposition).filter { $0.key.hasPrefix("aetherra_api_requests_total{") }.values
            .reduce(0, +)
        #expect(counted == Double(fixture.totals.requests.values.reduce(0, +)))
        logship.signal(SIGTERM)
        #expect(await logship.waitForExit(timeout: .seconds(30)) == 0)
        let documents = setup.receiver.documents(in: AetherraLogFixture.index)
        #expect(documents.count == fixture.eventsWritten)
        #expect(Set(documents.map(\.id)).count == documents.count)
        // Each event has its own time (a millisecond apart): each is in one document.
        let times = Set(
            documents.compactMap { document -> Substring? in
                guard let range = document.source.range(of: #""@timestamp":""#) else { return nil }
                return document.source[range.upperBound...].prefix { $0 != "\"" }
            }
        )
        #expect(times.count == fixture.eventsWritten)
        return times
    }

    @Test func killNineAtTwentyMomentsDuringRotationsLosesAndRepeatsNothing() async throws {
        let setup = try await PipelineEndToEndTests.Setup.make()
        defer { Task { await setup.tearDown() } }
        var fixture = AetherraLogFixture(directory: setup.logs)
        let chunks = 120
        let chunkEvents = 1_500
        let rotationEvery = 6  // chunks: 9,000 events a file, 20 rotations
        var random = SystemRandomNumberGenerator()
        let kills = Set((1..<chunks).shuffled(using: &random).prefix(20))
        var logship = try setup.start("run-0")
        var restarts = 0
        var rotationsWhileDown = 0
        for chunk in 0..<chunks {
            try fixture.append(events: chunkEvents)
            if chunk == 0 {
                // Lines rotated away before logship ever saw their file are out of its reach (and
                // any shipper's): the load starts once it reads.
                let reading = await waitUntil(timeout: .seconds(60)) { setup.receiver.documentCount > 0 }
                #expect(reading, "log:\n\(logship.log.suffix(3000))")
            }
            if kills.contains(chunk) {
                logship.signal(SIGKILL)
                #expect(await logship.waitForExit(timeout: .seconds(10)) != nil)
                if restarts % 2 == 0 {
                    // Every other time, a rotation comes while logship is down.
                    try rotate(setup.logs)
                    rotationsWhileDown += 1
                }
                restarts += 1
                logship = try setup.start("run-\(restarts)")
            } else if chunk % rotationEvery == 0 {
                try rotate(setup.logs)
            }
            // A moment for logship to read some of it, so that kills fall in different places.
            _ = await waitUntil(timeout: .milliseconds(200)) { setup.receiver.documentCount >= fixture.eventsWritten }
        }
        let times = try await expectEveryEventOnce(setup, fixture, logship, within: .seconds(120))
        if times.count != fixture.eventsWritten {
            // Which chunks lost events: each event's time is its number in milliseconds.
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            var perChunk: [Int: Int] = [:]
            for time in times {
                guard let date = formatter.date(from: String(time)) else { continue }
                let number = Int((date.timeIntervalSince(AetherraLogFixture.day) * 1000).rounded())
                perChunk[number / chunkEvents, default: 0] += 1
            }
            let short = (0..<chunks).filter { perChunk[$0, default: 0] != chunkEvents }
            print("chunks short: \(short.map { "\($0): \(perChunk[$0, default: 0])" }); logs kept in \(setup.logs)")
            try? FileManager.default.copyItem(
                atPath: setup.directory.path(""),
                toPath: "/tmp/rotation-failure-\(UUID())"
            )
        }
        print(
            "rotation under load: \(fixture.eventsWritten) events, \(fixture.linesWritten) lines,",
            "\(restarts) kill -9 (at chunks \(kills.sorted())), \(rotationsWhileDown) rotations while down"
        )
    }

    /// logrotate's rename rotation every 100,000 lines, 10 times, the lines written at 60,000
    /// lines/s (at least 50,000, measured; a rotation every 1.7 s), logship left behind: every
    /// event once.
    @Test func tenRotationsAtAHighWriteRateLoseAndRepeatNothing() async throws {
        let setup = try await PipelineEndToEndTests.Setup.make()
        defer { Task { await setup.tearDown() } }
        var fixture = AetherraLogFixture(directory: setup.logs)
        // The text first (generating it is slower than writing), about 100,000 lines a file.
        var files: [[String]] = []
        for _ in 0..<10 {
            var writes: [String] = []
            let start = fixture.linesWritten
            while fixture.linesWritten - start < 100_000 { writes.append(fixture.text(events: 90)) }
            files.append(writes)
        }
        let logship = try setup.start("run")
        let up = await waitUntil(timeout: .seconds(30)) { httpGet(setup.metricsURL) != nil }
        #expect(up, "log:\n\(logship.log)")
        let started = ContinuousClock.now
        var lines = 0
        for (number, writes) in files.enumerated() {
            if number > 0 { try rotate(setup.logs) }
            let descriptor = open(fixture.path, O_WRONLY | O_APPEND)
            try #require(descriptor >= 0)
            for text in writes {
                let written = text.utf8.withContiguousStorageIfAvailable {
                    Glibc.write(descriptor, $0.baseAddress, $0.count)
                }
                try #require(written == text.utf8.count)
                // Paced at 60,000 lines/s: the writer's schedule, not synchronisation.
                lines += text.utf8.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
                let due = started.advanced(by: .microseconds(lines * 1_000_000 / 60_000))
                if due > ContinuousClock.now { try await Task.sleep(until: due) }
            }
            close(descriptor)
        }
        let writing = ContinuousClock.now - started
        let rate =
            Double(fixture.linesWritten)
            / (Double(writing.components.seconds) + Double(writing.components.attoseconds) / 1e18)
        #expect(rate >= 50_000, "written at \(Int(rate)) lines/s")
        _ = try await expectEveryEventOnce(setup, fixture, logship, within: .seconds(600))
        print(
            "10 rotations: \(fixture.linesWritten) lines written at \(Int(rate)) lines/s in \(writing);",
            "all \(fixture.eventsWritten) events shipped \(ContinuousClock.now - started) after the first write"
        )
    }
}
