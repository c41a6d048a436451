package import LogshipCore

/// Everything persisted in the checkpoint file: file offsets and the derived-metric state counted up
/// to them.
package struct CheckpointState: Codable, Sendable, Equatable {
    /// The newest format version this code writes; it reads every version up to it. 2 added
    /// each file's `generation` (absent: 0), so a release before it refuses the file rather than
    /// dropping the generations and sending later generations under other ids. 3 saves the
    /// metric state in columns (`FamilySnapshot`'s `Codable` conformance), a third of the size
    /// of the `series` arrays before it, which are still read.
    package static let currentVersion = 3

    /// The format of a file with a file past generation 0 (and no metric series).
    package static let generationsVersion = 2

    /// The format of a file whose metric state holds any series (`CheckpointStore.encode`).
    package static let columnsVersion = 3

    /// The format version; this code writes and reads `currentVersion`.
    package var version: Int
    /// One entry per file.
    package var files: [FileCheckpoint]
    /// The metric store's state, saved together with the offsets so that re-read lines are not counted
    /// twice.
    package var metrics: MetricStoreSnapshot?
    /// `true` after checkpoints that could not be trusted (see `CheckpointStore.recover()`): files
    /// without a checkpoint are read from their start, whatever `read_from` says, also after a
    /// start that failed before any file was checkpointed. Absent otherwise.
    package var readFromStart: Bool?

    package init(
        version: Int = CheckpointState.currentVersion,
        files: [FileCheckpoint] = [],
        metrics: MetricStoreSnapshot? = nil,
        readFromStart: Bool? = nil
    ) {
        self.version = version
        self.files = files
        self.metrics = metrics
        self.readFromStart = readFromStart
    }
}
