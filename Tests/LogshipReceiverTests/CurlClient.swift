import Foundation

/// A tiny HTTP client for tests: runs `/usr/bin/curl` and collects status, headers and body.
/// The test target has no HTTP client library; curl also gives real keep-alive and gzip uploads.
struct CurlClient {
    /// One answer as curl saw it.
    struct Response {
        /// The status code; 0 when no answer arrived.
        var status: Int
        /// Header fields of the (last) answer, names lowercased.
        var headers: [String: String]
        /// The body as text.
        var body: String
        /// curl's exit code: 0 success, 52 empty reply (connection closed without an answer).
        var exitCode: Int32
        /// curl's stderr (with `-v`, its trace).
        var trace: String
    }

    static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/curl") }

    /// Sends one request. `body` is sent as is (`--data-binary`); `extraArguments` go before the URL.
    static func request(
        _ url: String,
        method: String = "GET",
        headers: [String] = [],
        body: [UInt8]? = nil,
        extraArguments: [String] = []
    ) async throws -> Response {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("curl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let bodyFile = directory.appendingPathComponent("body")
        let headerFile = directory.appendingPathComponent("headers")
        // A safety net, not a bound under test: the whole suite on two shared cores once took
        // more than 10 s for a 3,000-document bulk request.
        var arguments = ["-s", "-S", "--max-time", "60", "-o", bodyFile.path, "-D", headerFile.path]
        arguments += ["-w", "%{http_code}"]
        if method == "HEAD" { arguments += ["-I"] } else { arguments += ["-X", method] }
        for header in headers { arguments += ["-H", header] }
        if let body {
            let requestFile = directory.appendingPathComponent("request")
            try Data(body).write(to: requestFile)
            arguments += ["--data-binary", "@" + requestFile.path]
        }
        arguments += extraArguments
        arguments.append(url)
        let (exitCode, output, errors) = try await run("/usr/bin/curl", arguments)
        let headerText = (try? String(contentsOf: headerFile, encoding: .utf8)) ?? ""
        var fields: [String: String] = [:]
        // With several answers (100 Continue, or several URLs) keep the last block.
        let blocks = headerText.components(separatedBy: "\r\n\r\n").filter { !$0.isEmpty }
        for line in (blocks.last ?? "").components(separatedBy: "\r\n").dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            fields[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var bodyText = (try? String(contentsOf: bodyFile, encoding: .utf8)) ?? ""
        if method == "HEAD" && bodyText == headerText { bodyText = "" }  // -I writes the headers as output
        return Response(
            status: Int(output.suffix(3)) ?? 0,
            headers: fields,
            body: bodyText,
            exitCode: exitCode,
            trace: errors
        )
    }

    /// Runs a program to completion without blocking a concurrency thread; returns exit code,
    /// stdout and stderr.
    static func run(_ path: String, _ arguments: [String], input: Data? = nil) async throws -> (Int32, String, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let output = Pipe()
        let errors = Pipe()
        let inputPipe = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = input == nil ? FileHandle.nullDevice : inputPipe
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
                return
            }
            if let input {
                inputPipe.fileHandleForWriting.write(input)
                try? inputPipe.fileHandleForWriting.close()
            }
        }
        let stdout = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return (status, stdout, stderr)
    }
}
