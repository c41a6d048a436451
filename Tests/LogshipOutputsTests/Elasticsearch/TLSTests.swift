import Foundation
import LogshipCore
import LogshipOutputs
import LogshipReceiver
import NIOSSL
import Testing

/// The output over HTTPS against the receiver with a throw-away CA's certificates: a real
/// handshake each time, verification on by default.
extension ElasticsearchOutputTests {
    /// Sends `count` events through an output with `change` applied and waits until they are
    /// acknowledged or, when `until` is given, until a line containing it is logged (and then
    /// checks nothing was acknowledged). Returns the log.
    @discardableResult
    func ship(
        port: Int,
        scheme: String = "https",
        host: String = "localhost",
        events count: Int = 5,
        from first: Int = 0,
        refusedSaying until: String? = nil,
        _ change: (inout ElasticsearchOutputConfiguration) -> Void = { _ in }
    ) async throws -> String {
        let logs = LogCapture()
        let acknowledged = AcknowledgementRecorder()
        let output = ElasticsearchOutput(
            configuration: configuration(port: port) {
                $0.hosts = ["\(scheme)://\(host):\(port)"]
                $0.shutdownTimeout = .milliseconds(50)
                change(&$0)
            },
            acknowledge: { acknowledged.record($0) },
            logger: logs.logger
        )
        try await withRunning(output) {
            await output.send(makeEvents(count, from: first))
            if let until {
                await logs.waitUntil(logged: until)
                #expect(acknowledged.count == 0 && output.statistics.documentsDeadLettered == 0, "\(logs.text)")
            } else {
                await acknowledged.waitUntil(count: count)
            }
        }
        return logs.text
    }

    @Test(.timeLimit(.minutes(2))) func aSelfSignedEndpointIsRefusedByDefaultAndAcceptedWithItsCA() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificates = try TestCertificates(directory: directory.path)
        let server = try certificates.issue("server", dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"])
        try await withReceiver(tls: server) { receiver, port in
            // The system's CAs do not know the test CA: refused, retried, nothing dead-lettered.
            let refused = try await ship(port: port, refusedSaying: "certificate is not trusted")
            #expect(refused.contains("set tls.ca_file (ES_CA_FILE"), "\(refused)")
            #expect(refused.contains("https://localhost:\(port)"))
            #expect(receiver.documentCount == 0)
            // With the CA: verified (name and chain) and delivered, by name and by address.
            let log = try await ship(port: port) { $0.tls.caFile = certificates.caFile }
            #expect(log.contains("certificate and host name verified"), "\(log)")
            try await ship(port: port, host: "127.0.0.1", from: 5) { $0.tls.caFile = certificates.caFile }
            #expect(receiver.documentCount == 10)
        }
    }

    @Test(.timeLimit(.minutes(2))) func theHostNameIsVerifiedUnlessSaidOtherwise() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificates = try TestCertificates(directory: directory.path)
        let server = try certificates.issue("elsewhere", dnsNames: ["elastic.example"])
        try await withReceiver(tls: server) { receiver, port in
            try await ship(port: port, refusedSaying: "does not name this host") { $0.tls.caFile = certificates.caFile }
            #expect(receiver.documentCount == 0)
            try await ship(port: port) {
                $0.tls.caFile = certificates.caFile
                $0.tls.verifyHostname = false
            }
            #expect(receiver.documentCount == 5)
        }
    }

    @Test(.timeLimit(.minutes(2))) func verifyFalseAcceptsAnyCertificateAndWarns() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificates = try TestCertificates(directory: directory.path)
        let server = try certificates.issue("server", dnsNames: ["elastic.example"])
        try await withReceiver(tls: server) { receiver, port in
            let log = try await ship(port: port) { $0.tls.verifyCertificate = false }
            #expect(log.contains("warning TLS certificate verification is off (tls.verify: false)"), "\(log)")
            #expect(receiver.documentCount == 5)
        }
    }

    @Test(.timeLimit(.minutes(2))) func aClientCertificateForMutualTLS() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificates = try TestCertificates(directory: directory.path)
        var server = try certificates.issue("server", dnsNames: ["localhost"])
        server.clientCAFile = certificates.caFile
        let client = try certificates.issue("logship")
        try await withReceiver(tls: server) { receiver, port in
            // Without a certificate the server ends the handshake.
            try await ship(port: port, refusedSaying: "TLS") { $0.tls.caFile = certificates.caFile }
            #expect(receiver.documentCount == 0)
            try await ship(port: port) {
                $0.tls.caFile = certificates.caFile
                $0.tls.certificateFile = client.certificateFile
                $0.tls.keyFile = client.keyFile
            }
            #expect(receiver.documentCount == 5)
        }
    }

    /// The wrong scheme either way is named in the log, not left as a bare connection error.
    @Test(.timeLimit(.minutes(2))) func theWrongSchemeIsNamed() async throws {
        try await withReceiver { receiver, port in
            try await ship(port: port, refusedSaying: "the host does not speak TLS")
        }
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificates = try TestCertificates(directory: directory.path)
        let server = try certificates.issue("server", dnsNames: ["localhost"])
        try await withReceiver(tls: server) { receiver, port in
            try await ship(port: port, scheme: "http", refusedSaying: "the connection closed before an answer")
        }
    }

    @Test func tlsFilesAreCheckedNamingTheKeyAndTheFile() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificates = try TestCertificates(directory: directory.path)
        let client = try certificates.issue("logship")
        let notPEM = directory.appendingPathComponent("notes.txt").path
        try "not a certificate\n".write(toFile: notPEM, atomically: true, encoding: .utf8)

        func failure(_ tls: ClientTLS) -> TLSFileError? {
            do {
                _ = try tls.configuration()
                return nil
            } catch {
                return error
            }
        }
        #expect(
            failure(ClientTLS(caFile: "/nonexistent/ca.pem"))
                == .unreadable(key: "tls.ca_file", path: "/nonexistent/ca.pem", reason: "No such file or directory")
        )
        #expect(
            failure(ClientTLS(caFile: notPEM))
                == .unreadable(key: "tls.ca_file", path: notPEM, reason: "not a PEM certificate file")
        )
        #expect(failure(ClientTLS(certificateFile: client.certificateFile))?.key == "tls.certificate_file")
        #expect(failure(ClientTLS(keyFile: client.keyFile))?.key == "tls.key_file")
        #expect(
            failure(ClientTLS(certificateFile: client.certificateFile, keyFile: notPEM))?.description
                == "\(notPEM): not a PEM private key (an encrypted key is not supported)"
        )
        #expect(
            failure(
                ClientTLS(caFile: certificates.caFile, certificateFile: client.certificateFile, keyFile: client.keyFile)
            ) == nil
        )
        let verification = [
            ClientTLS(), ClientTLS(verifyHostname: false), ClientTLS(verifyCertificate: false),
        ].map { try? $0.configuration().certificateVerification }
        #expect(verification == [.fullVerification, .noHostnameVerification, CertificateVerification.none])
        #expect(try ClientTLS().configuration().minimumTLSVersion == .tlsv12)
    }
}
