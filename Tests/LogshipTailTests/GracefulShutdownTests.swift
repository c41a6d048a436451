import Foundation
import Logging
import LogshipTail
import ServiceLifecycle
import Testing

@Suite struct GracefulShutdownTests {
    @Test func gracefulShutdownWakesTheInputAndFlushesPendingEvents() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("app.log")
        #expect(FileManager.default.createFile(atPath: path, contents: Data("2024-05-01 start\n  more\n".utf8)))
        let collector = EventCollector()
        let multiline = MultilineConfiguration(pattern: #"^\d{4}"#, negate: true, match: .after, timeout: .seconds(60))
        let input = FileInput(
            configuration: FileInputConfiguration(
                id: "test",
                paths: [path],
                multiline: multiline,
                rescanInterval: .seconds(60)
            ),
            delegate: collector,
            logger: Logger(label: "test")
        )
        let serviceGroup = ServiceGroup(
            configuration: .init(services: [input], gracefulShutdownSignals: [], logger: Logger(label: "test"))
        )
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await serviceGroup.run() }
            // The step that read both lines also reported the file opened.
            try await collector.waitUntil { $0.opened.count == 1 && input.statistics.linesRead == 2 }
            await serviceGroup.triggerGracefulShutdown()
            try await group.waitForAll()
        }
        // Without the wake it would take the 60 s multiline timeout or rescan interval; the
        // margin is wide so that a loaded machine does not fail it.
        #expect(ContinuousClock.now - started < .seconds(30))
        #expect(collector.messages == ["2024-05-01 start\n  more"])
    }
}
