package import LogshipCore

/// The settings of one `file` input.
///
/// Defaults follow Filebeat where Filebeat has an equivalent. Every size is a hard bound on a buffer:
/// `maximumLineBytes` bounds a line (and a multiline event), `readBufferBytes` the read chunk,
/// `maximumBatchEvents` the events handed to the delegate in one call.
package struct FileInputConfiguration: Sendable {
    /// How changes are found.
    package enum Watch: String, Sendable, Equatable {
        /// inotify tells when files are written and directories change; the periodic rescan is a
        /// safety net.
        case inotify
        /// No inotify (file systems without it: NFS, some FUSE and container mounts): open
        /// files are read every `pollInterval`, the patterns evaluated every `rescanInterval`.
        case poll
    }

    /// Where to start in files that are found at startup and have no checkpoint.
    package enum ReadFrom: String, Sendable, Equatable {
        /// Read existing content from the first byte.
        case beginning
        /// Skip existing content; read only what is appended from now on.
        case end
    }

    /// The input's id, used in logs and errors.
    package var id: String
    /// Glob patterns (`glob(3)` syntax) of the files to follow. A pattern whose directory does not exist
    /// yet is retried at each rescan.
    package var paths: [String]
    /// Glob patterns matched with `fnmatch(3)` (without `FNM_PATHNAME`, so `*` crosses `/`) against the
    /// full path of each discovered file; a match excludes the file.
    package var exclude: [String]
    /// Where to start in files found at startup without a checkpoint. Files that appear later are
    /// always read from the beginning, as Filebeat does.
    package var readFrom: ReadFrom
    /// The longest line kept, in bytes (without its line end). A longer line is cut to this many
    /// bytes (at a UTF-8 character boundary), flagged `truncated` and counted; the rest of the line is
    /// skipped up to its newline. Also bounds a whole multiline event. At least 1.
    package var maximumLineBytes: Int
    /// Joins several lines into one event; `nil` means one event per line.
    package var multiline: MultilineConfiguration?
    /// Static fields added to every event.
    package var fields: FieldObject
    /// `false`: static fields go under the key `fields` (as in Filebeat); `true`: they are merged at
    /// the root and replace fields of the same name (including `message` and `log`).
    package var fieldsUnderRoot: Bool
    /// How often the glob patterns are evaluated again, as a safety net for missed inotify events and
    /// the only discovery mechanism where inotify is unavailable.
    package var rescanInterval: Duration
    /// Bytes read from a file in one `pread`; the read buffer is allocated once per input.
    package var readBufferBytes: Int
    /// The most events handed to `FileInputDelegate.fileInputEmit(_:)` in one call.
    package var maximumBatchEvents: Int
    /// How long a closed file (rotated away, deleted, moved out of the patterns) is remembered,
    /// with its offset and fingerprint, in memory and in the checkpoint file: one that comes back
    /// in that time resumes where it was instead of being read, and counted, again.
    package var forgetAfter: Duration = .seconds(86_400)
    /// The most files this input keeps open (`nil`: 1,024); never more than the process's
    /// descriptor limit less `reservedDescriptors` (a value set above it is lowered, with a
    /// warning). Beyond it, files wait (oldest modification first) for an open one to be
    /// suspended or closed; none is dropped.
    package var maximumOpenFiles: Int?
    /// The default of `maximumOpenFiles`.
    package static let defaultMaximumOpenFiles = 1024
    /// How long a followed file may stay at its end before its descriptor is closed (it is opened
    /// again when it changes). Files at their end are closed at once while others wait for a
    /// descriptor.
    package var closeInactive: Duration = .seconds(300)

    /// How long a deleted file that is not read to its end yet (reading held by a slow or
    /// unreachable output) is held open, its disk space with it; then what is left is given up,
    /// counted and logged as an error.
    package var maximumDeletedHold: Duration = .seconds(3600)
    /// A partial last line (no newline yet) that has not grown for this long is shipped as it
    /// is; `nil` (the default) holds it until its newline comes. What is written to that line
    /// afterwards is a line of its own.
    package var partialLineTimeout: Duration?
    /// `max_pending_bytes`: the most memory the partial lines and pending multiline events of all
    /// the input's files hold together (a file's own bound is `maximumLineBytes`). When it is
    /// short, a file reads on but keeps only what the others leave: its long line or event is cut
    /// and flagged, like one over `maximumLineBytes`, and counted. The total can exceed it by at
    /// most twice `maximumLineBytes` (the partial line and the pending event of the file being
    /// read each take what is left) plus `pendingBytesKeptPerFile` per open file. Where a line is
    /// cut depends on where reads start, so after a restart it may come out whole, under
    /// another document id.
    package var maximumPendingBytes = 32 << 20
    /// What a file's partial line and pending event may each keep however short memory is: the
    /// start of a line cut for memory, with its timestamp.
    package static let pendingBytesKeptPerFile = 1024
    /// How changes are found.
    package var watch: Watch = .inotify
    /// With `watch: poll` (or when inotify is unavailable), how often open files are read.
    package var pollInterval: Duration = .seconds(1)

    /// How many inputs share the process's descriptors (set by the runtime): each may open at
    /// most its share of what the limit allows, so that several inputs at the default together
    /// stay under it.
    package var descriptorShare = 1

    /// Descriptors left for everything else (sockets, the checkpoint file, inotify, pipes).
    package static let reservedDescriptors = 64
    /// `logship run --once`: `FileInput.run()` returns, after emitting pending multiline events,
    /// once a step found nothing more to read in any matched file (each read to the end it had
    /// then). Lines appended later are not waited for; a partial last line is left for the next run.
    package var stopsAtEndOfFiles = false

    package init(
        id: String,
        paths: [String],
        exclude: [String] = [],
        readFrom: ReadFrom = .beginning,
        maximumLineBytes: Int = 1 << 20,
        multiline: MultilineConfiguration? = nil,
        fields: FieldObject = [:],
        fieldsUnderRoot: Bool = false,
        rescanInterval: Duration = .seconds(10),
        readBufferBytes: Int = 256 << 10,
        maximumBatchEvents: Int = 1024
    ) {
        self.id = id
        self.paths = paths
        self.exclude = exclude
        self.readFrom = readFrom
        self.maximumLineBytes = maximumLineBytes
        self.multiline = multiline
        self.fields = fields
        self.fieldsUnderRoot = fieldsUnderRoot
        self.rescanInterval = rescanInterval
        self.readBufferBytes = readBufferBytes
        self.maximumBatchEvents = maximumBatchEvents
    }

    /// Checks the settings without touching the file system: at least one path, positive sizes and
    /// intervals, and a multiline pattern that compiles.
    ///
    /// - Throws: `TailError.invalidConfiguration` naming the input and the setting.
    package func validate() throws {
        func fail(_ reason: String) -> TailError { .invalidConfiguration(inputID: id, reason: reason) }
        guard !paths.isEmpty else { throw fail("paths must list at least one glob pattern") }
        guard maximumLineBytes >= 1 else { throw fail("maximum line bytes must be at least 1") }
        guard readBufferBytes >= 1 else { throw fail("read buffer bytes must be at least 1") }
        guard maximumBatchEvents >= 1 else { throw fail("maximum batch events must be at least 1") }
        guard rescanInterval > .zero else { throw fail("rescan interval must be positive") }
        guard forgetAfter >= .zero else { throw fail("forget_after must not be negative") }
        guard (maximumOpenFiles ?? 1) >= 1 else { throw fail("max_open_files must be at least 1") }
        guard closeInactive >= .zero else { throw fail("close_inactive must not be negative") }
        guard pollInterval > .zero else { throw fail("poll_interval must be positive") }
        guard maximumDeletedHold >= .zero else { throw fail("max_deleted_hold must not be negative") }
        guard (partialLineTimeout ?? .seconds(1)) > .zero else { throw fail("partial_line_timeout must be positive") }
        guard maximumPendingBytes >= 0 else { throw fail("max_pending_bytes must not be negative") }
        try multiline?.validate(inputID: id)
    }
}
