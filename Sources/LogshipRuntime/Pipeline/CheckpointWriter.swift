package import Logging
import NIOPosix
package import ServiceLifecycle

/// Writes the checkpoint file every `interval` while anything changed, at once when a file the
/// checkpoint file does not know is opened (`CheckpointLedger.newFiles`), and once more at
/// graceful shutdown. It is listed first in the service group so that it shuts down last, after the
/// outputs have flushed and acknowledged what they had.
///
/// Each write runs on a thread of its own (an `NIOThreadPool` of one), not on the cooperative
/// pool the pipeline's stages share: encoding the metric state and waiting for `fsync` (about
/// 40 ms with 200,000 series) would otherwise hold one of its two threads.
package struct CheckpointWriter: Service {
    let ledger: CheckpointLedger
    let interval: Duration
    let logger: Logger
    let statistics: RuntimeStatistics

    package init(ledger: CheckpointLedger, interval: Duration, statistics: RuntimeStatistics, logger: Logger) {
        self.ledger = ledger
        self.interval = interval
        self.statistics = statistics
        self.logger = logger
    }

    package func run() async throws {
        let thread = NIOThreadPool(numberOfThreads: 1)
        thread.start()
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            // The period between two checkpoint writes, cut short by a new file or shutdown.
            await withGracefulShutdownHandler {
                await ledger.newFiles.wait(upTo: interval)
            } onGracefulShutdown: {
                ledger.newFiles.signal()
            }
            do {
                let wrote = try await thread.runIfActive { [ledger] in try ledger.write(force: false) }
                // Nothing new to write: the file is current, which the checkpoint age counts too.
                if wrote { statistics.checkpointWritten() } else { statistics.checkpointCurrent() }
            } catch is CancellationError {
                // Cancelled before it started: the last write below makes up for it.
            } catch {
                failed(error)
            }
        }
        try? await thread.shutdownGracefully()
        // Here, not on the thread: work of a cancelled task may not start there, and the stages
        // have stopped by now (this service shuts down last).
        do {
            if try ledger.write(force: true) { statistics.checkpointWritten() }
        } catch {
            failed(error)
        }
        logger.info("checkpoints written at shutdown")
    }

    private func failed(_ error: any Error) {
        statistics.checkpointFailed()
        logger.error("cannot write checkpoints: \(error)")
    }
}
