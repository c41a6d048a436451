/// Why an HTTP server could not start, or a listen address could not be read.
package enum HTTPServerError: Error, CustomStringConvertible, Equatable {
    /// The listen string `text` is not `host:port`; `reason` says what is wrong with it.
    case invalidListenAddress(text: String, reason: String)
    /// Binding `address` failed; `reason` is the operating system's explanation, for example
    /// `Address already in use`.
    case cannotListen(address: String, reason: String)
    /// `start()` was called on a server that is already started or has been shut down.
    case alreadyStarted(address: String)
    /// The TLS certificate or key cannot be used; `reason` names the file and why.
    case tls(address: String, reason: String)

    package var description: String {
        switch self {
        case .invalidListenAddress(let text, let reason):
            "invalid listen address \"\(text)\": \(reason)"
        case .cannotListen(let address, let reason):
            "cannot listen on \(address): \(reason)"
        case .alreadyStarted(let address):
            "the HTTP server for \(address) was already started or has been shut down"
        case .tls(let address, let reason):
            "cannot serve HTTPS on \(address): \(reason)"
        }
    }
}
