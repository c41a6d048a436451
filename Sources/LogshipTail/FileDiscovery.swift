import Glibc
package import LogshipCore

/// Evaluates the input's glob patterns: the regular files to follow and the directories to watch.
///
/// Patterns use `glob(3)` with brace expansion; symbolic links are followed and identified by their
/// target. Exclusions use `fnmatch(3)` against the full path without flags, so `*` also matches `/`.
package struct FileDiscovery: Sendable {
    /// What one scan found.
    package struct Result: Sendable {
        /// Regular files that match a pattern and no exclusion, each path once.
        package var files: [FileTracker.ScannedFile] = []
        /// Existing directories that may hold matching files.
        package var directories: [String] = []
        /// Directories named literally by a pattern that do not exist.
        package var missingDirectories: [String] = []
    }

    let patterns: [String]
    let exclude: [String]

    package init(patterns: [String], exclude: [String] = []) {
        self.patterns = patterns
        self.exclude = exclude
    }

    /// Runs the patterns now.
    package func scan() -> Result {
        var result = Result()
        var seenPaths = Set<String>()
        var seenDirectories = Set<String>()
        for pattern in patterns {
            for path in Self.glob(pattern, flags: GLOB_BRACE) where !seenPaths.contains(path) {
                seenPaths.insert(path)
                guard !isExcluded(path) else { continue }
                var info = stat()
                guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { continue }
                result.files.append(Self.scanned(path, info))
            }
            let directory = Self.directory(of: pattern)
            if Self.hasWildcard(directory) {
                for found in Self.glob(directory, flags: GLOB_BRACE | GLOB_ONLYDIR)
                where seenDirectories.insert(found).inserted {
                    result.directories.append(found)
                }
            } else if seenDirectories.insert(directory).inserted {
                var info = stat()
                if stat(directory, &info) == 0, info.st_mode & S_IFMT == S_IFDIR {
                    result.directories.append(directory)
                } else {
                    result.missingDirectories.append(directory)
                }
            }
        }
        return result
    }

    /// The regular files beside each of `paths` whose names are that file's name plus a rotation
    /// suffix: a `.`, `-` or `_` followed by a digit (`app.log.1`, `app.log-20251101`,
    /// `app.log.2025-11-01_12-00`), and which of `paths` had their directory listed. Compressed
    /// copies (`.gz`, `.bz2`, `.xz`, `.zst`, `.zip`) are left out of `files`, their bytes are not
    /// the file's, and named in `compressed`.
    func rotatedSiblings(of paths: [String]) -> Siblings {
        var siblings = Siblings()
        var seen = Set<String>()
        for base in paths {
            let directory = Self.directory(of: base)
            let name = Self.name(of: base)
            guard !name.isEmpty, let stream = opendir(directory) else { continue }
            defer { closedir(stream) }
            siblings.listed.insert(base)
            while let entry = readdir(stream) {
                let candidate = withUnsafeBytes(of: entry.pointee.d_name) {
                    String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
                }
                guard Self.isRotated(candidate, of: name, compressed: true) else { continue }
                // Spelled as glob spells paths in that directory (no `./` for a relative pattern
                // without one), so that checkpointed paths and siblings compare.
                let path =
                    !base.contains("/") ? candidate : directory == "/" ? "/" + candidate : directory + "/" + candidate
                guard Self.isRotated(candidate, of: name) else {
                    siblings.compressed[base, default: []].append(path)
                    continue
                }
                var info = stat()
                guard seen.insert(path).inserted, !isExcluded(path), stat(path, &info) == 0,
                    info.st_mode & S_IFMT == S_IFREG
                else { continue }
                siblings.files.append(Self.scanned(path, info))
            }
        }
        return siblings
    }

    /// What `rotatedSiblings(of:)` found.
    struct Siblings {
        var files: [FileTracker.ScannedFile] = []
        /// The paths whose directory could be listed.
        var listed = Set<String>()
        /// Compressed rotated copies, by path.
        var compressed: [String: [String]] = [:]
    }

    /// Whether a followed file that a scan did not find is still at `path`.
    package enum Presence: Sendable, Equatable {
        /// The same file is there (the scan could not list its directory).
        case present(FileTracker.ScannedFile)
        /// Nothing is there, or another file: it was deleted or renamed.
        case gone
        /// It cannot be told (the path cannot be looked at: permissions, I/O, a link loop).
        case unknown
    }

    /// Looks at `path` directly, for a followed file (`key`) that a scan did not find: a scan
    /// that could not read a directory is not one that found no files.
    package static func presence(of path: String, key: FileKey) -> Presence {
        let presence = look(at: path)
        guard case .present(let found) = presence else { return presence }
        return found.key == key ? presence : .gone
    }

    /// The regular file at `path` as a scan would report it; `.gone` when there is none.
    package static func look(at path: String) -> Presence {
        var info = stat()
        guard stat(path, &info) == 0 else { return errno == ENOENT || errno == ENOTDIR ? .gone : .unknown }
        return info.st_mode & S_IFMT == S_IFREG ? .present(scanned(path, info)) : .gone
    }

    /// Whether `candidate` is `name` plus a rotation suffix (see `rotatedSiblings`); a compressed
    /// copy only when `compressed`.
    package static func isRotated(_ candidate: String, of name: String, compressed: Bool = false) -> Bool {
        guard candidate.count > name.count + 1, candidate.hasPrefix(name) else { return false }
        let suffix = candidate.dropFirst(name.count)
        guard let separator = suffix.first, ".-_".contains(separator),
            let first = suffix.dropFirst().first, first.isASCII, first.isNumber
        else { return false }
        let extensions = [".gz", ".bz2", ".xz", ".zst", ".zip"]
        return compressed || !extensions.contains { suffix.hasSuffix($0) }
    }

    private static func scanned(_ path: String, _ info: stat) -> FileTracker.ScannedFile {
        FileTracker.ScannedFile(
            path: path,
            key: FileKey(device: UInt64(info.st_dev), inode: UInt64(info.st_ino)),
            size: Int64(info.st_size),
            modified: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        )
    }

    /// Whether one of the patterns matches `path` (`fnmatch`, braces as alternatives) and no
    /// exclusion does: whether a checkpointed file was this input's.
    package func isMatched(_ path: String) -> Bool {
        !isExcluded(path)
            && patterns.contains { fnmatch(Self.extendedPattern($0), path, FNM_PATHNAME | Self.extendedMatch) == 0 }
    }

    /// glibc's `FNM_EXTMATCH` (a GNU extension Swift's Glibc module does not export).
    private static let extendedMatch: Int32 = 1 << 5

    /// `pattern` for `fnmatch` with `FNM_EXTMATCH`: glob's `{a,b}` as `@(a|b)`.
    private static func extendedPattern(_ pattern: String) -> String {
        var result = ""
        var depth = 0
        for character in pattern {
            switch character {
            case "{":
                depth += 1
                result += "@("
            case "}" where depth > 0:
                depth -= 1
                result += ")"
            case "," where depth > 0: result += "|"
            default: result.append(character)
            }
        }
        return result
    }

    private func isExcluded(_ path: String) -> Bool {
        exclude.contains { fnmatch($0, path, 0) == 0 }
    }

    /// The directory part of a pattern: everything before the last `/`, `/` for a top-level pattern,
    /// `.` for a pattern without `/`.
    /// The last component of `path` (all of it without a `/`).
    static func name(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    static func directory(of pattern: String) -> String {
        guard let slash = pattern.lastIndex(of: "/") else { return "." }
        let directory = String(pattern[..<slash])
        return directory.isEmpty ? "/" : directory
    }

    private static func hasWildcard(_ text: String) -> Bool {
        text.contains { $0 == "*" || $0 == "?" || $0 == "[" || $0 == "{" }
    }

    /// The paths `pattern` matches. A directory that cannot be read contributes nothing and the
    /// others their matches (so a file missing from a scan may be there: see `presence`).
    private static func glob(_ pattern: String, flags: Int32) -> [String] {
        var matches = glob_t()
        defer { globfree(&matches) }
        guard Glibc.glob(pattern, flags, nil, &matches) == 0 else { return [] }
        var paths: [String] = []
        paths.reserveCapacity(Int(matches.gl_pathc))
        for index in 0..<Int(matches.gl_pathc) {
            if let path = matches.gl_pathv[index] { paths.append(String(cString: path)) }
        }
        return paths
    }
}
