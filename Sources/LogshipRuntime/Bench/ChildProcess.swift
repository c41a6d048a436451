import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A process `logship bench` starts and measures: spawned with `posix_spawn`, reaped with
/// `wait4`, so that its CPU time and peak RSS are its own (`struct rusage` of that child alone).
final class ChildProcess: Sendable {
    /// Where a standard stream of the child goes.
    enum Stream {
        /// `/dev/null`.
        case null
        /// A file, created or truncated.
        case file(String)
        /// A pipe whose read end the parent keeps (`standardOutputPipe`).
        case pipe
    }

    /// How a child ended and what it used.
    struct Termination: Sendable {
        /// The exit status, or 128 + the signal number when a signal ended it.
        var status: Int32
        /// From `posix_spawn` to `wait4` returning.
        var wall: Duration
        var userSeconds: Double
        var systemSeconds: Double
        /// `ru_maxrss`, in KiB. For a spawned child it is at least the parent's RSS at the spawn:
        /// Linux keeps the larger of the RSS before and after `execve`.
        var peakResidentKiB: Int

        var cpuSeconds: Double { userSeconds + systemSeconds }
    }

    /// Why a child could not be started.
    struct SpawnError: Error, CustomStringConvertible {
        var executable: String
        var reason: String

        var description: String { "cannot start \(executable): \(reason)" }
    }

    let pid: pid_t
    let started: ContinuousClock.Instant
    /// The read end of the child's standard output, with `.pipe`; -1 otherwise.
    let standardOutputPipe: Int32

    private init(pid: pid_t, started: ContinuousClock.Instant, standardOutputPipe: Int32) {
        self.pid = pid
        self.started = started
        self.standardOutputPipe = standardOutputPipe
    }

    /// Starts `executable` (a path) with `arguments` and exactly `environment`.
    static func spawn(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String],
        standardOutput: Stream = .null,
        standardError: Stream = .null
    ) throws(SpawnError) -> ChildProcess {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        var pipeEnds: [Int32] = [-1, -1]
        for (descriptor, stream) in [(Int32(1), standardOutput), (Int32(2), standardError)] {
            switch stream {
            case .null:
                posix_spawn_file_actions_addopen(&actions, descriptor, "/dev/null", O_WRONLY, 0)
            case .file(let path):
                posix_spawn_file_actions_addopen(&actions, descriptor, path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            case .pipe:
                guard pipeEnds[0] < 0, pipe(&pipeEnds) == 0 else {
                    throw SpawnError(executable: executable, reason: "cannot create a pipe")
                }
                // The parent keeps only the read end; the child gets the write end as `descriptor`.
                _ = fcntl(pipeEnds[0], F_SETFD, FD_CLOEXEC)
                _ = fcntl(pipeEnds[1], F_SETFD, FD_CLOEXEC)
                posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], descriptor)
            }
        }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        // Default dispositions and no blocked signal in the child, whatever the parent has.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var all = sigset_t()
        sigfillset(&all)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        var pid: pid_t = 0
        let started = ContinuousClock.now
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        if pipeEnds[1] >= 0 { close(pipeEnds[1]) }
        guard result == 0 else {
            if pipeEnds[0] >= 0 { close(pipeEnds[0]) }
            throw SpawnError(executable: executable, reason: String(cString: strerror(result)))
        }
        return ChildProcess(pid: pid, started: started, standardOutputPipe: pipeEnds[0])
    }

    /// The first absolute path of `name` in `PATH` that is executable, or nil.
    static func find(_ name: String, path: String? = ProcessInfo.processInfo.environment["PATH"]) -> String? {
        for directory in (path ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }

    /// Sends `signal` to the child.
    func signal(_ signal: Int32) {
        kill(pid, signal)
    }

    /// Reads the child's standard output pipe up to the first newline (without it), waiting at
    /// most `timeout`; nil on timeout or end of stream.
    func readFirstLine(timeout: Duration) -> String? {
        guard standardOutputPipe >= 0 else { return nil }
        let deadline = ContinuousClock.now + timeout
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while ContinuousClock.now < deadline {
            var descriptor = pollfd(fd: standardOutputPipe, events: Int16(POLLIN), revents: 0)
            let left = ContinuousClock.now.duration(to: deadline).components
            let milliseconds = Int32(max(1, left.seconds * 1000 + left.attoseconds / 1_000_000_000_000_000))
            guard poll(&descriptor, 1, milliseconds) > 0 else { continue }
            guard read(standardOutputPipe, &byte, 1) == 1 else { return nil }
            if byte == UInt8(ascii: "\n") { return String(decoding: line, as: UTF8.self) }
            line.append(byte)
        }
        return nil
    }

    /// Waits for the child to end (on a thread of its own: `wait4` blocks) and returns its
    /// figures. Call once.
    func wait() async -> Termination {
        let pid = self.pid
        let started = self.started
        let pipe = standardOutputPipe
        return await withCheckedContinuation { continuation in
            let thread = Thread {
                var status: Int32 = 0
                var usage = rusage()
                var result: pid_t
                repeat {
                    result = wait4(pid, &status, 0, &usage)
                } while result < 0 && errno == EINTR
                let wall = started.duration(to: .now)
                if pipe >= 0 { close(pipe) }
                // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import as macros.
                let signal = status & 0x7F
                let code = signal == 0 ? (status >> 8) & 0xFF : 128 + signal
                continuation.resume(
                    returning: Termination(
                        status: result < 0 ? -1 : code,
                        wall: wall,
                        userSeconds: Self.seconds(usage.ru_utime),
                        systemSeconds: Self.seconds(usage.ru_stime),
                        peakResidentKiB: Int(usage.ru_maxrss)
                    )
                )
            }
            thread.start()
        }
    }

    private static func seconds(_ time: timeval) -> Double {
        Double(time.tv_sec) + Double(time.tv_usec) / 1_000_000
    }
}
