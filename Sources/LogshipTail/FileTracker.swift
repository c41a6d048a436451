package import LogshipCore

/// The rotation and identity state machine: decides which files to open, where to start, and when
/// a followed file was moved, truncated, rewritten, rotated away or deleted. Pure: the shell feeds
/// it scan results, first bytes (`FileHead.Sample`) and read progress, and carries out the actions.
///
/// Rules:
/// - A file is known by its `FileKey` (device and inode) and the fingerprint of its first bytes
///   (`FileHead`), not by its name. A key seen under a new path that the patterns still match is
///   `moved` and followed on.
/// - A new key starts at its checkpoint when there is one, the file is at least that long and its
///   first bytes match the checkpoint's fingerprint, and so do its bytes before the fingerprint's
///   mark (taken at a line boundary further on, at scans; see `markOffset(of:)`); otherwise at 0 as the checkpoint's next
///   generation (a truncated file, new content written over it, or another file on a reused
///   inode). Without a checkpoint, files of the first scan start where `readFrom` says; files that
///   appear later start at 0.
/// - A known key whose size is below the read offset, or whose first bytes changed, was
///   `truncated` (copytruncate, or rewritten in place): it is read again from 0 as the next
///   generation, and its unread tail is looked for in a rotated copy (`copySearchPaths`).
/// - A known key missing from a scan is `finish`ed: the shell reads the open descriptor to its end,
///   flushes the partial line and pending multiline event, and closes it once it is at the end and
///   has not grown for `finishGrace` (the writer may still be writing to the renamed file).
/// - A key being finished is not reopened, even if it shows up again before it is closed.
/// - At most `maximumOpenFiles` files are open. A followed file that has been at its end for
///   `closeInactive`, or at once while other files wait for a descriptor, is `suspend`ed: closed,
///   and remembered with its offset (the start of a partial line) and size; it is opened again
///   when a scan finds it changed. Files waiting for a descriptor are opened oldest modification
///   first; none is dropped.
/// - A closed file is remembered, with its offset and fingerprint, for `forgetAfter`: if it comes
///   back (moved out of the patterns and back, or a rotated copy found again), it resumes where it
///   was instead of being read, and counted, again.
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
        /// Its first bytes, when the shell read them (see `needsSample(of:)`); `nil` otherwise.
        package var sample: FileHead.Sample?

        package init(path: String, key: FileKey, size: Int64, modified: Int64 = 0, sample: FileHead.Sample? = nil) {
            self.path = path
            self.key = key
            self.size = size
            self.modified = modified
            self.sample = sample
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
        /// Its checkpoint's file is not there any more (truncated, rewritten, or another file on
        /// the inode): read from the first byte as the next generation.
        case replaced
        /// A rotated copy of a file that was truncated (copytruncate) before all of it was read:
        /// read from where the original was left.
        case copy
    }

    /// Why a followed file is finished.
    package enum FinishReason: Sendable, Equatable {
        /// Another file now has its path (rename rotation).
        case renamed
        /// Its path is gone: deleted, or renamed to a name the patterns do not match.
        case removed
        /// A rotated copy read for the tail of a truncated file.
        case copied
    }

    /// What the shell must do.
    package enum Action: Sendable, Equatable {
        /// Open the file and read from `offset`.
        case open(FileKey, path: String, offset: Int64, reason: StartReason)
        /// The followed file now has another path; keep reading, use the new path in events.
        case moved(FileKey, from: String, to: String)
        /// The file shrank below the read offset, or its first bytes changed: drop the partial
        /// line and read again from 0.
        case truncated(FileKey, path: String)
        /// Read to the end, then wait for `close`.
        case finish(FileKey, path: String, reason: FinishReason)
        /// Flush the partial line and pending multiline event, then close the descriptor.
        case close(FileKey, path: String)
        /// Emit the pending multiline event, drop the partial line (it is read again) and close
        /// the descriptor: the file is idle, or its descriptor is wanted for a waiting file. It is
        /// opened again when it changes.
        case suspend(FileKey, path: String)
        /// The fingerprint of a followed file's first bytes is new or longer: record it with the
        /// file's checkpoint.
        case identified(FileKey, head: FileHead)
        /// A truncated file's bytes from `offset` were not read and no rotated copy has them:
        /// `bytes` of them (`nil` when unknown) are lost. Log it loudly and count it.
        case lost(FileKey, path: String, offset: Int64, bytes: Int64?)
        /// A checkpointed file is nowhere (deleted or compressed while logship was stopped): its
        /// checkpoint is kept as a closed file's.
        case absent(FileKey, path: String, offset: Int64)
        /// A deleted file held past `maximumDeletedHold` without being read to its end: close it
        /// without reading on; the `bytes` from `offset` are lost. Log it loudly and count it.
        case drop(FileKey, path: String, offset: Int64, bytes: Int64)
    }

    struct Tracked {
        var path: String
        /// The path the patterns found it under, recorded in its checkpoint: where its rotated
        /// copies are looked for after a restart. A file resumed beside it keeps that path.
        var home: String
        var offset: Int64
        /// Where the line being read started (before `offset` while a partial line is held): a
        /// truncated file's rest is read from its copy from there.
        var lineStart: Int64
        /// The largest size seen (what a truncation leaves unread, when no copy has it).
        var size: Int64
        /// Bumped at each truncation (see `generation(of:)`).
        var generation: UInt32 = 0
        /// The fingerprint of its first bytes; `nil` until the shell reads them.
        var head: FileHead?
        var finishing: FinishReason?
        var lastActivity: ContinuousClock.Instant
        /// Since when it is being finished (for `maximumDeletedHold`).
        var finishingSince: ContinuousClock.Instant? = nil
    }

    /// A file known but not open: a checkpoint not used yet, a suspended file, one that could not
    /// be opened, or a closed file remembered.
    struct Saved {
        var offset: Int64
        var path: String
        var generation: UInt32
        var head: FileHead?
        /// When a closed file is forgotten; `nil` for a checkpoint of a file not closed.
        var forgetAt: ContinuousClock.Instant?
        /// Its size when it was suspended; `nil` when unknown (then `offset`).
        var size: Int64? = nil
        /// Whether the last scan found it under the patterns.
        var seen = false
        /// It could not be opened: not tried again before then (a file that cannot be opened
        /// must not take a descriptor slot at every step while others wait).
        var retryAfter: ContinuousClock.Instant? = nil

        /// Whether a file not closed, found at `size`, has not changed since it was left.
        func isUnchanged(size: Int64) -> Bool { forgetAt == nil && size == (self.size ?? offset) }
    }

    /// A truncated file whose unread tail is looked for in a rotated copy.
    struct CopySearch {
        var key: FileKey
        var home: String
        var path: String
        var offset: Int64
        /// Bytes known to be there past `offset` when it was truncated; `nil` when unknown
        /// (truncated while logship was stopped).
        var unread: Int64?
        var head: FileHead
        /// The truncation happened while logship was stopped: later copies were never seen.
        var whileStopped: Bool
    }

    /// How long a finished file must stay at its end before it is closed.
    package let finishGrace: Duration
    /// How long a closed file is remembered.
    package let forgetAfter: Duration
    /// The most files open at once.
    package let maximumOpenFiles: Int
    /// How long a followed file may stay at its end before it is suspended.
    package let closeInactive: Duration
    /// How long a deleted file not read to its end is held open (its disk space with it).
    package let maximumDeletedHold: Duration
    let readFrom: FileInputConfiguration.ReadFrom
    var checkpoints: [FileKey: Saved]
    var tracked: [FileKey: Tracked] = [:]
    var copySearches: [CopySearch] = []
    private var isFirstScan = true
    /// Files the last scan found changed or new but could not open for want of a descriptor.
    package private(set) var queuedCount = 0
    /// Followed files whose descriptor is open (not suspended).
    private var openCount: Int { tracked.count }

    /// - Parameters:
    ///   - checkpoints: saved offsets; each is used once, by the first scan that finds its key.
    ///     Those of closed files are remembered for `forgetAfter` from `now`.
    ///   - readFrom: where files of the first scan without checkpoint start.
    ///   - finishGrace: how long a finished file must stay at its end before it is closed.
    ///   - forgetAfter: how long a closed file is remembered.
    ///   - maximumOpenFiles: the most files open at once (at least 1).
    ///   - closeInactive: how long a followed file may stay at its end before it is suspended.
    package init(
        checkpoints: [FileCheckpoint],
        readFrom: FileInputConfiguration.ReadFrom,
        finishGrace: Duration = .seconds(1),
        forgetAfter: Duration = .seconds(86_400),
        maximumOpenFiles: Int = .max,
        closeInactive: Duration = .seconds(300),
        maximumDeletedHold: Duration = .seconds(3600),
        now: ContinuousClock.Instant = .now
    ) {
        var saved: [FileKey: Saved] = [:]
        for checkpoint in checkpoints {
            saved[checkpoint.fileKey] = Saved(
                offset: checkpoint.offset,
                path: checkpoint.path,
                generation: checkpoint.generation,
                head: checkpoint.head,
                forgetAt: checkpoint.closedAt == nil ? nil : now.advanced(by: forgetAfter)
            )
        }
        self.checkpoints = saved
        self.readFrom = readFrom
        self.finishGrace = finishGrace
        self.forgetAfter = forgetAfter
        self.maximumOpenFiles = max(1, maximumOpenFiles)
        self.closeInactive = closeInactive
        self.maximumDeletedHold = maximumDeletedHold
    }

    /// The number of files open, finishing ones included.
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

    /// The fingerprint of a followed file's first bytes, once known.
    package func head(of key: FileKey) -> FileHead? { tracked[key]?.head }

    /// Whether the file is being finished.
    package func isFinishing(_ key: FileKey) -> Bool { tracked[key]?.finishing != nil }

    /// Whether the shell must read the first bytes of `key` (not open), found at `size`, into
    /// its `ScannedFile.sample` before a scan or sibling search reports it: it has a fingerprint to
    /// check them against, and it changed since it was left (`nil`: whatever its size).
    package func needsSample(of key: FileKey, size: Int64? = nil) -> Bool {
        guard tracked[key] == nil, let saved = checkpoints[key], saved.head != nil else { return false }
        return size.map { !saved.isUnchanged(size: $0) } ?? true
    }

    /// The offset at which the shell reads the mark (`FileHead.Mark`) of `key` with its sample:
    /// for a file not open, its checkpoint's mark (to check it); for a followed file, the start of
    /// the line being read once that lies past its fingerprint's bytes and is at least `advance`
    /// bytes past its mark (to take a newer one).
    package func markOffset(of key: FileKey, advancedBy advance: Int64 = 1) -> Int64? {
        guard let state = tracked[key] else { return checkpoints[key]?.head?.mark?.offset }
        guard state.finishing == nil, let head = state.head, state.lineStart > Int64(head.length),
            head.mark.map({ state.lineStart >= $0.offset + advance }) ?? true
        else { return nil }
        return state.lineStart
    }

    /// Compares a scan with the followed files. Returns `finish`, `moved` and `truncated` actions for
    /// known keys (ordered by path), then `open` actions for new keys (ordered by path). When one key
    /// appears under several paths (hard links), the first path in order is used. Files in
    /// `unknown` (missing from the scan, and their paths could not be looked at) are not finished:
    /// they may still be there. Closed files remembered for longer than `forgetAfter` are forgotten.
    package mutating func onScan(
        _ files: [ScannedFile],
        now: ContinuousClock.Instant,
        unknown: Set<FileKey> = []
    ) -> [Action] {
        checkpoints = checkpoints.filter { $0.value.forgetAt.map { $0 > now } ?? true }
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
                state.size = max(state.size, scanned.size)
                tracked[key] = state
                if scanned.size < state.offset {
                    actions.append(truncate(key, now: now))
                } else if let sample = scanned.sample {
                    actions += onSample(key, sample, now: now)
                }
            } else if !unknown.contains(key) {
                let reason: FinishReason = scannedPaths.contains(state.path) ? .renamed : .removed
                actions.append(.finish(key, path: state.path, reason: reason))
                state.finishing = reason
                state.lastActivity = now
                state.finishingSince = now
                tracked[key] = state
            }
        }
        // Files not open: the changed and new ones are opened, oldest modification first, while
        // descriptors last; the others wait for the next scan.
        for key in checkpoints.keys { checkpoints[key]!.seen = false }
        var wanted: [ScannedFile] = []
        var considered = Set<FileKey>()
        for file in sorted where tracked[file.key] == nil && considered.insert(file.key).inserted {
            if let saved = checkpoints[file.key] {
                checkpoints[file.key]!.seen = true
                if let retry = saved.retryAfter, retry > now { continue }
                let sameBytes = saved.head.flatMap { head in file.sample.map { head.resumes($0) } } ?? true
                if saved.isUnchanged(size: file.size) && sameBytes { continue }
            }
            wanted.append(file)
        }
        queuedCount = 0
        actions += open(wanted, now: now)
        isFirstScan = false
        return actions
    }

    /// How far behind reading is in the files of a scan: each file's size less its read offset
    /// (its checkpoint's when it is not open; a file never seen counts whole, or not at all when
    /// `readFrom: .end` skips it on the first scan).
    package func bytesBehind(_ files: [ScannedFile]) -> [(path: String, bytes: Int64)] {
        files.compactMap { file in
            let offset = tracked[file.key]?.offset ?? checkpoints[file.key]?.offset ?? 0
            let behind = file.size - offset
            return behind > 0 ? (file.path, behind) : nil
        }
    }

    /// Files not open that inotify says were written to (a suspended file grew): those changed
    /// are opened, while descriptors last. Returns `open` actions.
    package mutating func onChanged(_ files: [ScannedFile], now: ContinuousClock.Instant) -> [Action] {
        let changed = files.filter { file in
            guard tracked[file.key] == nil, let saved = checkpoints[file.key], saved.forgetAt == nil,
                saved.retryAfter.map({ $0 <= now }) ?? true
            else { return false }
            let sameBytes = saved.head.flatMap { head in file.sample.map { head.resumes($0) } } ?? true
            return !saved.isUnchanged(size: file.size) || !sameBytes
        }
        // Counted by scans only: a file named again and again by inotify is one waiting file.
        let queued = queuedCount
        defer { queuedCount = queued }
        return open(changed, now: now)
    }

    /// Whether `key` is known and not open: suspended, or checkpointed and not opened yet.
    package func isSuspended(_ key: FileKey) -> Bool {
        tracked[key] == nil && checkpoints[key].map { $0.forgetAt == nil } == true
    }

    /// Opens `wanted` files (changed or new, not open), oldest modification first, while
    /// descriptors last; the others are counted in `queuedCount`.
    private mutating func open(_ wanted: [ScannedFile], now: ContinuousClock.Instant) -> [Action] {
        var actions: [Action] = []
        for file in wanted.sorted(by: { ($0.modified, $0.path) < ($1.modified, $1.path) }) {
            guard openCount < maximumOpenFiles else {
                queuedCount += 1
                if checkpoints[file.key] == nil {
                    // Known from now on: where it starts is decided now, not when a descriptor
                    // frees up, and if it is rotated away while it waits, it is looked for
                    // beside its path like a checkpointed file.
                    checkpoints[file.key] = Saved(
                        offset: isFirstScan && readFrom == .end ? file.size : 0,
                        path: file.path,
                        generation: 0,
                        head: nil,
                        forgetAt: nil,
                        seen: true
                    )
                }
                continue
            }
            let start: Start
            if let saved = checkpoints.removeValue(forKey: file.key) {
                start = resume(saved, file: file, home: file.path)
            } else if isFirstScan && readFrom == .end {
                start = Start(offset: file.size, generation: 0, reason: .end)
            } else {
                start = Start(offset: 0, generation: 0, reason: .beginning)
            }
            begin(file, home: file.path, start: start, finishing: nil, now: now)
            actions.append(.open(file.key, path: file.path, offset: start.offset, reason: start.reason))
        }
        return actions
    }

    /// The shell read the first bytes of a followed file (after opening it, at a scan, or once it
    /// grew past a short fingerprint). Returns `identified` when its fingerprint is new or
    /// longer, `truncated` when they are not the bytes it had (new content written over it), or
    /// nothing.
    package mutating func onSample(_ key: FileKey, _ sample: FileHead.Sample, now: ContinuousClock.Instant) -> [Action]
    {
        guard var state = tracked[key] else { return [] }
        var head = sample.head
        if let known = state.head {
            guard known.matches(sample) else {
                return state.finishing == nil ? [truncate(key, now: now)] : []
            }
            if sample.bytes.count <= known.length { head = known }
            head.mark = sample.mark ?? known.mark
            guard head != known else { return [] }
        }
        state.head = head
        tracked[key] = state
        return [.identified(key, head: head)]
    }

    /// Whether a followed file's fingerprint covers fewer bytes than it could: the shell reads its
    /// first bytes again once it has read past them.
    package func hasShortHead(_ key: FileKey) -> Bool {
        guard let state = tracked[key] else { return false }
        let length = state.head?.length ?? 0
        return length < FileHead.maximumLength && state.offset > length
    }

    /// Records that the file was read up to `offset` at `now`, its last complete line ending at
    /// `lineStart` (`offset` when no partial line is held).
    package mutating func onRead(
        _ key: FileKey,
        offset: Int64,
        lineStart: Int64? = nil,
        now: ContinuousClock.Instant
    ) {
        guard var state = tracked[key] else { return }
        if offset != state.offset { state.lastActivity = now }
        state.offset = offset
        state.lineStart = lineStart ?? offset
        state.size = max(state.size, offset)
        tracked[key] = state
    }

    /// Checks the size of a followed file seen between scans: `truncated` when it is below the read
    /// offset (the offset becomes 0), otherwise `nil`.
    package mutating func onSize(_ key: FileKey, size: Int64, now: ContinuousClock.Instant) -> Action? {
        guard let state = tracked[key], size < state.offset else { return nil }
        return truncate(key, now: now)
    }

    /// The file was read to its end at `now`: `close` for a finished file that has been at its end for
    /// `finishGrace`, `suspend` for a followed one at its end for `closeInactive` or while files
    /// wait for a descriptor, otherwise `nil`. After `close` the key is remembered as closed,
    /// after `suspend` as idle at the start of its partial line.
    package mutating func onEndOfFile(_ key: FileKey, now: ContinuousClock.Instant) -> Action? {
        guard let state = tracked[key] else { return nil }
        guard state.finishing != nil else {
            guard queuedCount > 0 || state.lastActivity.advanced(by: closeInactive) <= now else { return nil }
            tracked[key] = nil
            checkpoints[key] = Saved(
                offset: state.lineStart,
                path: state.home,
                generation: state.generation,
                head: state.head,
                forgetAt: nil,
                size: state.size,
                seen: true
            )
            return .suspend(key, path: state.path)
        }
        guard state.lastActivity.advanced(by: finishGrace) <= now else { return nil }
        tracked[key] = nil
        checkpoints[key] = Saved(
            offset: state.offset,
            path: state.home,
            generation: state.generation,
            head: state.head,
            forgetAt: now.advanced(by: forgetAfter)
        )
        return .close(key, path: state.path)
    }

    /// The shell found a file being finished deleted (no name left: its disk space is held by the
    /// open descriptor). Once it has been finished for `maximumDeletedHold` without being read to
    /// its end (reading held by the output), it is given up: `drop`, and the key is forgotten.
    package mutating func onDeleted(_ key: FileKey, size: Int64, now: ContinuousClock.Instant) -> Action? {
        guard let state = tracked[key], state.finishing != nil, let since = state.finishingSince,
            since.advanced(by: maximumDeletedHold) <= now
        else { return nil }
        tracked[key] = nil
        return .drop(key, path: state.path, offset: state.lineStart, bytes: max(0, size - state.lineStart))
    }

    /// The file could not be opened: it is forgotten, and the next scan that finds it starts it at the
    /// same offset.
    package mutating func onOpenFailed(_ key: FileKey, now: ContinuousClock.Instant = .now) {
        guard let state = tracked.removeValue(forKey: key) else { return }
        checkpoints[key] = Saved(
            offset: state.offset,
            path: state.home,
            generation: state.generation,
            head: state.head,
            forgetAt: nil,
            seen: true,
            retryAfter: now.advanced(by: Self.openRetryDelay)
        )
    }

    /// How long a file that could not be opened waits before it is tried again.
    package static let openRetryDelay = Duration.seconds(5)

    /// The file was closed for another reason (read error): it is forgotten.
    package mutating func onClosed(_ key: FileKey) {
        tracked[key] = nil
    }

    /// When the earliest finished file may be closed; `nil` when none is being finished.
    package var nextCloseDeadline: ContinuousClock.Instant? {
        tracked.values.lazy.filter { $0.finishing != nil }.map { $0.lastActivity.advanced(by: self.finishGrace) }.min()
    }

    // MARK: Internals shared with the rotation rules

    struct Start {
        var offset: Int64
        var generation: UInt32
        var reason: StartReason
    }

    /// Where a checkpointed file found as `file` starts: at its checkpoint as its generation, or,
    /// shorter than the checkpoint or with other first bytes, at 0 as the next generation (and
    /// the checkpoint's unread tail is looked for in a rotated copy).
    mutating func resume(_ saved: Saved, file: ScannedFile, home: String) -> Start {
        let sameBytes = saved.head.flatMap { head in file.sample.map { head.resumes($0) } } ?? true
        if saved.offset <= file.size && sameBytes {
            return Start(
                offset: saved.offset,
                generation: saved.generation,
                reason: saved.offset == 0 ? .beginning : .checkpoint
            )
        }
        if saved.forgetAt == nil, let head = saved.head, head.length > 0 {
            copySearches.append(
                CopySearch(
                    key: file.key,
                    home: home,
                    path: file.path,
                    offset: saved.offset,
                    unread: saved.size.map { max(0, $0 - saved.offset) },
                    head: head,
                    whileStopped: true
                )
            )
        }
        return Start(offset: 0, generation: saved.generation &+ 1, reason: .replaced)
    }

    mutating func begin(
        _ file: ScannedFile,
        home: String,
        start: Start,
        finishing: FinishReason?,
        now: ContinuousClock.Instant
    ) {
        // A resumed file's or a copy's fingerprint is that of the sample that matched it; others
        // are fingerprinted once open (`onSample`).
        let head = start.reason == .checkpoint || start.reason == .copy ? file.sample?.head : nil
        tracked[file.key] = Tracked(
            path: file.path,
            home: home,
            offset: start.offset,
            lineStart: start.offset,
            size: file.size,
            generation: start.generation,
            head: head,
            finishing: finishing,
            lastActivity: now,
            finishingSince: finishing == nil ? nil : now
        )
    }

    /// The followed file's content was replaced: from 0 as the next generation, and its tail
    /// looked for in a rotated copy.
    private mutating func truncate(_ key: FileKey, now: ContinuousClock.Instant) -> Action {
        var state = tracked[key]!
        if let head = state.head, head.length > 0 {
            copySearches.append(
                CopySearch(
                    key: key,
                    home: state.home,
                    path: state.path,
                    offset: state.lineStart,
                    unread: max(0, state.size - state.lineStart),
                    head: head,
                    whileStopped: false
                )
            )
        }
        state.offset = 0
        state.lineStart = 0
        state.size = 0
        state.head = nil
        state.generation &+= 1
        state.lastActivity = now
        tracked[key] = state
        return .truncated(key, path: state.path)
    }
}
