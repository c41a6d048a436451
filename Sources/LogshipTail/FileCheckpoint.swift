package import LogshipCore

/// How far one file has been shipped: reading resumes at `offset` after a restart.
package struct FileCheckpoint: Codable, Sendable, Equatable {
    /// The file's identity.
    package var fileKey: FileKey
    /// The path it was last read under (informational: files are matched by key).
    package var path: String
    /// Offset just past the last acknowledged line.
    package var offset: Int64

    package init(fileKey: FileKey, path: String, offset: Int64) {
        self.fileKey = fileKey
        self.path = path
        self.offset = offset
    }
}
