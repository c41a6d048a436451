import Glibc
import LogshipCore

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
        /// Patterns whose directories could not be read (an error other than not existing):
        /// what they match is unknown, not absent.
        package var failedPatterns: [String] = []
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
            guard let paths = Self.glob(pattern, flags: GLOB_BRACE) else {
                result.failedPatterns.append(pattern)
                continue
            }
            for path in paths where !seenPaths.contains(path) {
                seenPaths.insert(path)
                guard !isExcluded(path) else { continue }
                var info = stat()
                guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { continue }
                result.files.append(Self.scanned(path, info))
            }
            let directory = Self.directory(of: pattern)
            if Self.hasWildcard(directory) {
                for found in Self.glob(directory, flags: GLOB_BRACE | GLOB_ONLYDIR) ?? []
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
    /// `app.log.2025-11-01_12-00`). Compressed copies (`.gz`, `.bz2`, `.xz`, `.zst`, `.zip`) are
    /// left out: their bytes are not the file's.
    func rotatedSiblings(of paths: [String]) -> [FileTracker.ScannedFile] {
        var siblings: [FileTracker.ScannedFile] = []
        var seen = Set<String>()
        for base in paths {
            let directory = Self.directory(of: base)
            let name = String(base[base.index(after: base.lastIndex(of: "/") ?? base.startIndex)...])
            guard !name.isEmpty, let stream = opendir(directory) else { continue }
            defer { closedir(stream) }
            while let entry = readdir(stream) {
                let candidate = withUnsafeBytes(of: entry.pointee.d_name) {
                    String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
                }
                guard Self.isRotated(candidate, of: name) else { continue }
                let path = directory == "/" ? "/" + candidate : directory + "/" + candidate
                var info = stat()
                guard seen.insert(path).inserted, !isExcluded(path), stat(path, &info) == 0,
                    info.st_mode & S_IFMT == S_IFREG
                else { continue }
                siblings.append(Self.scanned(path, info))
            }
        }
        return siblings
    }

    /// Whether `candidate` is `name` plus a rotation suffix (see `rotatedSiblings`).
    package static func isRotated(_ candidate: String, of name: String) -> Bool {
        guard candidate.count > name.count + 1, candidate.hasPrefix(name) else { return false }
        let suffix = candidate.dropFirst(name.count)
        guard let separator = suffix.first, ".-_".contains(separator),
            let first = suffix.dropFirst().first, first.isASCII, first.isNumber
        else { return false }
        let compressed = [".gz", ".bz2", ".xz", ".zst", ".zip"]
        return !compressed.contains { suffix.hasSuffix($0) }
    }

    private static func scanned(_ path: String, _ info: stat) -> FileTracker.ScannedFile {
        FileTracker.ScannedFile(
            path: path,
            key: FileKey(device: UInt64(info.st_dev), inode: UInt64(info.st_ino)),
            size: Int64(info.st_size),
            modified: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        )
    }

    private func isExcluded(_ path: String) -> Bool {
        exclude.contains { fnmatch($0, path, 0) == 0 }
    }

    /// The directory part of a pattern: everything before the last `/`, `/` for a top-level pattern,
    /// `.` for a pattern without `/`.
    static func directory(of pattern: String) -> String {
        guard let slash = pattern.lastIndex(of: "/") else { return "." }
        let directory = String(pattern[..<slash])
        return directory.isEmpty ? "/" : directory
    }

    private static func hasWildcard(_ text: String) -> Bool {
        text.contains { $0 == "*" || $0 == "?" || $0 == "[" || $0 == "{" }
    }

    /// The paths `pattern` matches; `nil` when a directory on the way could not be read (with
    /// an error other than a directory that does not exist, which is no match).
    private static func glob(_ pattern: String, flags: Int32) -> [String]? {
        var matches = glob_t()
        defer { globfree(&matches) }
        let status = Glibc.glob(pattern, flags, { _, error in error == ENOENT || error == ENOTDIR ? 0 : 1 }, &matches)
        guard status == 0 else { return status == GLOB_NOMATCH ? [] : nil }
        var paths: [String] = []
        paths.reserveCapacity(Int(matches.gl_pathc))
        for index in 0..<Int(matches.gl_pathc) {
            if let path = matches.gl_pathv[index] { paths.append(String(cString: path)) }
        }
        return paths
    }
}
