package import Logging
package import ServiceLifecycle

/// Writes the checkpoint file every `interval` while anything changed, at once when a file the
/// checkpoint file does not know is opened (`CheckpointLedger.newFiles`), and once more at
/// graceful shutdown. It is listed first in the service group so that it shuts down last, after the
/// outputs have flushed and acknowledged what they had.
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
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            // The period between two checkpoint writes, cut short by a new file or shutdown.
            await withGracefulShutdownHandler {
                await ledger.newFiles.wait(upTo: interval)
            } onGracefulShutdown: {
                ledger.newFiles.signal()
            }
            write(force: false)
        }
        write(force: true)
        logger.info("checkpoints written at shutdown")
    }

    private func write(force: Bool) {
        do {
            if try ledger.write(force: force) {
                statistics.checkpointWritten()
            } else {
                statistics.checkpointCurrent()
            }
        } catch {
            statistics.checkpointFailed()
            logger.error("cannot write checkpoints: \(error)")
        }
    }
}
