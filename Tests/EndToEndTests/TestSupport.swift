import Foundation
import Testing

/// Where the repository and the built `logship` binary are.
enum Repository {
    /// The repository root, found from this file's path.
    static let root: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The `logship` binary built beside the test bundle (`swift test` builds every product).
    static var binary: URL {
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = executable.deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("logship")
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), !isDirectory.boolValue
            {
                return candidate
            }
            directory = directory.deletingLastPathComponent()
        }
        return root.appendingPathComponent(".build/debug/logship")
    }

    static var pipeline: String { root.appendingPathComponent("pipelines/aetherra.yml").path }
}

/// A fresh temporary directory, removed by `remove()`.
struct TemporaryDirectory {
    let url: URL

    init(_ name: String = "logship-e2e") throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ component: String) -> String { url.appendingPathComponent(component).path }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// Waits until `condition` holds, checking every 20 ms, for at most `timeout`. Returns whether it
/// held. Polling a real condition (files, sockets, another process) with a deadline, not a sleep.
func waitUntil(timeout: Duration, _ condition: () async throws -> Bool) async rethrows -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while clock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}

/// A free TCP port on loopback for a process to bind later: picked at random below the kernel's
/// ephemeral range (32768-60999), bound and released. A port taken from the ephemeral range (port
/// 0) could be handed to another test's port-0 bind before the process binds it (seen in CI: a
/// metrics endpoint's "Address already in use").
func freePort() throws -> Int {
    let socket = try ListeningSocket(portBelowEphemeralRange: true)
    defer { socket.close() }
    return socket.port
}

/// A TCP socket listening on a free loopback port until `close()`: a port that is taken.
final class ListeningSocket {
    private let descriptor: Int32
    let port: Int

    /// Listens on a port the kernel picks, or with `portBelowEphemeralRange` on a random free one
    /// in 20000-32767.
    init(portBelowEphemeralRange: Bool = false) throws {
        let descriptor = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.descriptor = descriptor
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var bound: Int32 = -1
        for _ in 0..<(portBelowEphemeralRange ? 200 : 1) where bound != 0 {
            address.sin_port = portBelowEphemeralRange ? UInt16(Int.random(in: 20000...32767)).bigEndian : 0
            bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
        #expect(bound == 0)
        #expect(listen(descriptor, 1) == 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        self.port = Int(UInt16(bigEndian: address.sin_port))
    }

    func close() { _ = Glibc.close(descriptor) }
}

/// Runs a command to completion and returns its exit status and standard output.
///
/// Async, and the waiting done on a thread of its own: a test blocked in `waitUntilExit` on one
/// of the cooperative pool's threads (two on this machine) starved the other tests' tasks.
func runCommand(
    _ executable: String,
    _ arguments: [String],
    input: String? = nil,
    directory: String? = nil
) async throws -> (status: Int32, output: String, error: String) {
    try await withCheckedThrowingContinuation { continuation in
        Thread {
            continuation.resume(
                with: Result { try runCommandBlocking(executable, arguments, input: input, directory: directory) }
            )
        }.start()
    }
}

/// `runCommand`, waiting on the calling thread; `directory` is the command's working directory
/// (by default the test's).
func runCommandBlocking(
    _ executable: String,
    _ arguments: [String],
    input: String? = nil,
    directory: String? = nil
) throws -> (status: Int32, output: String, error: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    let output = Pipe()
    let error = Pipe()
    process.standardOutput = output
    process.standardError = error
    let inputPipe = Pipe()
    if input != nil { process.standardInput = inputPipe }
    try process.run()
    if let input {
        inputPipe.fileHandleForWriting.write(Data(input.utf8))
        try inputPipe.fileHandleForWriting.close()
    }
    let outputData = output.fileHandleForReading.readDataToEndOfFile()
    let errorData = error.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (
        process.terminationStatus, String(decoding: outputData, as: UTF8.self),
        String(decoding: errorData, as: UTF8.self)
    )
}

/// What `logship run --once --output null` printed: its exit status, its JSON summary (`nil`
/// when standard output was not one) and its standard error.
struct OnceRun {
    var status: Int32
    var summary: [String: Any]?
    var error: String

    /// `events` of the summary; -1 without one.
    var events: Int { summary?["events"] as? Int ?? -1 }
}

/// Runs `logship run --once --output null` on `logs` with its data in `data`, as an operator
/// would (the pipeline's `${VAR}`s from the environment).
func runOnce(logs: String, data: String, config: String = Repository.pipeline) async throws -> OnceRun {
    let result = try await runCommand(
        "/usr/bin/env",
        [
            "AETHERRA_LOG_DIR=\(logs)", "LOGSHIP_DATA_DIR=\(data)", "METRICS_LISTEN=127.0.0.1:0",
            Repository.binary.path, "run", "--once", "--output", "null", "--config", config, "--log-level", "warning",
        ]
    )
    let summary = try? JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
    return OnceRun(status: result.status, summary: summary, error: result.error)
}

/// `GET url` with curl; `nil` when the request fails.
func httpGet(_ url: String) -> String? {
    guard let result = try? runCommandBlocking("/usr/bin/curl", ["-sf", "--max-time", "5", url]), result.status == 0
    else {
        return nil
    }
    return result.output
}

/// A running `logship` process.
final class LogshipProcess: @unchecked Sendable {  // Process is not Sendable; used from one test task.
    let process = Process()
    let logFile: String

    init(arguments: [String], environment: [String: String], logFile: String) throws {
        self.logFile = logFile
        FileManager.default.createFile(atPath: logFile, contents: nil)
        process.executableURL = Repository.binary
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.currentDirectoryURL = Repository.root
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: logFile))
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
    }

    var log: String { (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? "" }

    func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// Waits for the process to exit, at most `timeout`; returns its status, or nil if it did not.
    func waitForExit(timeout: Duration) async -> Int32? {
        let exited = await waitUntil(timeout: timeout) { !process.isRunning }
        return exited ? process.terminationStatus : nil
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}

/// logrotate's numbered rename rotation in `directory`: `name.N` to `name.N+1` from the oldest
/// down, then `name` to `name.1` (nothing deleted). The caller creates the new file, or not.
func rotateNumbered(_ directory: String, name: String) throws {
    let manager = FileManager.default
    let numbered = try manager.contentsOfDirectory(atPath: directory).compactMap { entry -> Int? in
        entry.hasPrefix(name + ".") ? Int(entry.dropFirst(name.count + 1)) : nil
    }
    for number in numbered.sorted(by: >) {
        try manager.moveItem(atPath: "\(directory)/\(name).\(number)", toPath: "\(directory)/\(name).\(number + 1)")
    }
    try manager.moveItem(atPath: "\(directory)/\(name)", toPath: "\(directory)/\(name).1")
}
