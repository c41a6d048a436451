import Foundation
package import LogshipCore
package import LogshipTail

/// What `logship status` prints: each checkpointed file, where logship is in it, and what is at
/// its path now. Read from the checkpoint file alone: it works while logship runs (the file is
/// replaced atomically) and while it is stopped.
package struct CheckpointReport: Sendable, Equatable {
    /// One checkpointed file.
    package struct Row: Sendable, Equatable, Encodable {
        package var path: String
        package var offset: Int64
        package var generation: UInt32
        /// The size of the file at `path` when it is still the checkpointed file; `nil` otherwise.
        package var size: Int64?
        /// Bytes after the checkpoint, when `size` is known.
        package var behind: Int64? { size.map { max(0, $0 - offset) } }
        /// `followed` (the same file is at its path), `replaced` (another file is: it was rotated
        /// away, see the rotated copies beside it) or `missing`.
        package var state: String

        enum CodingKeys: String, CodingKey { case path, offset, generation, size, behind, state }

        package func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(path, forKey: .path)
            try container.encode(offset, forKey: .offset)
            try container.encode(generation, forKey: .generation)
            try container.encodeIfPresent(size, forKey: .size)
            try container.encodeIfPresent(behind, forKey: .behind)
            try container.encode(state, forKey: .state)
        }

    }

    /// The checkpoint file read.
    package var path: String
    /// Its format version; `nil` when there is no checkpoint file.
    package var version: Int?
    package var rows: [Row]

    /// The report of the checkpoint file in `dataDirectory` (strict: a corrupt file is an error
    /// naming it, as `CheckpointStore.load()` says).
    package static func read(dataDirectory: String) throws -> CheckpointReport {
        let store = CheckpointStore(directory: dataDirectory)
        let exists = FileManager.default.fileExists(atPath: store.path)
        let state = try store.load()
        return CheckpointReport(
            path: store.path,
            version: exists ? state.version : nil,
            rows: state.files.sorted { $0.path < $1.path }.map(row)
        )
    }

    private static func row(_ checkpoint: FileCheckpoint) -> Row {
        var found: FileTracker.ScannedFile?
        if case .present(let file) = FileDiscovery.look(at: checkpoint.path) { found = file }
        let same = found?.key == checkpoint.fileKey
        return Row(
            path: checkpoint.path,
            offset: checkpoint.offset,
            generation: checkpoint.generation,
            size: same ? found?.size : nil,
            state: same ? "followed" : found != nil ? "replaced" : "missing"
        )
    }

    /// A table, one line per file, and the total behind.
    package var text: String {
        guard version != nil else { return "\(path): no checkpoint file (logship has not run with this data_dir)\n" }
        var text = "\(path) (format \(version ?? 0)): \(rows.count) file(s)\n"
        for row in rows {
            let behind = row.behind.map { "\($0) bytes behind" } ?? "-"
            let generation = row.generation == 0 ? "" : ", generation \(row.generation)"
            text += "  \(row.path): offset \(row.offset)\(generation), \(row.state), \(behind)\n"
        }
        let total = rows.compactMap(\.behind).reduce(0, +)
        text += "total behind: \(total) bytes\n"
        return text
    }
}
