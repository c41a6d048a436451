import Foundation
import Glibc
import LogshipCore

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
            let decoder = JSONDecoder()
            // How `JSONWriter.writeNumber` writes them (a gauge set to NaN, a sum gone infinite).
            decoder.nonConformingFloatDecodingStrategy = .convertFromString(
                positiveInfinity: "+Inf",
                negativeInfinity: "-Inf",
                nan: "NaN"
            )
            state = try decoder.decode(CheckpointState.self, from: data)
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

    /// Saves `state` atomically, creating the directory if missing. The text goes to the file a
    /// piece at a time as it is made (`encode(_:pieceSize:to:)`), never whole in memory.
    ///
    /// `state` is consumed: when it holds the only other reference to a metric store's series (a
    /// snapshot made for this save), each family's is let go as soon as it is written, so that
    /// the store's next update of that family does not copy its values
    /// (`MetricStoreSnapshot.writeJSON(into:pieceSize:flush:)`).
    ///
    /// - Throws: `TailError.checkpointWriteFailed` or `TailError.io` naming the path; the previous file is
    ///   then left as it was and no temporary file remains.
    package func save(_ state: consuming CheckpointState) throws {
        try save { descriptor, temporary in
            do {
                var bytes: [UInt8] = []
                try Self.encode(&state, into: &bytes, pieceSize: Self.pieceSize) {
                    try Self.writeAll($0, to: descriptor, path: temporary)
                }
                try Self.writeAll(bytes, to: descriptor, path: temporary)
            } catch let error as TailError {
                throw error
            } catch {
                throw TailError.checkpointWriteFailed(path: path, reason: "\(error)")
            }
        }
    }

    /// The text `save(_:)` writes for `state`.
    package static func encode(_ state: CheckpointState) throws -> [UInt8] {
        var state = state
        var text: [UInt8] = []
        try encode(&state, into: &text, pieceSize: .max) { _ in }
        return text
    }

    /// How much text `save(_:)` makes before writing it: small beside the file (about 11 MB for
    /// 200,000 series), large beside a system call.
    static let pieceSize = 256 << 10

    /// Hands the text `save(_:)` writes for `state` to `write`, in pieces of about `pieceSize`
    /// bytes: one line of JSON, keys sorted.
    ///
    /// The files, `readFromStart` and `version` go through `JSONEncoder`; the metric state,
    /// which can be hundreds of thousands of series, is written by
    /// `MetricStoreSnapshot.writeJSON(into:pieceSize:flush:)`, in columns. With any series in
    /// it the file is format 3 (`CheckpointState.columnsVersion`), whatever `state.version`
    /// says: a release before it would not read the columns, and refuses the file instead.
    ///
    /// 20 families of 10,000 series: about 11 MB in some 22 ms (see the README's Performance
    /// section); `JSONEncoder` took 2.8 s for the 32.5 MB the format before made of them.
    package static func encode(
        _ state: CheckpointState,
        pieceSize: Int = pieceSize,
        to write: ([UInt8]) throws -> Void
    ) throws {
        var state = state
        var bytes: [UInt8] = []
        try encode(&state, into: &bytes, pieceSize: pieceSize, flush: write)
        try write(bytes)
    }

    /// `encode(_:pieceSize:to:)`, the last piece left in `bytes`; the metric state is taken out
    /// of `state` (and let go of as it is written).
    private static func encode(
        _ state: inout CheckpointState,
        into bytes: inout [UInt8],
        pieceSize: Int,
        flush: ([UInt8]) throws -> Void
    ) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let files = try encoder.encode(state.files)
        let seriesCount = state.metrics?.seriesCount ?? 0
        let version = seriesCount > 0 ? max(state.version, CheckpointState.columnsVersion) : state.version
        bytes.reserveCapacity(min(pieceSize, files.count + seriesCount * 80) + 4096)
        bytes.append(contentsOf: #"{"files":"#.utf8)
        bytes.append(contentsOf: files)
        if let metrics = state.metrics.take() {
            bytes.append(contentsOf: #","metrics":"#.utf8)
            try (consume metrics).writeJSON(into: &bytes, pieceSize: pieceSize, flush: flush)
        }
        if let readFromStart = state.readFromStart {
            bytes.append(contentsOf: #","readFromStart":\#(readFromStart)"#.utf8)
        }
        bytes.append(contentsOf: #","version":\#(version)}"#.utf8)
    }

    /// Saves text `encode(_:)` made, atomically, as `save(_:)` does.
    package func save(encoded text: [UInt8]) throws {
        try save { descriptor, temporary in try Self.writeAll(text, to: descriptor, path: temporary) }
    }

    /// Creates the directory if missing, has `write` fill a new temporary file (given its
    /// descriptor and path), and puts it in place (see the type's comment).
    private func save(_ write: (Int32, String) throws -> Void) throws {
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
            try write(descriptor, temporary)
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

    private static func writeAll(_ data: [UInt8], to descriptor: Int32, path: String) throws {
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
