import Glibc
import LogshipCore

/// An open file and its reading state. Owned by one `FileInputEngine`; not shared.
final class FollowedFile {
    /// The file's identity.
    let key: FileKey
    /// The path events are attributed to; changes when the file is moved.
    private(set) var path: String
    /// `{"path":"..."}` in the batch being built, and the number of that batch.
    @exclusivity(unchecked) private var cachedFileValue: (slot: FieldSlot, batch: Int)?
    /// The open descriptor; closed by the engine.
    let descriptor: Int32
    /// Offset of the next byte to read.
    var offset: Int64
    /// Splits what was read into lines.
    var splitter: LineSplitter
    /// Joins lines into events, when multiline is configured.
    /// Not checked for exclusivity at run time, like the engine's builder: touched per line.
    @exclusivity(unchecked) var aggregator: MultilineAggregator?
    /// Whether `aggregator` is set, known without copying it (a test of the optional itself
    /// copied the aggregator, with its reference counting, for every line).
    let isMultiline: Bool
    /// Rotated away or deleted: read to its end, then closed.
    var isFinishing = false
    /// Its generation (`EventSource.generation`), given to its events.
    var generation: UInt32 = 0
    /// The order it was opened in: files being finished are read oldest first.
    let sequence: Int
    /// When the partial line held last grew; `nil` without one (for `partialLineTimeout`).
    var partialSince: ContinuousClock.Instant?
    /// The memory counted for its partial line and pending event when it was last looked at
    /// (the engine keeps the sum over its files under `maximumPendingBytes`).
    var countedHeldBytes = 0
    /// Cuts made before a restart past its offset, in offset order: made again where they were
    /// (see `FileCut`).
    var cuts: [FileCut] = []

    init(
        key: FileKey,
        path: String,
        descriptor: Int32,
        offset: Int64,
        maximumLineBytes: Int,
        aggregator: MultilineAggregator?,
        sequence: Int = 0
    ) {
        self.sequence = sequence
        self.key = key
        self.path = path
        self.descriptor = descriptor
        self.offset = offset
        self.splitter = LineSplitter(maximumLineBytes: maximumLineBytes, startingAt: offset)
        self.isMultiline = aggregator != nil
        self.aggregator = aggregator
    }

    /// Attributes later events to `newPath`.
    func move(to newPath: String) {
        path = newPath
        cachedFileValue = nil
    }

    /// The value of `log.file` for events of this file, `{"path":"..."}`, written into the
    /// batch `builder` is building once per batch.
    func fileValue(in builder: inout EventBatchBuilder) -> FieldSlot {
        if let cached = cachedFileValue, cached.batch == builder.batchNumber { return cached.slot }
        let slot = builder.fileValue(path: path)
        cachedFileValue = (slot, builder.batchNumber)
        return slot
    }

    /// The memory its partial line and pending multiline event hold now.
    var heldBytes: Int { splitter.heldBytes + (isMultiline ? aggregator!.heldBytes : 0) }

    /// Lines and events cut because the memory budget was short.
    var limitCuts: Int { splitter.limitCuts + (isMultiline ? aggregator!.limitCuts : 0) }

    /// Lets its partial line and its pending event each keep at most `bytes` from now on.
    func limitHeldBytes(to bytes: Int) {
        splitter.partialLimit = bytes
        if isMultiline { aggregator!.byteLimit = bytes }
    }

    /// Frees buffers kept between lines and events.
    func releaseSpareCapacity() {
        splitter.releaseSpareCapacity()
        if isMultiline { aggregator!.releaseSpareCapacity() }
    }

    /// Forgets the partial line and reads again from 0 (the pending multiline event is kept: the
    /// caller flushes it first).
    /// Reads again from 0, as `generation` (the tracker's, after the truncation).
    func restartAtBeginning(generation: UInt32) {
        self.generation = generation
        offset = 0
        splitter.reset(to: 0)
        // Made in the old content, meaningless in the new.
        cuts = []
    }

}
