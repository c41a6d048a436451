package import NIOCore

/// One complete HTTP request as a handler sees it: the whole body has been received.
package struct HTTPServerRequest: Sendable {
    /// The method as sent, for example `GET` or `POST`.
    package var method: String
    /// The path of the target without the query string, for example `/metrics` or `/logs/_bulk`.
    /// Not percent-decoded.
    package var path: String
    /// The text after the first `?` of the target, without the `?`; empty when there is none.
    package var query: String
    /// The header fields in the order received; names keep their spelling.
    package var headers: [(name: String, value: String)]
    /// The body, at most the server's `maximumBodyBytes` long.
    package var body: ByteBuffer

    /// A request from its parts.
    package init(
        method: String,
        path: String,
        query: String = "",
        headers: [(name: String, value: String)] = [],
        body: ByteBuffer = ByteBuffer()
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// The value of the first header named `name`, compared case-insensitively; nil when absent.
    package func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// The value of the first query parameter named `name` (not percent-decoded); `""` for a
    /// parameter without `=`, nil when absent.
    package func queryParameter(_ name: String) -> String? {
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if parts[0] == name { return parts.count > 1 ? String(parts[1]) : "" }
        }
        return nil
    }
}
