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
/// When a write would take the file past `maximumBytes`, the file is first renamed to `<path>.1`
/// (replacing an older one) and a new file is started, so at most about twice `maximumBytes` is
/// kept. A single write larger than `maximumBytes` still goes into a fresh file whole.
///
/// Writes are blocking system calls made under a lock; dead letters are rare, and keeping the
/// write and the fsync together makes an acknowledged dead letter durable.
package final class DeadLetterFile: Sendable {
    private struct State {
        var descriptor: Int32 = -1
        var size = 0
        var recordsWritten = 0
        var rotations = 0
    }

    /// Where the records go.
    package let path: String
    /// The size at which the file is rotated.
    package let maximumBytes: Int
    private let state = Mutex(State())

    package init(path: String, maximumBytes: Int) {
        self.path = path
        self.maximumBytes = max(1, maximumBytes)
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

    /// Opens (or creates) the file, so that a bad path is reported at startup. Called again it
    /// does nothing.
    package func openFile() throws(ElasticsearchOutputError) {
        try state.withLock { (state: inout State) throws(ElasticsearchOutputError) in
            try openIfNeeded(&state)
        }
    }

    /// Appends `records` at time `now` and fsyncs. Throws without having acknowledged anything
    /// when a system call fails (the caller retries those documents later).
    package func append(_ records: [DeadLetterRecord], now: Date = Date()) throws(ElasticsearchOutputError) {
        guard !records.isEmpty else { return }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(records.reduce(0) { $0 + $1.document.count + 256 })
        let milliseconds = UTCDateTime.milliseconds(since1970: now)
        for record in records { record.appendLine(millisecondsSince1970: milliseconds, to: &bytes) }
        try state.withLock { (state: inout State) throws(ElasticsearchOutputError) in
            try openIfNeeded(&state)
            if state.size > 0 && state.size + bytes.count > maximumBytes {
                try rotate(&state)
            }
            try writeAll(bytes, to: &state)
            guard fsync(state.descriptor) == 0 else {
                throw ElasticsearchOutputError.deadLetterFile(path: path, operation: "fsync", errno: errno)
            }
            state.recordsWritten += records.count
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

    private func rotate(_ state: inout State) throws(ElasticsearchOutputError) {
        _ = close(state.descriptor)
        state.descriptor = -1
        guard rename(path, path + ".1") == 0 else {
            throw ElasticsearchOutputError.deadLetterFile(path: path, operation: "rename to .1", errno: errno)
        }
        state.rotations += 1
        try openIfNeeded(&state)
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
