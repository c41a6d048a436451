import Foundation
import LogshipCore
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The output's optional disk buffer: encoded batches that did not fit in memory while
/// Elasticsearch was slow or down, one segment file each (`<directory>/<sequence>.ndjson`, the
/// `_bulk` body as it would be sent), written and fsync'd before the events are acknowledged to
/// the input. So reading goes on through a long outage (a rotated-away file is read to its end and
/// released instead of held), and what is in the buffer survives a restart: segments left in the
/// directory are sent first by the next run. A segment is deleted once Elasticsearch has taken
/// (or dead-lettered) every document in it; a crash before then sends it again, and `create` with
/// the source ids makes the resend harmless.
///
/// Bounded by `maximumBytes`: a write that would pass it is refused, and the output then holds
/// reading as it does without a buffer. Writes and reads are blocking system calls made by the
/// caller (the pipeline's sending task, the output's feeder), never under the output's lock.
package final class DiskBuffer: Sendable {
    private struct State {
        /// Segments on disk not yet handed to the delivery, oldest first, with their sizes.
        var waiting: [(sequence: UInt64, bytes: Int)] = []
        /// Segments handed to the delivery and not yet deleted, with their sizes.
        var delivering: [UInt64: Int] = [:]
        var nextSequence: UInt64 = 1
        /// Segments below it were left by an earlier run (their documents are counted when read).
        var firstOfThisRun: UInt64 = 1
        var bytes = 0
        var documents = 0
        /// `open()` succeeded: nothing is written before (the directory may not exist yet).
        var opened = false
    }

    package let directory: String
    package let maximumBytes: Int
    private let state = Mutex(State())
    /// Held by `open()` from its check to its end, so that two callers do not both scan.
    private let opening = Mutex(())

    package init(directory: String, maximumBytes: Int) {
        self.directory = directory
        self.maximumBytes = maximumBytes
    }

    /// Creates the directory and finds the segments a previous run left (their documents are
    /// counted when they are read). Throws naming the directory. Once open, does nothing.
    package func open() throws(DiskBufferError) {
        let result: Result<Void, DiskBufferError> = opening.withLock { _ in
            guard !isOpen else { return .success(()) }
            do throws(DiskBufferError) {
                try scan()
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try result.get()
    }

    private func scan() throws(DiskBufferError) {
        let manager = FileManager.default
        do {
            try manager.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .cannotWrite(path: directory, reason: "cannot create the directory")
        }
        let names = (try? manager.contentsOfDirectory(atPath: directory)) ?? []
        var found: [(UInt64, Int)] = []
        for name in names {
            if name.hasSuffix(".tmp") {
                // A write that did not finish: its events were not acknowledged, so they are read
                // again from their files.
                try? manager.removeItem(atPath: "\(directory)/\(name)")
                continue
            }
            guard name.hasSuffix(".ndjson"), let sequence = UInt64(name.dropLast(".ndjson".count)) else { continue }
            let size = (try? manager.attributesOfItem(atPath: "\(directory)/\(name)")[.size] as? Int) ?? 0
            found.append((sequence, size ?? 0))
        }
        found.sort { $0.0 < $1.0 }
        state.withLock { state in
            state.waiting = found.map { (sequence: $0.0, bytes: $0.1) }
            state.bytes = found.reduce(0) { $0 + $1.1 }
            state.nextSequence = (found.last?.0 ?? 0) + 1
            state.firstOfThisRun = state.nextSequence
            state.opened = true
        }
    }

    /// Bytes on disk (waiting and being delivered).
    package var bytes: Int { state.withLock { $0.bytes } }
    /// Documents in the buffer (those of segments an earlier run left are counted once read).
    package var documents: Int { state.withLock { $0.documents } }
    /// Whether segments wait to be handed to the delivery.
    package var hasWaiting: Bool { state.withLock { !$0.waiting.isEmpty } }
    /// The size of the next waiting segment (0 when none).
    package var nextBytes: Int { state.withLock { $0.waiting.first?.bytes ?? 0 } }
    /// Whether `open()` succeeded.
    package var isOpen: Bool { state.withLock { $0.opened } }

    /// Writes `batch` as a new segment, durably (opening the buffer first if needed); `false`
    /// when it would take the buffer past `maximumBytes` (nothing written).
    package func write(_ batch: Batch) throws(DiskBufferError) -> Bool {
        let size = batch.bytes.count
        // The first write may come before the output's `run()` opened the buffer.
        try open()
        let sequence: UInt64? = state.withLock { state in
            guard state.bytes + size <= maximumBytes else { return nil }
            state.bytes += size
            defer { state.nextSequence += 1 }
            return state.nextSequence
        }
        guard let sequence else { return false }
        let path = self.path(sequence)
        do {
            try Self.writeDurably(batch.bytes, to: path)
        } catch {
            state.withLock { $0.bytes -= size }
            throw error
        }
        state.withLock { state in
            state.waiting.append((sequence, size))
            state.documents += batch.count
        }
        return true
    }

    /// Reads the oldest waiting segment and marks it as being delivered; `nil` when none waits.
    /// A segment that cannot be read or parsed is renamed `<sequence>.bad` and logged by the
    /// caller through the error.
    package func next() throws(DiskBufferError) -> (sequence: UInt64, batch: Batch)? {
        guard let segment = state.withLock({ $0.waiting.first }) else { return nil }
        let path = self.path(segment.sequence)
        guard let data = FileManager.default.contents(atPath: path), let batch = Self.parse(Array(data)) else {
            state.withLock { state in
                state.waiting.removeFirst()
                state.bytes -= segment.bytes
            }
            try? FileManager.default.moveItem(atPath: path, toPath: "\(directory)/\(segment.sequence).bad")
            throw .unreadable(path: path)
        }
        state.withLock { state in
            state.waiting.removeFirst()
            state.delivering[segment.sequence] = segment.bytes
            if segment.sequence < state.firstOfThisRun { state.documents += batch.count }
        }
        return (segment.sequence, batch)
    }

    /// Deletes a delivered segment.
    package func remove(_ sequence: UInt64, documents: Int) {
        unlink(path(sequence))
        state.withLock { state in
            state.bytes -= state.delivering.removeValue(forKey: sequence) ?? 0
            state.documents -= documents
        }
    }

    private func path(_ sequence: UInt64) -> String {
        "\(directory)/\(String(sequence).leftPadded(to: 12)).ndjson"
    }

    /// Writes to `<path>.tmp`, fsyncs, renames to `path` and fsyncs the directory.
    private static func writeDurably(_ bytes: [UInt8], to path: String) throws(DiskBufferError) {
        let temporary = path + ".tmp"
        let descriptor = Glibc.open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw .cannotWrite(path: temporary, reason: String(cString: strerror(errno))) }
        var written = 0
        var failure: Int32 = 0
        bytes.withUnsafeBytes { buffer in
            while written < buffer.count {
                let result = Glibc.write(descriptor, buffer.baseAddress! + written, buffer.count - written)
                if result < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                written += result
            }
        }
        if failure == 0 && fsync(descriptor) != 0 { failure = errno }
        Glibc.close(descriptor)
        if failure == 0 && rename(temporary, path) != 0 { failure = errno }
        guard failure == 0 else {
            unlink(temporary)
            throw .cannotWrite(path: path, reason: String(cString: strerror(failure)))
        }
        let directory = Glibc.open((path as NSString).deletingLastPathComponent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directory >= 0 {
            fsync(directory)
            Glibc.close(directory)
        }
    }

    /// A `_bulk` body back into a batch: an action line and a source line per document. The
    /// documents have no sources (they were acknowledged when written); ids and index names are
    /// in the action lines.
    static func parse(_ bytes: [UInt8]) -> Batch? {
        var documents: [BulkDocument] = []
        var start = 0
        while start < bytes.count {
            guard let actionEnd = bytes[start...].firstIndex(of: UInt8(ascii: "\n")),
                let sourceEnd = bytes[(actionEnd + 1)...].firstIndex(of: UInt8(ascii: "\n"))
            else { return nil }
            documents.append(BulkDocument(range: start..<(sourceEnd + 1), sourceStart: actionEnd + 1, source: nil))
            start = sourceEnd + 1
        }
        return documents.isEmpty ? nil : Batch(bytes: bytes, documents: documents)
    }
}

/// Why the disk buffer could not be used.
package enum DiskBufferError: Error, Equatable, CustomStringConvertible {
    case cannotWrite(path: String, reason: String)
    case unreadable(path: String)

    package var description: String {
        switch self {
        case .cannotWrite(let path, let reason): "disk buffer: cannot write \(path): \(reason)"
        case .unreadable(let path): "disk buffer: \(path) is not a bulk body; renamed .bad and skipped"
        }
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
