import Foundation
import ServiceLifecycle

/// Prints a pipeline's one-line status every `interval` on standard error: rewritten in place on
/// a terminal, one line every `interval` otherwise (for logs). Listed first in the service group,
/// so it stops last and prints the final figures.
package struct StatusLine: Service {
    let interval: Duration
    let status: @Sendable () -> PipelineStatus
    let prefix: String

    package init(
        interval: Duration = .seconds(1),
        prefix: String = "logship",
        status: @escaping @Sendable () -> PipelineStatus
    ) {
        self.interval = interval
        self.status = status
        self.prefix = prefix
    }

    private static let isTerminal = isatty(STDERR_FILENO) == 1

    package func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            // A display period, not synchronisation.
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            print(status().line, final: false)
        }
        print(status().line, final: true)
    }

    private func print(_ line: String, final: Bool) {
        let text: String
        if Self.isTerminal {
            text = "\r\u{1B}[K\(prefix): \(line)" + (final ? "\n" : "")
        } else {
            text = "\(prefix): \(line)\n"
        }
        FileHandle.standardError.write(Data(text.utf8))
    }
}
