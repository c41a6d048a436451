package import LogshipCore

/// How far one file has been shipped: reading resumes at `offset` after a restart.
package struct FileCheckpoint: Codable, Sendable, Equatable {
    /// The file's identity.
    package var fileKey: FileKey
    /// The path the input's patterns found it under (files are matched by key; a file rotated
    /// while logship was stopped is looked for beside this path, see `FileTracker`).
    package var path: String
    /// Offset just past the last acknowledged line.
    package var offset: Int64
    /// The file's generation at that offset (`EventSource.generation`); 0 in files written before
    /// format version 2.
    package var generation: UInt32
    /// The fingerprint of the file's first bytes (`FileHead`): a file found on this inode is this
    /// one only if its first bytes match. `nil` in files written before fingerprints (trusted by
    /// size alone, as they were then).
    package var head: FileHead?
    /// When the input closed the file (rotated away, deleted, or gone while logship was stopped),
    /// in seconds since 1970; `nil` while it is followed. A closed file's entry is kept for
    /// `forget_after`, so that a file that comes back is not read (and counted) again.
    package var closedAt: Int64?
    /// Lines and events cut past `offset` by a timeout or a shutdown, in offset order: they are cut
    /// there again when the file is read from `offset` after a restart (see `FileCut`).
    package var cuts: [FileCut]

    package init(
        fileKey: FileKey,
        path: String,
        offset: Int64,
        generation: UInt32 = 0,
        head: FileHead? = nil,
        closedAt: Int64? = nil,
        cuts: [FileCut] = []
    ) {
        self.fileKey = fileKey
        self.path = path
        self.offset = offset
        self.generation = generation
        self.head = head
        self.closedAt = closedAt
        self.cuts = cuts
    }

    private enum CodingKeys: String, CodingKey {
        case fileKey, path, offset, generation, head, closedAt, cuts
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        fileKey = try container.decode(FileKey.self, forKey: .fileKey)
        path = try container.decode(String.self, forKey: .path)
        offset = try container.decode(Int64.self, forKey: .offset)
        generation = try container.decodeIfPresent(UInt32.self, forKey: .generation) ?? 0
        head = try container.decodeIfPresent(FileHead.self, forKey: .head)
        closedAt = try container.decodeIfPresent(Int64.self, forKey: .closedAt)
        // A cut of a kind this release does not know (written by a newer one) is skipped, not
        // taken for a corrupt file.
        cuts = (try container.decodeIfPresent([FileCut.Lenient].self, forKey: .cuts) ?? []).compactMap(\.cut)
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(fileKey, forKey: .fileKey)
        try container.encode(path, forKey: .path)
        try container.encode(offset, forKey: .offset)
        if generation != 0 { try container.encode(generation, forKey: .generation) }
        try container.encodeIfPresent(head, forKey: .head)
        try container.encodeIfPresent(closedAt, forKey: .closedAt)
        if !cuts.isEmpty { try container.encode(cuts, forKey: .cuts) }
    }
}
