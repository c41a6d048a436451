import Foundation
import LogshipReceiver
import LogshipRuntime
import Testing

/// Rename rotations under a steady write load, with `kill -9` at 20 random moments (some
/// followed by a rotation while logship is down) and a restart each time: the union of what was
/// delivered is every event exactly once, and the derived counter is exact.
@Suite(.serialized)
struct RotationUnderLoadTests {
    /// Moves `aetherra_hub.log.N` to `.N+1` from the oldest down, then the live file to `.1`, and
    /// creates a new live file: logrotate's numbered chain, long enough that nothing is deleted.
    private func rotate(_ logs: String) throws {
        let manager = FileManager.default
        let numbered = try manager.contentsOfDirectory(atPath: logs).compactMap { name -> Int? in
            name.hasPrefix("aetherra_hub.log.") ? Int(name.dropFirst("aetherra_hub.log.".count)) : nil
        }
        for number in numbered.sorted(by: >) {
            try manager.moveItem(
                atPath: "\(logs)/aetherra_hub.log.\(number)",
                toPath: "\(logs)/aetherra_hub.log.\(number + 1)"
            )
        }
        try manager.moveItem(atPath: "\(logs)/aetherra_hub.log", toPath: "\(logs)/aetherra_hub.log.1")
        #expect(manager.createFile(atPath: "\(logs)/aetherra_hub.log", contents: nil))
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
        let complete = await waitUntil(timeout: .seconds(120)) {
            setup.receiver.documentCount >= fixture.eventsWritten
        }
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
}
