import Foundation
package import LogshipOutputs

/// A throw-away certificate authority and the certificates signed by it, made with the `openssl`
/// command in a directory of the caller's: what the TLS tests need to stand up an HTTPS bulk
/// endpoint (Elasticsearch 8 makes the same kind of self-signed CA on its first start). P-256
/// keys, valid for two days.
package struct TestCertificates: Sendable {
    /// The directory holding the PEM files.
    package let directory: String

    /// The CA certificate: what `tls.ca_file` (`ES_CA_FILE`) names to trust the endpoint.
    package var caFile: String { "\(directory)/ca.crt" }

    /// Makes the CA in `directory` (which must exist).
    ///
    /// - Throws: `TestCertificatesError` with openssl's output when a command fails.
    package init(directory: String) throws {
        self.directory = directory
        try run([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", "\(directory)/ca.key", "-out", caFile, "-days", "2", "-subj", "/CN=logship test CA",
        ])
    }

    /// A certificate named `name` signed by the CA, for the DNS names and IP addresses given (a
    /// server's), or for none (a client's). Returns its certificate and key files.
    package func issue(_ name: String, dnsNames: [String] = [], ipAddresses: [String] = []) throws -> ServerTLS {
        let key = "\(directory)/\(name).key"
        let request = "\(directory)/\(name).csr"
        let certificate = "\(directory)/\(name).crt"
        try run([
            "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", key, "-out", request, "-subj", "/CN=\(name)",
        ])
        let names = dnsNames.map { "DNS:\($0)" } + ipAddresses.map { "IP:\($0)" }
        let extensions = "\(directory)/\(name).ext"
        try (names.isEmpty ? "extendedKeyUsage=clientAuth\n" : "subjectAltName=\(names.joined(separator: ","))\n")
            .write(toFile: extensions, atomically: true, encoding: .utf8)
        try run([
            "x509", "-req", "-in", request, "-CA", caFile, "-CAkey", "\(directory)/ca.key", "-CAcreateserial",
            "-out", certificate, "-days", "2", "-extfile", extensions,
        ])
        return ServerTLS(certificateFile: certificate, keyFile: key)
    }

    private func run(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestCertificatesError(command: "openssl " + arguments.joined(separator: " "), output: text)
        }
    }
}

/// An openssl command that failed, with what it printed.
package struct TestCertificatesError: Error, CustomStringConvertible {
    package let command: String
    package let output: String

    package var description: String { "\(command) failed: \(output)" }
}
