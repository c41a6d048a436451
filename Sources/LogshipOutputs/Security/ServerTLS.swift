import NIOSSL

/// HTTPS for an `HTTPServer`: the server's certificate chain and private key, PEM files. Used by
/// the built-in bulk endpoint (`logship receiver --tls-certificate … --tls-key …`), so that the
/// output's TLS is tested against a real handshake.
package struct ServerTLS: Sendable, Equatable {
    /// PEM file of the certificate chain, the server's own first.
    package var certificateFile: String
    /// PEM file of its private key.
    package var keyFile: String
    /// When set, clients must present a certificate signed by a CA in this PEM file (mutual
    /// TLS, as a cluster with client authentication required); `nil`: none is asked for.
    package var clientCAFile: String?

    package init(certificateFile: String, keyFile: String, clientCAFile: String? = nil) {
        self.certificateFile = certificateFile
        self.keyFile = keyFile
        self.clientCAFile = clientCAFile
    }

    /// The files read into a server context; throws naming the file that cannot be used.
    func context() throws(TLSFileError) -> NIOSSLContext {
        let chain = try ClientTLS.certificates(in: certificateFile, key: "tls_certificate")
        let key = try ClientTLS.privateKey(in: keyFile, key: "tls_key")
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) },
            privateKey: .privateKey(key)
        )
        configuration.minimumTLSVersion = .tlsv12
        if let clientCAFile {
            configuration.certificateVerification = .noHostnameVerification
            configuration.trustRoots = .certificates(try ClientTLS.certificates(in: clientCAFile, key: "tls_client_ca"))
        }
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw .unreadable(
                key: "tls_key",
                path: keyFile,
                reason: "the key does not match the certificate (\(error))"
            )
        }
    }
}
