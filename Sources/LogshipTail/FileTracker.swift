package import LogshipCore

/// The rotation and identity state machine: decides which files to open, where to start, and when
/// a followed file was moved, truncated, rotated away or deleted. Pure: the shell feeds it scan
/// results and read progress and carries out the actions.
///
/// Rules:
/// - A file is known by its `FileKey` (device and inode), not its name. A key seen under a new path
///   that the patterns still match is `moved` and followed on.
/// - A new key starts at its checkpoint when there is one and the file is at least that long;
///   otherwise at 0 (a shorter file is a truncated or reused inode). Without a checkpoint, files of the
///   first scan start where `readFrom` says; files that appear later start at 0.
/// - A known key whose size is below the read offset was `truncated`: it is read again from 0.
/// - A known key missing from a scan is `finish`ed: the shell reads the open descriptor to its end,
///   flushes the partial line and pending multiline event, and closes it once it is at the end and
///   has not grown for `finishGrace` (the writer may still be writing to the renamed file).
/// - A key being finished is not reopened, even if it shows up again before it is closed.
/// - A checkpointed key that no scan finds was rotated or deleted while logship was stopped: it is
///   looked for beside its last path (`onRotatedSiblings`), and read to its end from its
///   checkpoint, with the rotations after it that logship never saw.
package struct FileTracker: Sendable {
    /// A file found by a scan.
    package struct ScannedFile: Sendable, Equatable {
        package var path: String
        package var key: FileKey
        package var size: Int64
        /// The last modification, in nanoseconds since 1970 (orders rotated files).
        package var modified: Int64

        package init(path: String, key: FileKey, size: Int64, modified: Int64 = 0) {
            self.path = path
            self.key = key
            self.size = size
            self.modified = modified
        }
    }

    /// Why a file starts at its offset.
    package enum StartReason: Sendable, Equatable {
        /// Resumed at its checkpoint.
        case checkpoint
        /// Read from the first byte.
        case beginning
        /// Existing content skipped (`readFrom: .end`).
        case end
    }

    /// Why a followed file is finished.
    package enum FinishReason: Sendable, Equatable {
        /// Another file now has its path (rename rotation).
        case renamed
        /// Its path is gone: deleted, or renamed to a name the patterns do not match.
        case removed
    }

    /// What the shell must do.
    package enum Action: Sendable, Equatable {
        /// Open the file and read from `offset`.
        case open(FileKey, path: String, offset: Int64, reason: StartReason)
        /// The followed file now has another path; keep reading, use the new path in events.
        case moved(FileKey, from: String, to: String)
        /// The file shrank below the read offset: drop the partial line and read again from 0.
        case truncated(FileKey, path: String)
        /// Read to the end, then wait for `close`.
        case finish(FileKey, path: String, reason: FinishReason)
        /// Flush the partial line and pending multiline event, then close the descriptor.
        case close(FileKey, path: String)
    }

    private struct Tracked {
        var path: String
        /// The path the patterns found it under, recorded in its checkpoint: where its rotated
        /// copies are looked for after a restart. A file resumed beside it keeps that path.
        var home: String
        var offset: Int64
        /// Bumped at each truncation (see `generation(of:)`).
        var generation: UInt32 = 0
        var finishing: FinishReason?
        var lastActivity: ContinuousClock.Instant
    }

    /// How long a finished file must stay at its end before it is closed.
    package let finishGrace: Duration
    private let readFrom: FileInputConfiguration.ReadFrom
    /// Saved offsets not used yet, with the path each file was last read under and its generation.
    private var checkpoints: [FileKey: (offset: Int64, path: String, generation: UInt32)]
    private var tracked: [FileKey: Tracked] = [:]
    private var isFirstScan = true

    /// - Parameters:
    ///   - checkpoints: saved offsets; each is used once, by the first scan that finds its key.
    ///   - readFrom: where files of the first scan without checkpoint start.
    ///   - finishGrace: how long a finished file must stay at its end before it is closed.
    package init(
        checkpoints: [FileCheckpoint],
        readFrom: FileInputConfiguration.ReadFrom,
        finishGrace: Duration = .seconds(1)
    ) {
        var saved: [FileKey: (offset: Int64, path: String, generation: UInt32)] = [:]
        for checkpoint in checkpoints {
            saved[checkpoint.fileKey] = (checkpoint.offset, checkpoint.path, checkpoint.generation)
        }
        self.checkpoints = saved
        self.readFrom = readFrom
        self.finishGrace = finishGrace
    }

    /// The number of files followed, finishing ones included.
    package var count: Int { tracked.count }

    /// The read offset of a followed file.
    package func offset(of key: FileKey) -> Int64? { tracked[key]?.offset }

    /// The generation of a followed file: its checkpoint's when it resumed there, one more when
    /// the file was found shorter than its checkpoint or truncated since (its bytes from 0 are
    /// new ones), 0 for a file never seen.
    package func generation(of key: FileKey) -> UInt32 { tracked[key]?.generation ?? 0 }

    /// The current path of a followed file.
    package func path(of key: FileKey) -> String? { tracked[key]?.path }

    /// The path the patterns found a followed file under (see `Tracked.home`): what its
    /// checkpoint records.
    package func home(of key: FileKey) -> String? { tracked[key]?.home }

    /// Whether the file is being finished.
    package func isFinishing(_ key: FileKey) -> Bool { tracked[key]?.finishing != nil }

    /// Compares a scan with the followed files. Returns `finish`, `moved` and `truncated` actions for
    /// known keys (ordered by path), then `open` actions for new keys (ordered by path). When one key
    /// appears under several paths (hard links), the first path in order is used. Files in
    /// `unknown` (missing from the scan, and their paths could not be looked at) are not finished:
    /// they may still be there.
    package mutating func onScan(
        _ files: [ScannedFile],
        now: ContinuousClock.Instant,
        unknown: Set<FileKey> = []
    ) -> [Action] {
        let sorted = files.sorted { $0.path < $1.path }
        var byKey: [FileKey: ScannedFile] = [:]
        var scannedPaths = Set<String>()
        for file in sorted {
            scannedPaths.insert(file.path)
            if byKey[file.key] == nil { byKey[file.key] = file }
        }
        var actions: [Action] = []
        for key in tracked.keys.sorted(by: { tracked[$0]!.path < tracked[$1]!.path }) {
            guard var state = tracked[key], state.finishing == nil else { continue }
            if let scanned = byKey[key] {
                if scanned.path != state.path {
                    actions.append(.moved(key, from: state.path, to: scanned.path))
                    state.path = scanned.path
                }
                if scanned.size < state.offset {
                    actions.append(.truncated(key, path: state.path))
                    state.offset = 0
                    state.generation &+= 1
                    state.lastActivity = now
                }
            } else if !unknown.contains(key) {
                let reason: FinishReason = scannedPaths.contains(state.path) ? .renamed : .removed
                actions.append(.finish(key, path: state.path, reason: reason))
                state.finishing = reason
                state.lastActivity = now
            }
            tracked[key] = state
        }
        var opened = Set<FileKey>()
        for file in sorted where tracked[file.key] == nil && !opened.contains(file.key) {
            opened.insert(file.key)
            let offset: Int64
            let reason: StartReason
            var generation: UInt32 = 0
            if let checkpoint = checkpoints.removeValue(forKey: file.key) {
                (offset, generation, reason) = Self.resume(checkpoint, size: file.size)
            } else if isFirstScan && readFrom == .end {
                (offset, reason) = (file.size, .end)
            } else {
                (offset, reason) = (0, .beginning)
            }
            tracked[file.key] = Tracked(
                path: file.path,
                home: file.path,
                offset: offset,
                generation: generation,
                finishing: nil,
                lastActivity: now
            )
            actions.append(.open(file.key, path: file.path, offset: offset, reason: reason))
        }
        isFirstScan = false
        return actions
    }

    /// Records that the file was read up to `offset` at `now`.
    package mutating func onRead(_ key: FileKey, offset: Int64, now: ContinuousClock.Instant) {
        guard var state = tracked[key] else { return }
        if offset != state.offset { state.lastActivity = now }
        state.offset = offset
        tracked[key] = state
    }

    /// Checks the size of a followed file seen between scans: `truncated` when it is below the read
    /// offset (the offset becomes 0), otherwise `nil`.
    package mutating func onSize(_ key: FileKey, size: Int64, now: ContinuousClock.Instant) -> Action? {
        guard var state = tracked[key], size < state.offset else { return nil }
        state.offset = 0
        state.generation &+= 1
        state.lastActivity = now
        tracked[key] = state
        return .truncated(key, path: state.path)
    }

    /// The file was read to its end at `now`: `close` for a finished file that has been at its end for
    /// `finishGrace`, otherwise `nil`. After `close` the key is forgotten.
    package mutating func onEndOfFile(_ key: FileKey, now: ContinuousClock.Instant) -> Action? {
        guard let state = tracked[key], state.finishing != nil,
            state.lastActivity.advanced(by: finishGrace) <= now
        else { return nil }
        tracked[key] = nil
        return .close(key, path: state.path)
    }

    /// The file could not be opened: it is forgotten, and the next scan that finds it starts it at the
    /// same offset.
    package mutating func onOpenFailed(_ key: FileKey) {
        guard let state = tracked.removeValue(forKey: key) else { return }
        checkpoints[key] = (state.offset, state.path, state.generation)
    }

    /// The last paths of checkpointed files that no scan has found (rotated or deleted while
    /// logship was stopped), sorted: the shell looks for them renamed beside those paths and
    /// reports what it finds to `onRotatedSiblings`.
    package var unfoundCheckpointPaths: [String] {
        Set(checkpoints.values.map(\.path)).sorted()
    }

    /// Files named like the last path of a checkpointed file that no scan found, plus a rotation
    /// suffix (`app.log.1`, `app.log-20251101`; see `FileDiscovery.rotatedSiblings`): rotations
    /// that happened while logship was stopped. A sibling that is a checkpointed file is read
    /// from its checkpoint to its end and closed; the siblings of the same path modified after it
    /// (later rotations whose files logship never saw) are read whole, oldest first. Siblings
    /// older than it were read before, and files already followed are left alone. Returns `open`
    /// and `finish` actions, oldest file first.
    package mutating func onRotatedSiblings(_ siblings: [ScannedFile], now: ContinuousClock.Instant) -> [Action] {
        var resumed: [(file: ScannedFile, offset: Int64, generation: UInt32, base: String)] = []
        for file in siblings where tracked[file.key] == nil {
            guard let checkpoint = checkpoints[file.key], Self.isSibling(file.path, of: checkpoint.path) else {
                continue
            }
            let start = Self.resume(checkpoint, size: file.size)
            resumed.append((file, start.offset, start.generation, checkpoint.path))
        }
        var starts: [(file: ScannedFile, offset: Int64, generation: UInt32, home: String)] = resumed.map {
            ($0.file, $0.offset, $0.generation, $0.base)
        }
        for found in resumed {
            checkpoints[found.file.key] = nil
            for file in siblings
            where Self.isSibling(file.path, of: found.base) && file.modified > found.file.modified
                && tracked[file.key] == nil
                && checkpoints[file.key] == nil && !starts.contains(where: { $0.file.key == file.key })
            {
                starts.append((file, 0, 0, found.base))
            }
        }
        var actions: [Action] = []
        for start in starts.sorted(by: { ($0.file.modified, $0.file.path) < ($1.file.modified, $1.file.path) }) {
            let file = start.file
            tracked[file.key] = Tracked(
                path: file.path,
                home: start.home,
                offset: start.offset,
                generation: start.generation,
                finishing: .renamed,
                lastActivity: now
            )
            let reason: StartReason = start.offset > 0 ? .checkpoint : .beginning
            actions.append(.open(file.key, path: file.path, offset: start.offset, reason: reason))
            actions.append(.finish(file.key, path: file.path, reason: .renamed))
        }
        return actions
    }

    /// Whether `path` is the file at `base` or a rotated copy of it in the same directory
    /// (`FileDiscovery.isRotated`): `app.log.1` is one of `app.log`, `app.log2` and `app-worker.1`
    /// are not.
    package static func isSibling(_ path: String, of base: String) -> Bool {
        guard FileDiscovery.directory(of: path) == FileDiscovery.directory(of: base) else { return false }
        let (candidate, name) = (FileDiscovery.name(of: path), FileDiscovery.name(of: base))
        return candidate == name || FileDiscovery.isRotated(candidate, of: name)
    }

    /// Where a checkpointed file of `size` bytes starts: at its checkpoint as its generation, or,
    /// shorter than the checkpoint (truncated or another file on the same inode), at 0 as the
    /// next generation.
    private static func resume(
        _ checkpoint: (offset: Int64, path: String, generation: UInt32),
        size: Int64
    ) -> (offset: Int64, generation: UInt32, reason: StartReason) {
        checkpoint.offset <= size
            ? (checkpoint.offset, checkpoint.generation, .checkpoint) : (0, checkpoint.generation &+ 1, .beginning)
    }

    /// The file was closed for another reason (read error): it is forgotten.
    package mutating func onClosed(_ key: FileKey) {
        tracked[key] = nil
    }

    /// When the earliest finished file may be closed; `nil` when none is being finished.
    package var nextCloseDeadline: ContinuousClock.Instant? {
        tracked.values.lazy.filter { $0.finishing != nil }.map { $0.lastActivity.advanced(by: self.finishGrace) }.min()
    }
}
