import Foundation
import Glibc

/// Reads and writes the checkpoint file `<directory>/checkpoints.json`.
///
/// Writes are atomic: the state goes to a temporary file in the same directory, which is flushed to
/// disk (`fsync`), renamed over the checkpoint file, and the directory is flushed too. After a
/// crash the file holds either the previous state or the new one, never a mix. The state it
/// replaced stays as `checkpoints.json.prev`, which `recover()` falls back to when the file is
/// missing or cannot be decoded. Concurrent `save`
/// calls do not interfere (each uses its own temporary file); the last rename wins.
package struct CheckpointStore: Sendable {
    /// The directory holding the checkpoint file.
    package let directory: String
    /// `<directory>/checkpoints.json`.
    package let path: String
    /// `<directory>/checkpoints.json.prev`: the state the last `save` replaced.
    package var previousPath: String { path + ".prev" }

    /// - Parameter directory: the data directory; created by the first `save` if missing.
    package init(directory: String) {
        self.directory = directory
        self.path = directory.hasSuffix("/") ? directory + "checkpoints.json" : directory + "/checkpoints.json"
    }

    /// Loads the saved state; an empty state if the file does not exist. Strict: see `recover()`
    /// for what logship does at startup.
    ///
    /// - Throws: `TailError.corruptCheckpoint` naming the path when the file cannot be decoded,
    ///   `TailError.unsupportedCheckpointVersion` for a format this code does not know,
    ///   `TailError.io` when it cannot be read.
    package func load() throws -> CheckpointState {
        try load(from: path) ?? CheckpointState()
    }

    /// The state in the file at `path`; `nil` when there is none.
    func load(from path: String) throws -> CheckpointState? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ENOENT { return nil }
            throw TailError.io(operation: "open", path: path, offset: nil, errno: errno)
        }
        defer { close(descriptor) }
        let data = try Self.readAll(descriptor, path: path)
        let state: CheckpointState
        do {
            state = try JSONDecoder().decode(CheckpointState.self, from: data)
        } catch {
            throw TailError.corruptCheckpoint(path: path, reason: Self.describe(error))
        }
        guard state.version >= 1 else {
            throw TailError.corruptCheckpoint(path: path, reason: "invalid version \(state.version)")
        }
        guard state.version <= CheckpointState.currentVersion else {
            throw TailError.unsupportedCheckpointVersion(path: path, version: state.version)
        }
        return state
    }

    /// Saves `state` atomically, creating the directory if missing.
    ///
    /// - Throws: `TailError.checkpointWriteFailed` or `TailError.io` naming the path; the previous file is
    ///   then left as it was and no temporary file remains.
    package func save(_ state: CheckpointState) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data: Data
        do {
            data = try encoder.encode(state)
        } catch {
            throw TailError.checkpointWriteFailed(path: path, reason: "\(error)")
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw TailError.checkpointWriteFailed(path: path, reason: "cannot create directory: \(error)")
        }
        let temporary = path + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw TailError.io(operation: "create", path: temporary, offset: nil, errno: errno)
        }
        var succeeded = false
        defer {
            if !succeeded { unlink(temporary) }
        }
        do {
            defer { close(descriptor) }
            try Self.writeAll(data, to: descriptor, path: temporary)
            guard fsync(descriptor) == 0 else {
                throw TailError.io(operation: "fsync", path: temporary, offset: nil, errno: errno)
            }
        }
        // The state being replaced stays as `.prev` (a second name for it, made before the
        // rename replaces it): the checkpoint file is never missing, and `recover()` has the
        // state before it when it cannot be read. Best effort: a file system without hard links
        // keeps checkpoints, without that fallback.
        // A second name made first and renamed over `.prev`: `.prev` is replaced only when there
        // is a checkpoint file to replace it with (after a recovery moved it aside there is
        // none, and `.prev` is then the only state left).
        let previousTemporary = temporary + ".prev"
        if link(path, previousTemporary) == 0 && rename(previousTemporary, previousPath) != 0 {
            unlink(previousTemporary)
        }
        guard rename(temporary, path) == 0 else {
            throw TailError.io(operation: "rename", path: path, offset: nil, errno: errno)
        }
        succeeded = true
        let directoryDescriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directoryDescriptor >= 0 else {
            throw TailError.io(operation: "open directory", path: directory, offset: nil, errno: errno)
        }
        defer { close(directoryDescriptor) }
        guard fsync(directoryDescriptor) == 0 else {
            throw TailError.io(operation: "fsync directory", path: directory, offset: nil, errno: errno)
        }
    }

    private static func writeAll(_ data: Data, to descriptor: Int32, path: String) throws {
        try data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
            var written = 0
            while written < buffer.count {
                let result = write(descriptor, buffer.baseAddress! + written, buffer.count - written)
                if result < 0 {
                    if errno == EINTR { continue }
                    throw TailError.io(operation: "write", path: path, offset: Int64(written), errno: errno)
                }
                written += result
            }
        }
    }

    private static func readAll(_ descriptor: Int32, path: String) throws -> Data {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw TailError.io(operation: "read", path: path, offset: Int64(data.count), errno: errno)
            }
            if count == 0 { return data }
            data.append(contentsOf: buffer[0..<count])
        }
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let context):
            return "invalid JSON: \(context.debugDescription)"
        case DecodingError.keyNotFound(let key, _):
            return "missing key '\(key.stringValue)'"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return "unexpected value at '\(path)': \(context.debugDescription)"
        default:
            return "\(error)"
        }
    }
}
