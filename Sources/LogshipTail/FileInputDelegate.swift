package import LogshipCore

/// Receives what a `FileInput` reads. Calls come from the input's `run()` task, one at a time.
package protocol FileInputDelegate: Sendable {
    /// A file is being followed from `offset`, as `generation` (so the runtime can checkpoint
    /// files with no events yet).
    func fileInputOpened(_ key: FileKey, path: String, at offset: Int64, generation: UInt32) async
    /// A followed file shrank; it is read again from 0 as `generation`.
    func fileInputTruncated(_ key: FileKey, path: String, generation: UInt32) async
    /// A batch of events, in read order per file. The input waits for this call to return before reading
    /// on (backpressure).
    func fileInputEmit(_ batch: consuming EventBatch) async
    /// The fingerprint of a followed file's first bytes, after `fileInputOpened` and whenever it
    /// covers more bytes: checkpointed with the file, it tells the file from another one on its
    /// inode after a restart.
    func fileInputIdentified(_ key: FileKey, head: FileHead) async
    /// The input ended a line or an event of `key` (as `generation`) at `cut` for a reason that
    /// re-reading would not see (a timeout, a shutdown), after emitting it: kept with the
    /// checkpoint, it is handed back with `FileCheckpoint.cuts` after a restart.
    func fileInputCut(_ key: FileKey, at cut: FileCut, generation: UInt32) async
    /// A rotated or deleted file was read to its end and closed (after the events it emitted).
    func fileInputClosed(_ key: FileKey, path: String) async
    /// A checkpointed file this input would follow is nowhere (deleted or compressed while
    /// logship was stopped): its checkpoint is now a closed file's, unless another input follows it.
    func fileInputGone(_ key: FileKey, path: String) async
    /// The input is about to return: the last call. A delegate that hands events on
    /// asynchronously finishes doing so before it returns.
    func fileInputFinished() async
}

extension FileInputDelegate {
    /// A rotated or deleted file was read to its end and closed; after its events are
    /// acknowledged, its checkpoint is no longer needed. Does nothing by default.
    package func fileInputClosed(_ key: FileKey, path: String) async {}

    /// A line or event cut by a timeout or a shutdown. Does nothing by default.
    package func fileInputCut(_ key: FileKey, at cut: FileCut, generation: UInt32) async {}

    /// A checkpointed file is gone. Does nothing by default.
    package func fileInputGone(_ key: FileKey, path: String) async {}

    /// A followed file's fingerprint. Does nothing by default.
    package func fileInputIdentified(_ key: FileKey, head: FileHead) async {}

    /// The input is about to return. Does nothing by default.
    package func fileInputFinished() async {}
}
