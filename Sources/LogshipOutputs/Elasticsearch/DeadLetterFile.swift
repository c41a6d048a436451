import LogshipCore
import Synchronization

package import struct Foundation.Date

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The file documents go to when Elasticsearch rejects them for good (per-item 4xx other than 409,
/// or a single document refused as a whole request): NDJSON lines as written by
/// `DeadLetterRecord.appendLine`, appended and fsync'd once per `append` call.
///
/// When a write would take the file past `maximumBytes`, the files are rotated as logrotate numbers
/// them: `<path>.1` becomes `<path>.2` and so on, the file becomes `<path>.1`, and a new file is
/// started; at most `maximumFiles` rotated files are kept, so at most about
/// `(maximumFiles + 1) × maximumBytes`. The oldest beyond that is deleted, and its records are
/// counted (`recordsDropped`, returned by `append`) so that the loss is never silent. A single
/// write larger than `maximumBytes` still goes into a fresh file whole.
///
/// Writes are blocking system calls made under a lock; dead letters are rare, and keeping the
/// write and the fsync together makes an acknowledged dead letter durable.
package final class DeadLetterFile: Sendable {
    private struct State {
        var descriptor: Int32 = -1
        var size = 0
        var recordsWritten = 0
        var rotations = 0
        var recordsDropped = 0
    }

    /// Where the records go.
    package let path: String
    /// The size at which the file is rotated.
    package let maximumBytes: Int
    /// How many rotated files are kept (`<path>.1` … `<path>.N`).
    package let maximumFiles: Int
    private let state = Mutex(State())

    package init(path: String, maximumBytes: Int, maximumFiles: Int = 5) {
        self.path = path
        self.maximumBytes = max(1, maximumBytes)
        self.maximumFiles = max(1, maximumFiles)
    }

    deinit {
        state.withLock { state in
            if state.descriptor >= 0 { _ = close(state.descriptor) }
        }
    }

    /// Number of records written since this object was made.
    package var recordsWritten: Int { state.withLock { $0.recordsWritten } }
    /// Number of times the file was rotated.
    package var rotations: Int { state.withLock { $0.rotations } }
    /// Records deleted with the oldest rotated file, beyond `maximumFiles`.
    package var recordsDropped: Int { state.withLock { $0.recordsDropped } }

    /// Opens (or creates) the file, so that a bad path is reported at startup. Called again it
    /// does nothing.
    package func openFile() throws(ElasticsearchOutputError) {
        try state.withLock { (state: inout State) throws(ElasticsearchOutputError) in
            try openIfNeeded(&state)
        }
    }

    /// Appends `records` at time `now` and fsyncs; returns how many older records a rotation
    /// deleted (beyond `maximumFiles`), 0 almost always. Throws without having acknowledged
    /// anything when a system call fails (the caller retries those documents later).
    @discardableResult
    package func append(_ records: [DeadLetterRecord], now: Date = Date()) throws(ElasticsearchOutputError) -> Int {
        guard !records.isEmpty else { return 0 }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(records.reduce(0) { $0 + $1.document.count + 256 })
        let milliseconds = UTCDateTime.milliseconds(since1970: now)
        for record in records { record.appendLine(millisecondsSince1970: milliseconds, to: &bytes) }
        return try state.withLock { (state: inout State) throws(ElasticsearchOutputError) -> Int in
            try openIfNeeded(&state)
            var dropped = 0
            if state.size > 0 && state.size + bytes.count > maximumBytes {
                dropped = try rotate(&state)
            }
            try writeAll(bytes, to: &state)
            guard fsync(state.descriptor) == 0 else {
                throw ElasticsearchOutputError.deadLetterFile(path: path, operation: "fsync", errno: errno)
            }
            state.recordsWritten += records.count
            return dropped
        }
    }

    /// Closes the file; a later `append` opens it again.
    package func closeFile() {
        state.withLock { state in
            if state.descriptor >= 0 { _ = close(state.descriptor) }
            state.descriptor = -1
        }
    }

    private func openIfNeeded(_ state: inout State) throws(ElasticsearchOutputError) {
        guard state.descriptor < 0 else { return }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw ElasticsearchOutputError.deadLetterFile(path: path, operation: "open", errno: errno)
        }
        var information = stat()
        guard fstat(descriptor, &information) == 0 else {
            let code = errno
            _ = close(descriptor)
            throw ElasticsearchOutputError.deadLetterFile(path: path, operation: "fstat", errno: code)
        }
        state.descriptor = descriptor
        state.size = Int(information.st_size)
    }

    /// Shifts the numbered files up by one, the oldest beyond `maximumFiles` deleted; returns
    /// how many records that one held.
    private func rotate(_ state: inout State) throws(ElasticsearchOutputError) -> Int {
        _ = close(state.descriptor)
        state.descriptor = -1
        var dropped = 0
        let oldest = "\(path).\(maximumFiles)"
        if access(oldest, F_OK) == 0 {
            dropped = Self.lineCount(oldest)
            guard unlink(oldest) == 0 else {
                throw ElasticsearchOutputError.deadLetterFile(path: oldest, operation: "unlink", errno: errno)
            }
        }
        for number in stride(from: maximumFiles - 1, through: 1, by: -1) where access("\(path).\(number)", F_OK) == 0 {
            guard rename("\(path).\(number)", "\(path).\(number + 1)") == 0 else {
                throw ElasticsearchOutputError.deadLetterFile(
                    path: path,
                    operation: "rename .\(number) to .\(number + 1)",
                    errno: errno
                )
            }
        }
        guard rename(path, path + ".1") == 0 else {
            throw ElasticsearchOutputError.deadLetterFile(path: path, operation: "rename to .1", errno: errno)
        }
        state.rotations += 1
        state.recordsDropped += dropped
        try openIfNeeded(&state)
        return dropped
    }

    /// The number of lines (records) of the file at `path`; 0 when it cannot be read.
    private static func lineCount(_ path: String) -> Int {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return 0 }
        defer { _ = close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var lines = 0
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return lines }
            for index in 0..<count where buffer[index] == 0x0A { lines += 1 }
        }
    }

    private func writeAll(_ bytes: [UInt8], to state: inout State) throws(ElasticsearchOutputError) {
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { buffer in
                write(state.descriptor, buffer.baseAddress! + written, buffer.count - written)
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw ElasticsearchOutputError.deadLetterFile(path: path, operation: "write", errno: errno)
            }
            written += result
            state.size += result
        }
    }
}
