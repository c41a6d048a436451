import AsyncHTTPClient
import NIOSSL

/// A request that got no answer, in an operator's words: the host, what failed and, for the
/// TLS failures people meet when they first point logship at a secured cluster, what to change.
enum TransportFailure {
    static func describe(_ error: any Error, url: String) -> String {
        let host = ElasticsearchOutputConfiguration.displayHost(url)
        return "\(host): \(reason(error))"
    }

    static func reason(_ error: any Error) -> String {
        let text = "\(error)"
        if let error = error as? NIOSSLExtraError, error == .failedToValidateHostname {
            return "TLS: the server's certificate does not name this host (\(error)); "
                + "use the name it was issued for, or set tls.verify_hostname: false"
        }
        if text.contains("CERTIFICATE_VERIFY_FAILED") {
            return "TLS: the server's certificate is not trusted (self-signed, or signed by a CA not in "
                + "the trusted set); set tls.ca_file (ES_CA_FILE in pipelines/aetherra.yml) to the CA that "
                + "signed it"
        }
        if text.contains("WRONG_VERSION_NUMBER") || text.contains("PACKET_LENGTH_TOO_LONG") {
            return "TLS: the host does not speak TLS (an http:// endpoint given as https://?) [\(text)]"
        }
        if error is NIOSSLError || error is BoringSSLError {
            return "TLS handshake failed: \(text)"
        }
        if let error = error as? HTTPClientError, error == .remoteConnectionClosed {
            return "the connection closed before an answer (a TLS server given as http://, or a proxy?)"
        }
        return text
    }
}
