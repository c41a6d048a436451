import Glibc
import LogshipCore

/// An open file and its reading state. Owned by one `FileInputEngine`; not shared.
final class FollowedFile {
    /// The file's identity.
    let key: FileKey
    /// The path events are attributed to; changes when the file is moved.
    private(set) var path: String
    /// `{"file": {"path": path}, "offset": 0}`: the `log` object of its events, before the offset is set.
    private(set) var logTemplate: FieldObject
    /// The open descriptor; closed by the engine.
    let descriptor: Int32
    /// Offset of the next byte to read.
    var offset: Int64
    /// Splits what was read into lines.
    var splitter: LineSplitter
    /// Joins lines into events, when multiline is configured.
    var aggregator: MultilineAggregator?
    /// Rotated away or deleted: read to its end, then closed.
    var isFinishing = false

    init(
        key: FileKey,
        path: String,
        descriptor: Int32,
        offset: Int64,
        maximumLineBytes: Int,
        aggregator: MultilineAggregator?
    ) {
        self.key = key
        self.path = path
        self.logTemplate = Self.makeLogTemplate(path)
        self.descriptor = descriptor
        self.offset = offset
        self.splitter = LineSplitter(maximumLineBytes: maximumLineBytes, startingAt: offset)
        self.aggregator = aggregator
    }

    /// Attributes later events to `newPath`.
    func move(to newPath: String) {
        path = newPath
        logTemplate = Self.makeLogTemplate(newPath)
    }

    /// Forgets the partial line and reads again from 0 (the pending multiline event is kept: the
    /// caller flushes it first).
    func restartAtBeginning() {
        offset = 0
        splitter.reset(to: 0)
    }

    private static func makeLogTemplate(_ path: String) -> FieldObject {
        ["file": .object(["path": .string(path)]), "offset": 0]
    }
}
