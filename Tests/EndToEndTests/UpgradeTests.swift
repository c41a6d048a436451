import Foundation
import LogshipCore
import LogshipReceiver
import Testing

/// logship started on a `data_dir` written by the previous release: it resumes exactly at the
/// saved offset (no line skipped, none sent again) and gives each event the document id the
/// previous release gave it, so anything re-sent would be answered 409, not stored twice.
@Suite(.serialized)
struct UpgradeTests {
    /// The events of an Aetherra log as `pipelines/aetherra.yml` groups them: a line that starts
    /// with a date or `{` starts an event.
    static func events(in text: [UInt8]) -> [(start: Int, text: [UInt8])] {
        var events: [(start: Int, text: [UInt8])] = []
        var offset = 0
        for line in text.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).dropLast() {
            let startsEvent =
                line.first == UInt8(ascii: "{")
                || (line.count >= 4 && line.prefix(4).allSatisfy { $0 >= 48 && $0 <= 57 })
            if startsEvent || events.isEmpty {
                events.append((offset, Array(line)))
            } else {
                events[events.count - 1].text += [UInt8(ascii: "\n")] + line
            }
            offset += line.count + 1
        }
        return events
    }

    /// The id the previous release gave: `<device>-<inode>-<offset>-<FNV-1a 32 of the text>` in hex.
    static func previousReleaseID(device: UInt64, inode: UInt64, start: Int, text: [UInt8]) -> String {
        var hash: UInt32 = 2_166_136_261
        for byte in text {
            hash ^= UInt32(byte)
            hash &*= 16_777_619
        }
        return [String(device, radix: 16), String(inode, radix: 16), String(start, radix: 16), String(hash, radix: 16)]
            .joined(separator: "-")
    }

    @Test func resumesFromAPreviousReleasesDataDirectory() async throws {
        let setup = try await PipelineEndToEndTests.Setup.make()
        defer { Task { await setup.tearDown() } }
        var fixture = AetherraLogFixture(directory: setup.logs)
        try fixture.append(events: 400)
        let events = Self.events(in: Array(try Data(contentsOf: URL(fileURLWithPath: fixture.path))))
        #expect(events.count == 400)
        let attributes = try FileManager.default.attributesOfItem(atPath: fixture.path)
        let device = try #require((attributes[.systemNumber] as? NSNumber)?.uint64Value)
        let inode = try #require((attributes[.systemFileNumber] as? NSNumber)?.uint64Value)
        let shipped = 150
        let resumeAt = events[shipped].start
        // checkpoints.json as the previous release wrote it (format version 1, sorted keys).
        let checkpoint = """
            {"files":[{"fileKey":{"device":\(device),"inode":\(inode)},"offset":\(resumeAt),"path":"\(fixture.path)"}],"version":1}
            """
        try FileManager.default.createDirectory(atPath: setup.data, withIntermediateDirectories: true)
        try Data(checkpoint.utf8).write(to: URL(fileURLWithPath: setup.data + "/checkpoints.json"))

        let logship = try setup.start("upgraded")
        let expected = events.count - shipped
        let arrived = await waitUntil(timeout: .seconds(60)) { setup.receiver.documentCount >= expected }
        #expect(arrived, "\(setup.receiver.documentCount) of \(expected); log:\n\(logship.log)")
        logship.signal(SIGTERM)
        #expect(await logship.waitForExit(timeout: .seconds(15)) == 0, "log:\n\(logship.log)")

        let ids = Set(setup.receiver.documents(in: AetherraLogFixture.index).map(\.id))
        let previous = Set(
            events[shipped...].map {
                Self.previousReleaseID(device: device, inode: inode, start: $0.start, text: $0.text)
            }
        )
        #expect(ids.count == expected)
        #expect(ids == previous)
    }
}
