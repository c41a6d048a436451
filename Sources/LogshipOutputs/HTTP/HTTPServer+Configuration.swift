extension HTTPServer {
    /// Where a server listens and how much it accepts.
    package struct Configuration: Sendable, Equatable {
        /// The address to bind; port 0 picks a free port (see `HTTPServer.start()`).
        package var address: ListenAddress
        /// The largest request body accepted, in bytes; a larger one is answered 413 and the
        /// connection closed. Request heads are limited separately by the HTTP parser (80 KiB).
        package var maximumBodyBytes: Int
        /// How long, after answering 413, the server keeps discarding the rest of the refused body
        /// before it closes the connection, so that the client reads the 413 rather than a reset.
        package var lingerTimeout: Duration
        /// HTTPS with this certificate and key; `nil`: plain HTTP.
        package var tls: ServerTLS?

        /// A configuration; the default body limit is 1 MiB.
        package init(
            address: ListenAddress,
            maximumBodyBytes: Int = 1 << 20,
            lingerTimeout: Duration = .seconds(1),
            tls: ServerTLS? = nil
        ) {
            self.address = address
            self.maximumBodyBytes = maximumBodyBytes
            self.lingerTimeout = lingerTimeout
            self.tls = tls
        }
    }
}
