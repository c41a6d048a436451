import Foundation
import Glibc
import Logging
import LogshipCore

/// What one engine step produced, in the order the delegate must see it.
enum FileInputOutput: Sendable {
    case opened(FileKey, path: String, offset: Int64, generation: UInt32)
    case truncated(FileKey, path: String, generation: UInt32)
    case closed(FileKey, path: String)
    case gone(FileKey, path: String)
    case identified(FileKey, head: FileHead)
    case cut(FileKey, FileCut, generation: UInt32)
    case events(EventBatch)
}

/// The result of one engine step.
struct FileInputStep: Sendable {
    var outputs: [FileInputOutput] = []
    /// The batch limit was reached with data left to read: step again without waiting.
    var moreToRead = false
    /// When the engine must run again even if nothing changes (multiline timeout, closing a finished
    /// file); `nil` for none.
    var nextDeadline: ContinuousClock.Instant?
    /// Counters so far (`eventsEmitted` is kept by the shell).
    var statistics = FileInputStatistics()
}

/// The synchronous part of `FileInput`: scans, opens, reads, splits, joins and builds events. Runs on
/// the input's I/O thread, one call at a time (it is held in a `Mutex` by `FileInput`).
///
/// Memory: one read buffer of `readBufferBytes`; partial lines and pending multiline events of all
/// files together under `maximumPendingBytes` (see there for the margin), each at most
/// `maximumLineBytes`; per step the events of at most one chunk beyond `maximumBatchEvents`.
final class FileInputEngine {
    let configuration: FileInputConfiguration
    private let logger: Logger
    private let watcher: FileWatcher
    private let discovery: FileDiscovery
    private var tracker: FileTracker
    private var files: [FileKey: FollowedFile] = [:]
    private let readBuffer: UnsafeMutableBufferPointer<UInt8>
    private var statistics = FileInputStatistics()
    private var reportedMissingDirectories = Set<String>()
    private var reportedWatchFailures = Set<String>()
    private var reportedFileFailures = Set<String>()
    private var reportedUnseenPaths = Set<String>()
    /// The cuts of the checkpoints (`FileCheckpoint.cuts`), until their files are resumed.
    private var restoredCuts: [FileKey: (generation: UInt32, cuts: [FileCut])]
    /// Files opened so far: each file's `sequence`.
    private var openedCount = 0
    /// Memory held by the files' partial lines and pending events (their `countedHeldBytes`).
    private var heldBytes = 0
    /// Spare buffers were freed in this step because `heldBytes` was over the budget.
    private var releasedSpareCapacity = false
    // Per step. Per line, reading appends to `builder` and counts `eventCount` from closures:
    // the run-time exclusivity checks of those accesses (a class's stored properties are checked
    // dynamically) were 2% of a `--output null` run. The engine is used one call at a time, from
    // one thread, and never re-entered while it appends.
    private var step = FileInputStep()
    @exclusivity(unchecked) private var builder: EventBatchBuilder
    @exclusivity(unchecked) private var eventCount = 0
    private var timestamp = Date()

    /// - Throws: `TailError` when the configuration is invalid.
    init(
        configuration: FileInputConfiguration,
        checkpoints: [FileCheckpoint],
        watcher: FileWatcher,
        batches: RecyclingPool<EventBatch>,
        logger: Logger
    ) throws {
        try configuration.validate()
        self.configuration = configuration
        self.logger = logger
        self.watcher = watcher
        self.discovery = FileDiscovery(patterns: configuration.paths, exclude: configuration.exclude)
        let allowed = max(
            1,
            (Self.descriptorLimit() - FileInputConfiguration.reservedDescriptors)
                / max(1, configuration.descriptorShare)
        )
        if let configured = configuration.maximumOpenFiles, configured > allowed {
            logger.warning(
                "max_open_files is above what the descriptor limit allows; using less",
                metadata: ["max_open_files": "\(configured)", "used": "\(allowed)"]
            )
        }
        let maximumOpenFiles = min(
            configuration.maximumOpenFiles ?? FileInputConfiguration.defaultMaximumOpenFiles,
            allowed
        )
        self.tracker = FileTracker(
            checkpoints: checkpoints,
            readFrom: configuration.readFrom,
            forgetAfter: configuration.forgetAfter,
            maximumOpenFiles: maximumOpenFiles,
            closeInactive: configuration.closeInactive,
            maximumDeletedHold: configuration.maximumDeletedHold
        )
        self.restoredCuts = Dictionary(
            checkpoints.filter { !$0.cuts.isEmpty }.map { ($0.fileKey, ($0.generation, $0.cuts)) },
            uniquingKeysWith: { first, _ in first }
        )
        self.readBuffer = .allocate(capacity: configuration.readBufferBytes)
        self.builder = EventBatchBuilder(
            fields: configuration.fields,
            fieldsUnderRoot: configuration.fieldsUnderRoot,
            maximumEvents: configuration.maximumBatchEvents,
            batches: batches
        )
    }

    deinit {
        for file in files.values { _ = close(file.descriptor) }
        readBuffer.deallocate()
    }

    /// The process's soft limit on open descriptors.
    private static func descriptorLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return .max / 2 }
        // RLIM_INFINITY is the largest value: clamped, it allows any count.
        let current = UInt64(limit.rlim_cur)
        return current > UInt64(Int.max / 2) ? Int.max / 2 : Int(current)
    }

    /// Scans (when `rescan`), reopens suspended files among the `modified` paths (inotify's),
    /// reads every file with new data until the batch limit, and flushes timed-out multiline
    /// events.
    func step(now: ContinuousClock.Instant, timestamp: Date, rescan: Bool, modified: Set<String> = []) -> FileInputStep
    {
        beginStep(timestamp: timestamp)
        // Files wait for a descriptor and one is free: scan, to open them.
        if rescan || hasRoomForWaitingFiles { scan(now: now) }
        if !modified.isEmpty { reopen(modified, now: now) }
        readFiles(now: now)
        if let timeout = configuration.partialLineTimeout { flushPartialLines(olderThan: timeout, now: now) }
        for file in sortedFiles() where file.aggregator?.deadline != nil {
            flushEvent(of: file, expired: now)
            countHeldBytes(of: file)
        }
        return endStep()
    }

    /// A scan alone, while the output holds reading: new files are opened (and fingerprinted),
    /// truncations and rotations seen. What it produces is handed over with the next step.
    func scanOnly(now: ContinuousClock.Instant) {
        scan(now: now)
    }

    /// Shutdown: emits pending multiline events (partial lines are left to be read again after a restart)
    /// and closes every file.
    func finish(timestamp: Date) -> FileInputStep {
        beginStep(timestamp: timestamp)
        for file in sortedFiles() {
            flushEvent(of: file)
            _ = close(file.descriptor)
        }
        files.removeAll()
        heldBytes = 0
        statistics.filesOpen = 0
        return endStep()
    }

    private func beginStep(timestamp: Date) {
        self.timestamp = timestamp
        eventCount = 0
        releasedSpareCapacity = false
    }

    private var hasRoomForWaitingFiles: Bool {
        tracker.queuedCount > 0 && tracker.count < tracker.maximumOpenFiles
    }

    private func endStep() -> FileInputStep {
        flushPendingEvents()
        if hasRoomForWaitingFiles { step.moreToRead = true }
        statistics.filesQueued = tracker.queuedCount
        var deadline = tracker.nextCloseDeadline
        for file in files.values {
            if let fileDeadline = file.aggregator?.deadline { deadline = min(deadline ?? fileDeadline, fileDeadline) }
            if let since = file.partialSince, let timeout = configuration.partialLineTimeout {
                deadline = min(deadline ?? since.advanced(by: timeout), since.advanced(by: timeout))
            }
        }
        step.nextDeadline = deadline
        statistics.pendingBytes = heldBytes
        step.statistics = statistics
        // Handed over, not kept: a batch still referenced here would be copied whole by the first
        // transform that changes it (copy-on-write), on every batch.
        defer { step = FileInputStep() }
        return step
    }

    private func sortedFiles() -> [FollowedFile] {
        files.values.sorted { $0.path < $1.path }
    }

    // MARK: Scanning

    private func scan(now: ContinuousClock.Instant) {
        var result = discovery.scan()
        // A file created between the glob and a new watch would wait for the next rescan: look again.
        if watchDirectories(result) { result = discovery.scan() }
        for directory in result.missingDirectories where reportedMissingDirectories.insert(directory).inserted {
            logger.info("directory does not exist; retried at each rescan", metadata: ["directory": "\(directory)"])
        }
        // A followed file the scan did not find is looked at directly: a directory that could
        // not be read is not a directory without files.
        var scanned = result.files
        var unknown = Set<FileKey>()
        let found = Set(scanned.map(\.key))
        for file in files.values where !file.isFinishing && !found.contains(file.key) {
            switch FileDiscovery.presence(of: file.path, key: file.key) {
            case .present(let same): scanned.append(same)
            case .unknown:
                unknown.insert(file.key)
                if reportedUnseenPaths.insert(file.path).inserted {
                    logger.warning(
                        "cannot see a followed file; it is kept open and looked for at each rescan",
                        metadata: ["path": "\(file.path)"]
                    )
                }
            case .gone: break
            }
        }
        if unknown.isEmpty { reportedUnseenPaths.removeAll() } else { statistics.failedScans += 1 }
        // First bytes, to tell a file from new content over it: of followed files (a copytruncate
        // that grew past the read offset before this scan) and of checkpointed ones.
        for index in scanned.indices {
            scanned[index].sample = sample(scanned[index])
        }
        for action in tracker.onScan(scanned, now: now, unknown: unknown) { apply(action, now: now) }
        dropDeletedHeldTooLong(now: now)
        let behind = tracker.bytesBehind(scanned)
        statistics.bytesBehind = behind.reduce(0) { $0 + UInt64($1.bytes) }
        statistics.laggingFiles = behind.sorted { ($0.bytes, $1.path) > ($1.bytes, $0.path) }
            .prefix(FileInputStatistics.maximumLaggingFiles)
            .map { FileInputStatistics.LaggingFile(path: $0.path, bytes: UInt64($0.bytes)) }
        // Copies first: a copy of a truncated file is read from where the file was left, not
        // whole as a rotation after a checkpointed one.
        searchCopies(now: now)
        // Checkpointed files the patterns no longer match: rotated while logship was stopped?
        // Only this input's: every input is given every checkpoint.
        let unfound = tracker.unfoundCheckpointPaths.filter(discovery.isMatched)
        if !unfound.isEmpty {
            let siblings = discovery.rotatedSiblings(of: unfound)
            let files = siblings.files.map { file in
                var file = file
                file.sample = sample(file)
                return file
            }
            for action in tracker.onRotatedSiblings(files, now: now, listed: siblings.listed) {
                if case .absent(_, let path, _) = action, let copies = siblings.compressed[path] {
                    reportCompressedLoss(path, copies: copies)
                }
                apply(action, now: now)
            }
        }
    }

    /// Deleted files being finished that reading has not reached the end of for
    /// `maximumDeletedHold` (the output holds it): given up, so that their disk space is freed.
    private func dropDeletedHeldTooLong(now: ContinuousClock.Instant) {
        for file in sortedFiles() where file.isFinishing {
            var info = stat()
            guard fstat(file.descriptor, &info) == 0, info.st_nlink == 0,
                let action = tracker.onDeleted(file.key, size: Int64(info.st_size), now: now)
            else { continue }
            apply(action, now: now)
        }
    }

    /// The first bytes of a scanned file, when the tracker has something to compare them with:
    /// a followed file's through its descriptor, a checkpointed one's by its path.
    private func sample(_ file: FileTracker.ScannedFile) -> FileHead.Sample? {
        if let followed = files[file.key] {
            return followed.isFinishing
                ? nil : FileHead.Sample.read(followed.descriptor, markAt: tracker.markOffset(of: file.key))
        }
        return tracker.needsSample(of: file.key, size: file.size)
            ? FileHead.Sample.read(path: file.path, key: file.key, markAt: tracker.markOffset(of: file.key)) : nil
    }

    /// Suspended files written to since: opened again (see `FileTracker.onChanged`).
    private func reopen(_ paths: Set<String>, now: ContinuousClock.Instant) {
        var changed: [FileTracker.ScannedFile] = []
        for path in paths {
            // Only this input's files: every input is given every checkpoint.
            guard discovery.isMatched(path), case .present(var file) = FileDiscovery.look(at: path),
                files[file.key] == nil, tracker.isSuspended(file.key)
            else { continue }
            file.sample = sample(file)
            changed.append(file)
        }
        guard !changed.isEmpty else { return }
        for action in tracker.onChanged(changed, now: now) { apply(action, now: now) }
    }

    /// Truncated files: their unread tail is looked for in a rotated copy beside them.
    private func searchCopies(now: ContinuousClock.Instant) {
        let paths = tracker.copySearchPaths
        guard !paths.isEmpty else { return }
        let siblings = discovery.rotatedSiblings(of: paths).files.map { file in
            var file = file
            if files[file.key] == nil {
                // A remembered closed sibling is resumed by its mark too.
                file.sample = FileHead.Sample.read(
                    path: file.path,
                    key: file.key,
                    markAt: tracker.markOffset(of: file.key)
                )
            }
            return file
        }
        for action in tracker.onCopies(siblings, now: now) { apply(action, now: now) }
    }

    /// A checkpointed file is gone and only compressed copies are beside it: lines after its
    /// checkpoint may be in them, out of reach.
    private func reportCompressedLoss(_ path: String, copies: [String]) {
        statistics.lostFiles += 1
        logger.error(
            "a checkpointed file was rotated and compressed while logship was stopped; lines after its checkpoint may be lost (compressed copies are not read)",
            metadata: ["path": "\(path)", "compressed_copies": "\(copies.sorted().joined(separator: ", "))"]
        )
    }

    /// The first bytes of a followed file once it was opened or read past a short fingerprint.
    private func identify(_ file: FollowedFile, now: ContinuousClock.Instant) {
        guard let sample = FileHead.Sample.read(file.descriptor) else { return }
        for action in tracker.onSample(file.key, sample, now: now) { apply(action, now: now) }
    }

    /// Watches the directories found; returns whether a new watch was added.
    private func watchDirectories(_ result: FileDiscovery.Result) -> Bool {
        var added = false
        for directory in result.directories {
            reportedMissingDirectories.remove(directory)
            switch watcher.watch(directory: directory) {
            case .added:
                added = true
                reportedWatchFailures.remove(directory)
            case .alreadyWatched:
                break
            case .failed(let error):
                if reportedWatchFailures.insert(directory).inserted {
                    logger.warning(
                        "cannot watch directory; changes are found by the periodic rescan",
                        metadata: ["directory": "\(directory)", "error": "\(SystemError.message(error))"]
                    )
                }
            }
        }
        return added && watcher.isWatching
    }

    private func apply(_ action: FileTracker.Action, now: ContinuousClock.Instant) {
        switch action {
        case .open(let key, let path, let offset, let reason):
            open(key, path: path, offset: offset, reason: reason, now: now)
        case .moved(let key, let from, let to):
            guard let file = files[key] else { return }
            logger.debug("file moved", metadata: ["from": "\(from)", "to": "\(to)"])
            file.move(to: to)
            statistics.rotations += 1
        case .truncated(let key, _):
            if let file = files[key] { restart(file) }
            searchCopies(now: now)
        case .finish(let key, let path, let reason):
            guard let file = files[key] else { return }
            logger.debug(
                "file rotated away or deleted; reading it to its end",
                metadata: ["path": "\(path)", "reason": "\(reason)"]
            )
            file.isFinishing = true
            statistics.rotations += 1
        case .close(let key, _):
            if let file = files[key] { closeFinished(file, now: now) }
        case .suspend(let key, _):
            guard let file = files[key] else { return }
            // Its partial line is read again when it is reopened (`bytesRead` counts it again: a
            // counter never goes down); a pending event goes now, its cut recorded.
            flushEvent(of: file)
            closeFile(file)
        case .identified(let key, let head):
            appendOutput(.identified(key, head: head))
        case .lost(_, let path, let offset, let bytes):
            statistics.lostBytes += UInt64(max(0, bytes ?? 0))
            statistics.lostFiles += 1
            logger.error(
                "file truncated before it was read to its end, and no rotated copy has the rest: lines lost",
                metadata: [
                    "path": "\(path)", "offset": "\(offset)", "bytes_lost": "\(bytes.map(String.init) ?? "unknown")",
                ]
            )
        case .drop(let key, let path, let offset, let bytes):
            statistics.lostBytes += UInt64(bytes)
            statistics.lostFiles += 1
            logger.error(
                "deleted file held open for max_deleted_hold without being read to its end (the output held reading); its rest is given up",
                metadata: ["path": "\(path)", "offset": "\(offset)", "bytes_lost": "\(bytes)"]
            )
            if let file = files[key] {
                // Lines already joined into a pending event go; the rest is given up.
                file.aggregator?.flush { appendEvent($0, $1, file: file) }
                closeFile(file)
                appendOutput(.closed(key, path: path))
            }
        case .absent(let key, let path, let offset):
            logger.info(
                "a checkpointed file is gone (deleted or rotated away while logship was stopped)",
                metadata: ["path": "\(path)", "checkpoint_offset": "\(offset)"]
            )
            appendOutput(.gone(key, path: path))
        }
    }

    private func open(
        _ key: FileKey,
        path: String,
        offset: Int64,
        reason: FileTracker.StartReason,
        now: ContinuousClock.Instant
    ) {
        let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let error = errno
            if reportedFileFailures.insert(path).inserted {
                statistics.failedOpens += 1
                logger.warning(
                    "cannot open file; retried at each rescan",
                    metadata: [
                        "path": "\(path)",
                        "error": "\(TailError.io(operation: "open", path: path, offset: nil, errno: error))",
                    ]
                )
            }
            tracker.onOpenFailed(key, now: now)
            return
        }
        var info = stat()
        guard fstat(descriptor, &info) == 0, UInt64(info.st_dev) == key.device, UInt64(info.st_ino) == key.inode else {
            // Replaced between the scan and the open: the next scan sees the new file.
            _ = close(descriptor)
            tracker.onOpenFailed(key, now: now)
            return
        }
        reportedFileFailures.remove(path)
        let aggregator = configuration.multiline.flatMap {
            try? MultilineAggregator(configuration: $0, maximumBytes: configuration.maximumLineBytes)
        }
        openedCount += 1
        let file = FollowedFile(
            key: key,
            path: path,
            descriptor: descriptor,
            offset: offset,
            maximumLineBytes: configuration.maximumLineBytes,
            aggregator: aggregator,
            sequence: openedCount
        )
        file.generation = tracker.generation(of: key)
        // Resumed at its checkpoint (offset 0 is `.beginning`), of the generation the cuts were made in.
        if reason == .checkpoint || reason == .beginning, let restored = restoredCuts.removeValue(forKey: key),
            restored.generation == file.generation
        {
            file.cuts = restored.cuts.filter { $0.offset >= offset }
        }
        files[key] = file
        statistics.filesOpen = files.count
        switch reason {
        case .replaced:
            logger.info(
                "file is not the one checkpointed (truncated, rewritten or a reused inode); reading it from the start",
                metadata: ["path": "\(path)"]
            )
            statistics.truncations += 1
        case .copy:
            logger.info(
                "reading the rest of a truncated file from its rotated copy",
                metadata: ["path": "\(path)", "offset": "\(offset)"]
            )
        default:
            logger.debug("following file", metadata: ["path": "\(path)", "offset": "\(offset)", "reason": "\(reason)"])
        }
        // The checkpoint records where the patterns found the file (for a rotated copy resumed
        // after a restart, the live name it had): its rotated copies are looked for there.
        appendOutput(.opened(key, path: tracker.home(of: key) ?? path, offset: offset, generation: file.generation))
        if let head = tracker.head(of: key) {
            appendOutput(.identified(key, head: head))
        } else {
            identify(file, now: now)
        }
    }

    /// The file shrank: emit its pending multiline event, then read it again from 0.
    private func restart(_ file: FollowedFile) {
        file.aggregator?.flush { appendEvent($0, $1, file: file) }
        logger.info("file truncated; reading it again from the start", metadata: ["path": "\(file.path)"])
        file.restartAtBeginning(generation: tracker.generation(of: file.key))
        countHeldBytes(of: file)
        statistics.truncations += 1
        appendOutput(.truncated(file.key, path: file.path, generation: file.generation))
    }

    /// A finished file at its end: emit its partial line and pending event, close it.
    private func closeFinished(_ file: FollowedFile, now: ContinuousClock.Instant) {
        file.splitter.flushPartial { process($0, $1, file: file, now: now) }
        file.aggregator?.flush { appendEvent($0, $1, file: file) }
        closeFile(file)
        appendOutput(.closed(file.key, path: file.path))
        logger.debug("closed finished file", metadata: ["path": "\(file.path)"])
    }

    private func closeFile(_ file: FollowedFile) {
        _ = close(file.descriptor)
        heldBytes -= file.countedHeldBytes
        file.countedHeldBytes = 0
        files[file.key] = nil
        statistics.filesOpen = files.count
    }

    // MARK: Reading

    private enum ReadResult { case data, endOfFile, failed }

    /// Reads the files with data, a chunk each in turn, until the batch limit. Files being
    /// finished (rotated away) go first, oldest first, and while one of them has data the others
    /// wait: lines arrive in the order they were written across a rotation.
    private func readFiles(now: ContinuousClock.Instant) {
        let sorted = sortedFiles()
        var active =
            sorted.filter(\.isFinishing).sorted { $0.sequence < $1.sequence } + sorted.filter { !$0.isFinishing }
        let limit = configuration.maximumBatchEvents
        while !active.isEmpty {
            var next: [FollowedFile] = []
            let finishing = active.contains(where: \.isFinishing)
            for file in active {
                if finishing && !file.isFinishing {
                    next.append(file)
                    continue
                }
                if eventCount >= limit {
                    step.moreToRead = true
                    return
                }
                switch read(file, now: now) {
                case .data: next.append(file)
                case .endOfFile: if atEndOfFile(file, now: now) { next.append(file) }
                case .failed: break
                }
            }
            active = next
        }
    }

    /// Reads one chunk at the file's offset and turns it into events.
    private func read(_ file: FollowedFile, now: ContinuousClock.Instant) -> ReadResult {
        var count: Int
        repeat {
            count = pread(file.descriptor, readBuffer.baseAddress, readBuffer.count, off_t(file.offset))
        } while count < 0 && errno == EINTR
        if count == 0 { return .endOfFile }
        guard count > 0 else {
            let error = TailError.io(operation: "read", path: file.path, offset: file.offset, errno: errno)
            logger.warning("cannot read file; closing it, retried at the next rescan", metadata: ["error": "\(error)"])
            closeFile(file)
            tracker.onOpenFailed(file.key, now: now)
            return .failed
        }
        // Are these bytes still the file's? Its first bytes are checked after the read (one
        // small pread a chunk): new content written over it since it was last looked at
        // (copytruncate, then more new lines than the read offset, while reading was held) is
        // not taken for the rest of the old; the chunk is dropped and the file read again from 0,
        // after the old rest from its copy.
        if !file.isFinishing, let head = tracker.head(of: file.key), head.length > 0,
            let sample = FileHead.Sample.read(file.descriptor), !head.matches(sample)
        {
            let open = files.count
            for action in tracker.onSample(file.key, sample, now: now) { apply(action, now: now) }
            if files.count != open { step.moreToRead = true }
            return files.count == open ? .data : .failed
        }
        var truncated: UInt64 = 0
        var invalid: UInt64 = 0
        var lineCount: UInt64 = 0
        // The file may hold what the other files leave of the budget, and its first kibibyte
        // in any case: a line cut for memory still shows its timestamp and start.
        file.limitHeldBytes(
            to: max(
                FileInputConfiguration.pendingBytesKeptPerFile,
                configuration.maximumPendingBytes - (heldBytes - file.countedHeldBytes)
            )
        )
        let cuts = file.limitCuts
        func split(_ range: Range<Int>) {
            let bytes = UnsafeBufferPointer(rebasing: readBuffer[range])
            file.splitter.append(bytes, at: file.offset + Int64(range.lowerBound)) { line, info in
                lineCount += 1
                if info.isTruncated { truncated += 1 }
                if info.hasInvalidUTF8 { invalid += 1 }
                process(line, info, file: file, now: now)
            }
        }
        // Cuts made before a restart are made again where they were.
        var start = 0
        while let cut = file.cuts.first, cut.offset <= file.offset + Int64(count) {
            file.cuts.removeFirst()
            let end = Int(cut.offset - file.offset)
            guard end >= start else { continue }
            split(start..<end)
            cutAgain(file, cut.kind, now: now)
            start = end
        }
        split(start..<count)
        file.offset += Int64(count)
        countHeldBytes(of: file)
        if file.limitCuts != cuts { countCutsForMemory(file.limitCuts - cuts, file: file) }
        tracker.onRead(file.key, offset: file.offset, lineStart: file.splitter.lineStartOffset, now: now)
        // A read that ends inside a line (re)starts that line's `partialLineTimeout`.
        file.partialSince = file.splitter.hasPartialLine ? now : nil
        if tracker.hasShortHead(file.key) { identify(file, now: now) }
        statistics.bytesRead += UInt64(count)
        statistics.linesRead += lineCount
        statistics.truncatedLines += truncated
        statistics.invalidUTF8Lines += invalid
        return .data
    }

    /// Handles the end of the data: truncation, closing a finished file. Returns whether to read on.
    private func atEndOfFile(_ file: FollowedFile, now: ContinuousClock.Instant) -> Bool {
        var info = stat()
        if fstat(file.descriptor, &info) == 0,
            let action = tracker.onSize(file.key, size: Int64(info.st_size), now: now)
        {
            let open = files.count
            apply(action, now: now)
            // A rotated copy with the rest of the old content is read first, at the next step.
            guard files.count == open else {
                step.moreToRead = true
                return false
            }
            return true
        }
        // A first mark, or one a mebibyte further on: a run shorter than a rescan (`--once`)
        // leaves one in its checkpoint too.
        if let offset = tracker.markOffset(of: file.key, advancedBy: 1 << 20),
            let sample = FileHead.Sample.read(file.descriptor, markAt: offset)
        {
            let (open, generation) = (files.count, file.generation)
            for action in tracker.onSample(file.key, sample, now: now) { apply(action, now: now) }
            if files.count != open { return false }
            // New content: read it from 0.
            if file.generation != generation { return true }
        }
        // Not suspended while a multiline event is pending: its next lines may come in another
        // write (its timeout flushes it).
        if file.isFinishing || file.aggregator?.deadline == nil,
            let action = tracker.onEndOfFile(file.key, now: now)
        {
            apply(action, now: now)
        }
        return false
    }

    /// Ends the partial line or the pending event of `file` where a cut was made before a restart.
    private func cutAgain(_ file: FollowedFile, _ kind: FileCut.Kind, now: ContinuousClock.Instant) {
        switch kind {
        case .line: file.splitter.flushPartial { process($0, $1, file: file, now: now) }
        case .event: file.aggregator?.flush { appendEvent($0, $1, file: file) }
        }
    }

    /// Emits the pending multiline event of `file` (`expired`: only once it timed out), and the
    /// cut that makes it the same after a restart.
    private func flushEvent(of file: FollowedFile, expired now: ContinuousClock.Instant? = nil) {
        var cutAt: Int64?
        let emit = { (text: UnsafeBufferPointer<UInt8>, span: EventSpan) in
            self.appendEvent(text, span, file: file)
            cutAt = span.endOffset
        }
        if let now { file.aggregator?.flushIfExpired(now: now, emit: emit) } else { file.aggregator?.flush(emit) }
        if let cutAt { appendCut(FileCut(offset: cutAt, kind: .event), of: file) }
    }

    /// `partialLineTimeout`: partial lines that have not grown for `timeout` are shipped as
    /// they are (followed files only: a finished one ships its partial line when it closes).
    private func flushPartialLines(olderThan timeout: Duration, now: ContinuousClock.Instant) {
        for file in sortedFiles() where !file.isFinishing {
            guard let since = file.partialSince, since.advanced(by: timeout) <= now, file.splitter.hasPartialLine
            else { continue }
            file.splitter.flushPartial { process($0, $1, file: file, now: now) }
            file.partialSince = nil
            countHeldBytes(of: file)
            statistics.partialLinesFlushed += 1
            appendCut(FileCut(offset: file.offset, kind: .line), of: file)
            tracker.onRead(file.key, offset: file.offset, lineStart: file.splitter.lineStartOffset, now: now)
        }
    }

    /// Counts what `file` holds now into `heldBytes`; over the budget, frees the buffers files
    /// keep between lines (once a step).
    private func countHeldBytes(of file: FollowedFile) {
        let held = file.heldBytes
        heldBytes += held - file.countedHeldBytes
        file.countedHeldBytes = held
        guard heldBytes > configuration.maximumPendingBytes, !releasedSpareCapacity else { return }
        releasedSpareCapacity = true
        for other in files.values {
            other.releaseSpareCapacity()
            let held = other.heldBytes
            heldBytes += held - other.countedHeldBytes
            other.countedHeldBytes = held
        }
    }

    /// Lines cut because the memory budget was used up: counted, and logged at the first and
    /// then at every power of ten.
    private func countCutsForMemory(_ count: Int, file: FollowedFile) {
        let before = statistics.linesCutForMemory
        statistics.linesCutForMemory += UInt64(count)
        var power: UInt64 = 1
        while power <= before { power *= 10 }
        guard before == 0 || statistics.linesCutForMemory >= power else { return }
        logger.warning(
            "max_pending_bytes is used up by partial lines and pending multiline events; long lines are cut",
            metadata: [
                "path": "\(file.path)", "max_pending_bytes": "\(configuration.maximumPendingBytes)",
                "held_bytes": "\(heldBytes)", "lines_cut": "\(statistics.linesCutForMemory)",
            ]
        )
    }

    /// Feeds one line to the file's aggregator, or makes it an event.
    private func process(
        _ line: UnsafeBufferPointer<UInt8>,
        _ info: LineSplitter.LineInfo,
        file: FollowedFile,
        now: ContinuousClock.Instant
    ) {
        guard file.isMultiline else { return appendEvent(line, EventSpan(info), file: file) }
        file.aggregator!.append(line, info, now: now) { appendEvent($0, $1, file: file) }
    }

    // MARK: Output

    /// Adds an event made of `text` (valid UTF-8) to the batch being built (see
    /// `EventBatchBuilder`), and hands the batch on when it is full.
    private func appendEvent(_ text: UnsafeBufferPointer<UInt8>, _ span: EventSpan, file: FollowedFile) {
        if span.lineCount > 1 && span.isTruncated { statistics.truncatedMultilineEvents += 1 }
        let fileValue = file.fileValue(in: &builder)
        let full = builder.append(
            text,
            span,
            fileKey: file.key,
            generation: file.generation,
            file: fileValue,
            timestamp: timestamp
        )
        eventCount += 1
        if full { flushPendingEvents() }
    }

    /// A cut goes out without ending the batch being built: the ledger keeps it whatever it
    /// learns of the events around it, only after the file's `opened` or `truncated`, which end
    /// batches (and 50 multiline files timing out in one step make one batch, not 50).
    private func appendCut(_ cut: FileCut, of file: FollowedFile) {
        step.outputs.append(.cut(file.key, cut, generation: file.generation))
    }

    private func appendOutput(_ output: FileInputOutput) {
        flushPendingEvents()
        step.outputs.append(output)
    }

    private func flushPendingEvents() {
        guard !builder.isEmpty else { return }
        step.outputs.append(.events(builder.finishBatch()))
    }
}
