package import LogshipCore
package import LogshipTransforms
import Synchronization

/// Counters of the runtime's own work, published as `logship_*` metrics and in the status line.
/// Updated once per batch.
package final class RuntimeStatistics: Sendable {
    /// A copy of the counters.
    package struct Values: Sendable {
        package var eventsProcessed: UInt64 = 0
        package var batchesProcessed: UInt64 = 0
        /// Seconds the pipeline waited for the output to take a batch (backpressure).
        package var backpressureSeconds: Double = 0
        package var checkpointWrites: UInt64 = 0
        package var checkpointFailures: UInt64 = 0
        /// When the checkpoint file was last written or found to hold every acknowledgement
        /// (nothing new to write), or when the pipeline started.
        package var lastCheckpoint = ContinuousClock.now
        /// Transform outcomes by transform id and outcome.
        package var transforms = TransformStatistics()
    }

    private let values = Mutex(Values())

    package init() {}

    package var current: Values { values.withLock { $0 } }

    package func processed(events: Int, transforms: TransformStatistics, backpressure: Duration) {
        values.withLock { values in
            values.eventsProcessed += UInt64(events)
            values.batchesProcessed += 1
            values.backpressureSeconds += backpressure.seconds
            values.transforms.merge(transforms)
        }
    }

    package func checkpointWritten() {
        values.withLock {
            $0.checkpointWrites += 1
            $0.lastCheckpoint = .now
        }
    }
    /// A checkpoint write found nothing new to write: the file is current.
    package func checkpointCurrent() { values.withLock { $0.lastCheckpoint = .now } }
    package func checkpointFailed() { values.withLock { $0.checkpointFailures += 1 } }
}
