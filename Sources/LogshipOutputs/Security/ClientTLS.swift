package import NIOSSL

/// How the Elasticsearch output speaks TLS to `https://` hosts (`tls:` in a pipeline). By default
/// the server's certificate is verified against the system's CA bundle and must name the host;
/// `caFile` replaces that bundle with the CAs in one PEM file (Elasticsearch 8's own
/// `http_ca.crt`, a company CA), as Filebeat's `certificate_authorities` does: trusting exactly
/// the CA the cluster was given is what the setting is for. A client certificate and key
/// authenticate logship to a cluster that asks for one (PKI realm, mutual TLS).
///
/// TLS 1.2 is the minimum (Elasticsearch 8 offers 1.2 and 1.3).
package struct ClientTLS: Sendable, Equatable, CustomStringConvertible {
    /// PEM file of the CA certificates to trust instead of the system's; `nil`: the system's.
    package var caFile: String?
    /// PEM file of the client certificate (chain), with `keyFile`.
    package var certificateFile: String?
    /// PEM file of the client certificate's private key.
    package var keyFile: String?
    /// Whether the server's certificate is verified at all (`tls.verify`). Off, the connection is
    /// encrypted but anyone in the middle can read it: the output logs a warning when it starts.
    package var verifyCertificate = true
    /// Whether the certificate must name the host of the URL (`tls.verify_hostname`).
    package var verifyHostname = true

    package init(
        caFile: String? = nil,
        certificateFile: String? = nil,
        keyFile: String? = nil,
        verifyCertificate: Bool = true,
        verifyHostname: Bool = true
    ) {
        self.caFile = caFile
        self.certificateFile = certificateFile
        self.keyFile = keyFile
        self.verifyCertificate = verifyCertificate
        self.verifyHostname = verifyHostname
    }

    /// How verification is set, for the output's start-up log line.
    package var description: String {
        var parts: [String] = []
        switch (verifyCertificate, verifyHostname) {
        case (false, _): parts.append("certificate NOT verified")
        case (true, false): parts.append("certificate verified, host name not checked")
        case (true, true): parts.append("certificate and host name verified")
        }
        parts.append("CA \(caFile ?? "system bundle")")
        if let certificateFile { parts.append("client certificate \(certificateFile)") }
        return parts.joined(separator: ", ")
    }

    /// The settings with the files read: throws naming the key and the file when one cannot be
    /// read or holds no certificate or key, so that `logship validate` and start-up say which.
    package func configuration() throws(TLSFileError) -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        switch (verifyCertificate, verifyHostname) {
        case (false, _): configuration.certificateVerification = .none
        case (true, false): configuration.certificateVerification = .noHostnameVerification
        case (true, true): configuration.certificateVerification = .fullVerification
        }
        if let caFile {
            configuration.trustRoots = .certificates(try Self.certificates(in: caFile, key: "tls.ca_file"))
        }
        switch (certificateFile, keyFile) {
        case (nil, nil):
            break
        case (let certificateFile?, let keyFile?):
            configuration.certificateChain = try Self.certificates(in: certificateFile, key: "tls.certificate_file")
                .map { .certificate($0) }
            configuration.privateKey = .privateKey(try Self.privateKey(in: keyFile, key: "tls.key_file"))
        case (nil, _?):
            throw .incomplete(key: "tls.key_file", reason: "tls.key_file needs tls.certificate_file")
        case (_?, nil):
            throw .incomplete(key: "tls.certificate_file", reason: "tls.certificate_file needs tls.key_file")
        }
        return configuration
    }

    /// Every certificate of a PEM file; at least one.
    static func certificates(in path: String, key: String) throws(TLSFileError) -> [NIOSSLCertificate] {
        try TLSFileError.checkReadable(path, key: key)
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMFile(path)
        } catch {
            throw .unreadable(key: key, path: path, reason: "not a PEM certificate file")
        }
        guard !certificates.isEmpty else {
            throw .unreadable(key: key, path: path, reason: "no PEM certificate (-----BEGIN CERTIFICATE-----) in it")
        }
        return certificates
    }

    /// The private key of a PEM file.
    static func privateKey(in path: String, key: String) throws(TLSFileError) -> NIOSSLPrivateKey {
        try TLSFileError.checkReadable(path, key: key)
        do {
            return try NIOSSLPrivateKey(file: path, format: .pem)
        } catch {
            throw .unreadable(key: key, path: path, reason: "not a PEM private key (an encrypted key is not supported)")
        }
    }
}
