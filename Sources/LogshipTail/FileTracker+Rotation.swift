package import LogshipCore

/// Rotations the tracker did not see happen: files rotated while logship was stopped, and the
/// rotated copies of truncated files (copytruncate).
extension FileTracker {
    /// The last paths of checkpointed files that no scan has found (rotated or deleted while
    /// logship was stopped), sorted: the shell looks for them renamed beside those paths and
    /// reports what it finds to `onRotatedSiblings`.
    package var unfoundCheckpointPaths: [String] {
        Set(checkpoints.values.lazy.filter { $0.forgetAt == nil && !$0.seen }.map(\.path)).sorted()
    }

    /// Files named like the last path of a checkpointed file that no scan found, plus a rotation
    /// suffix (`app.log.1`, `app.log-20251101`; see `FileDiscovery.rotatedSiblings`): rotations
    /// that happened while logship was stopped. A sibling that is a checkpointed file (and whose
    /// first bytes match its fingerprint) is read from its checkpoint to its end and closed; the
    /// siblings of the same path modified after it (later rotations) are read whole, oldest
    /// first, unless they are closed files remembered (read to their end before), which resume
    /// where they were. Siblings older than it were read before, and files already followed are
    /// left alone. Checkpointed files whose directory was listed (`listed`: their last paths) and
    /// that are nowhere are `absent`. Returns `open` and `finish` actions, oldest file first,
    /// then `absent` ones.
    package mutating func onRotatedSiblings(
        _ siblings: [ScannedFile],
        now: ContinuousClock.Instant,
        listed: Set<String> = []
    ) -> [Action] {
        var resumed: [(file: ScannedFile, start: Start, home: String)] = []
        for file in siblings where tracked[file.key] == nil {
            guard let saved = checkpoints[file.key], saved.forgetAt == nil, !saved.seen,
                Self.isSibling(file.path, of: saved.path)
            else { continue }
            // Another file on a reused inode is not the checkpointed one.
            if let head = saved.head, let sample = file.sample, !head.resumes(sample) { continue }
            resumed.append((file, resume(saved, file: file, home: saved.path), saved.path))
        }
        var starts = resumed
        for found in resumed {
            checkpoints[found.file.key] = nil
            starts += laterRotations(of: found.home, after: found.file, in: siblings, excluding: starts)
        }
        var actions = begin(starts, finishing: .renamed, now: now)
        for (key, saved) in checkpoints.sorted(by: { $0.key < $1.key })
        where saved.forgetAt == nil && !saved.seen && listed.contains(saved.path) && tracked[key] == nil {
            checkpoints[key]?.forgetAt = now.advanced(by: forgetAfter)
            actions.append(.absent(key, path: saved.path, offset: saved.offset))
        }
        return actions
    }

    /// The paths whose rotated copies the shell must list, with their first bytes read
    /// (`ScannedFile.sample`), for `onCopies`: truncated files whose unread tail may be in a copy.
    package var copySearchPaths: [String] { Set(copySearches.map(\.home)).sorted() }

    /// The rotated copies beside the paths of `copySearchPaths`. For each truncated file, the
    /// newest copy whose first bytes match the file's old fingerprint and that is at least as
    /// long as where reading was is read from there to its end (before the truncated file's new bytes);
    /// after a truncation while logship was stopped, the copies made after it are read whole too.
    /// Without such a copy, what was not read is `lost`.
    package mutating func onCopies(_ siblings: [ScannedFile], now: ContinuousClock.Instant) -> [Action] {
        let searches = copySearches
        copySearches = []
        var actions: [Action] = []
        for search in searches {
            let copy =
                siblings.filter {
                    tracked[$0.key] == nil && $0.key != search.key && Self.isSibling($0.path, of: search.home)
                        && $0.size >= search.offset && $0.sample.map(search.head.matches) == true
                }
                .max { ($0.modified, $0.path) < ($1.modified, $1.path) }
            guard let copy else {
                if search.unread.map({ $0 > 0 }) ?? true {
                    actions.append(.lost(search.key, path: search.path, offset: search.offset, bytes: search.unread))
                }
                continue
            }
            checkpoints[copy.key] = nil
            var starts = [
                (file: copy, start: Start(offset: search.offset, generation: 0, reason: .copy), home: search.home)
            ]
            if search.whileStopped {
                starts += laterRotations(of: search.home, after: copy, in: siblings, excluding: starts)
            }
            actions += begin(starts, finishing: .copied, now: now)
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

    /// The rotated copies of `home` modified after `file` that are not followed or started yet:
    /// read whole, or, for a closed file remembered, from where it was.
    private mutating func laterRotations(
        of home: String,
        after file: ScannedFile,
        in siblings: [ScannedFile],
        excluding starts: [(file: ScannedFile, start: Start, home: String)]
    ) -> [(file: ScannedFile, start: Start, home: String)] {
        var later: [(file: ScannedFile, start: Start, home: String)] = []
        for sibling in siblings
        where Self.isSibling(sibling.path, of: home) && sibling.modified > file.modified
            && tracked[sibling.key] == nil
            && !starts.contains(where: { $0.file.key == sibling.key })
            && !later.contains(where: { $0.file.key == sibling.key })
        {
            guard let saved = checkpoints[sibling.key] else {
                later.append((sibling, Start(offset: 0, generation: 0, reason: .beginning), home))
                continue
            }
            // A checkpointed one is resumed by `onRotatedSiblings` itself.
            guard saved.forgetAt != nil else { continue }
            checkpoints[sibling.key] = nil
            later.append((sibling, resume(saved, file: sibling, home: home), home))
        }
        return later
    }

    /// Starts files to be read to their end and closed, oldest first.
    private mutating func begin(
        _ starts: [(file: ScannedFile, start: Start, home: String)],
        finishing: FinishReason,
        now: ContinuousClock.Instant
    ) -> [Action] {
        var actions: [Action] = []
        for (file, start, home) in starts.sorted(by: {
            ($0.file.modified, $0.file.path) < ($1.file.modified, $1.file.path)
        }) {
            begin(file, home: home, start: start, finishing: finishing, now: now)
            actions.append(.open(file.key, path: file.path, offset: start.offset, reason: start.reason))
            actions.append(.finish(file.key, path: file.path, reason: finishing))
        }
        return actions
    }
}
