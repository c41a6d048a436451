import Glibc
import Synchronization

/// Waits for changes in watched directories (inotify) or for an explicit wake-up, with a timeout.
///
/// Only wakes the input's loop; the rescan decides what changed. When inotify is unavailable (no
/// support, or the per-user instance limit is reached), `isWatching` is false and `wait` only returns on
/// wake-up or timeout. At most `maximumWatches` directories are watched; more are left to the rescan.
final class FileWatcher: Sendable {
    /// Why `wait` returned.
    struct Wake: Sendable, Equatable {
        /// Entries were created, moved or deleted in a watched directory (or the event queue
        /// overflowed): the patterns should be evaluated again.
        var directoriesChanged = false
        /// A file in a watched directory was written to.
        var filesChanged = false
        /// The paths of the files written to, when inotify named them (at most
        /// `maximumModifiedPaths`; `filesChanged` says whether there were others).
        var modifiedPaths: Set<String> = []
        /// `wake()` was called.
        var woken = false
    }

    /// The most directories watched at once.
    static let maximumWatches = 4096
    /// The most modified paths one `wait` reports.
    static let maximumModifiedPaths = 4096
    private static let directoryMask =
        IN_CREATE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF
    private static let fileMask = IN_MODIFY | IN_CLOSE_WRITE

    private let inotifyDescriptor: Int32
    private let wakeReadDescriptor: Int32
    private let wakeWriteDescriptor: Int32
    /// Watched directory to watch descriptor.
    private let watches = Mutex<[String: Int32]>([:])

    /// Creates the wake pipe and, if possible, the inotify instance.
    ///
    /// - Throws: `TailError.io` when the wake pipe cannot be created.
    /// - Parameter inotifyError: receives the errno when inotify is unavailable.
    /// - Parameter useInotify: `false` for polling (`watch: poll`): no inotify instance.
    init(inotifyError: inout Int32?, useInotify: Bool = true) throws {
        var descriptors: [Int32] = [-1, -1]
        guard pipe(&descriptors) == 0 else {
            throw TailError.io(operation: "pipe", path: "(wake pipe)", offset: nil, errno: errno)
        }
        for descriptor in descriptors {
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
            _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        }
        wakeReadDescriptor = descriptors[0]
        wakeWriteDescriptor = descriptors[1]
        let descriptor = useInotify ? inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC)) : -1
        inotifyError = descriptor < 0 && useInotify ? errno : nil
        inotifyDescriptor = descriptor
    }

    /// Whether inotify is in use.
    var isWatching: Bool { inotifyDescriptor >= 0 }

    /// The outcome of `watch(directory:)`.
    enum WatchResult: Equatable {
        /// A new watch was set up (or inotify is unavailable and nothing was done).
        case added
        /// The directory was already watched.
        case alreadyWatched
        /// `inotify_add_watch` failed with this errno (`ENOENT` for a missing directory, `ENOSPC` past
        /// the watch limit).
        case failed(Int32)
    }

    /// Watches `directory` (once; calling again for a watched directory does nothing).
    func watch(directory: String) -> WatchResult {
        guard isWatching else { return .alreadyWatched }
        return watches.withLock { watches -> WatchResult in
            guard watches[directory] == nil else { return .alreadyWatched }
            guard watches.count < Self.maximumWatches else { return .failed(ENOSPC) }
            let mask = UInt32(Self.directoryMask | Self.fileMask | IN_ONLYDIR)
            let descriptor = inotify_add_watch(inotifyDescriptor, directory, mask)
            guard descriptor >= 0 else { return .failed(errno) }
            watches[directory] = descriptor
            return .added
        }
    }

    /// Blocks until something changed, `wake()` was called, or `timeout` passed (`nil`: no timeout).
    func wait(timeout: Duration?) -> Wake {
        var descriptors = [pollfd(fd: wakeReadDescriptor, events: Int16(POLLIN), revents: 0)]
        if isWatching { descriptors.append(pollfd(fd: inotifyDescriptor, events: Int16(POLLIN), revents: 0)) }
        var milliseconds: Int32 = -1
        if let timeout {
            let parts = timeout.components
            let value = max(0, (Double(parts.seconds) * 1000 + Double(parts.attoseconds) / 1e15).rounded(.up))
            milliseconds = value >= Double(Int32.max) ? Int32.max : Int32(value)
        }
        let result = poll(&descriptors, nfds_t(descriptors.count), milliseconds)
        var wake = Wake()
        guard result > 0 else { return wake }
        if descriptors[0].revents != 0 {
            wake.woken = true
            drainWakePipe()
        }
        if descriptors.count > 1, descriptors[1].revents != 0 { readEvents(into: &wake) }
        return wake
    }

    /// Makes a blocked or the next `wait` return at once. Safe from any thread.
    func wake() {
        var byte: UInt8 = 1
        _ = write(wakeWriteDescriptor, &byte, 1)
    }

    /// Closes the descriptors; the watcher must not be used afterwards.
    func close() {
        if inotifyDescriptor >= 0 { _ = Glibc.close(inotifyDescriptor) }
        _ = Glibc.close(wakeReadDescriptor)
        _ = Glibc.close(wakeWriteDescriptor)
    }

    private func drainWakePipe() {
        var buffer = [UInt8](repeating: 0, count: 64)
        while buffer.withUnsafeMutableBytes({ read(wakeReadDescriptor, $0.baseAddress, $0.count) }) > 0 {}
    }

    private func readEvents(into wake: inout Wake) {
        let headerSize = MemoryLayout<inotify_event>.size
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        var removed: [Int32] = []
        var modified: [(descriptor: Int32, name: String)] = []
        while true {
            let count = buffer.withUnsafeMutableBytes { read(inotifyDescriptor, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            buffer.withUnsafeBytes { bytes in
                var position = 0
                while position + headerSize <= count {
                    let descriptor = bytes.loadUnaligned(fromByteOffset: position, as: Int32.self)
                    let mask = Int32(bitPattern: bytes.loadUnaligned(fromByteOffset: position + 4, as: UInt32.self))
                    let nameLength = Int(bytes.loadUnaligned(fromByteOffset: position + 12, as: UInt32.self))
                    if mask & (Self.directoryMask | IN_Q_OVERFLOW | IN_IGNORED) != 0 { wake.directoriesChanged = true }
                    if mask & Self.fileMask != 0 {
                        wake.filesChanged = true
                        if nameLength > 0, modified.count < Self.maximumModifiedPaths {
                            let start = position + headerSize
                            let name = bytes[start..<min(start + nameLength, count)].prefix { $0 != 0 }
                            modified.append((descriptor, String(decoding: name, as: UTF8.self)))
                        }
                    }
                    if mask & IN_IGNORED != 0 { removed.append(descriptor) }
                    position += headerSize + nameLength
                }
            }
        }
        guard !removed.isEmpty || !modified.isEmpty else { return }
        watches.withLock { watches in
            if !modified.isEmpty {
                var directories: [Int32: String] = [:]
                for (directory, descriptor) in watches { directories[descriptor] = directory }
                for (descriptor, name) in modified {
                    guard let directory = directories[descriptor] else { continue }
                    // Spelled as glob spells the paths it finds there.
                    let path = directory == "." ? name : directory == "/" ? "/" + name : directory + "/" + name
                    wake.modifiedPaths.insert(path)
                }
            }
            for descriptor in removed {
                if let entry = watches.first(where: { $0.value == descriptor }) { watches[entry.key] = nil }
            }
        }
    }
}
