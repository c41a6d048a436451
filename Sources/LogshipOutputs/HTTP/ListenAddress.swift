/// A `host:port` pair a server listens on, parsed from a configuration string.
///
/// Accepted forms: `127.0.0.1:9464`, `0.0.0.0:9464`, `localhost:9464`, `[::1]:9464` (IPv6 in
/// brackets) and `:9464` (all IPv4 interfaces, host `0.0.0.0`). The port is 0 through 65535; 0
/// asks the system for a free port. An IPv6 address without brackets is rejected because its
/// last colon is ambiguous. Surrounding whitespace is ignored; nothing else is.
package struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    /// The host name or address, without brackets.
    package var host: String
    /// The TCP port, 0 through 65535.
    package var port: Int

    /// An address from its parts. Not validated: binding reports a bad host or port.
    package init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses a listen string; the error names the text and what is wrong with it.
    package init(parsing text: String) throws(HTTPServerError) {
        let trimmed = text.trimmingWhitespace()
        func fail(_ reason: String) -> HTTPServerError { .invalidListenAddress(text: text, reason: reason) }
        guard !trimmed.isEmpty else { throw fail("it is empty; expected host:port such as 127.0.0.1:9464") }
        let host: Substring
        let portText: Substring
        if trimmed.hasPrefix("[") {
            guard let close = trimmed.firstIndex(of: "]") else { throw fail("missing \"]\" after the IPv6 address") }
            host = trimmed[trimmed.index(after: trimmed.startIndex)..<close]
            let rest = trimmed[trimmed.index(after: close)...]
            guard rest.first == ":" else { throw fail("expected \":port\" after \"]\"") }
            portText = rest.dropFirst()
            guard !host.isEmpty else { throw fail("the IPv6 address between brackets is empty") }
        } else {
            guard let colon = trimmed.lastIndex(of: ":") else {
                throw fail("missing \":port\"; expected host:port such as 127.0.0.1:9464")
            }
            host = trimmed[..<colon]
            portText = trimmed[trimmed.index(after: colon)...]
            if host.contains(":") { throw fail("an IPv6 address must be written in brackets, as in [::1]:9464") }
        }
        guard !portText.isEmpty else { throw fail("the port is missing") }
        guard portText.allSatisfy(\.isASCII), portText.allSatisfy(\.isNumber), let port = Int(portText) else {
            throw fail("the port \"\(portText)\" is not a number")
        }
        guard (0...65_535).contains(port) else { throw fail("the port \(port) is outside 0...65535") }
        self.host = host.isEmpty ? "0.0.0.0" : String(host)
        self.port = port
    }

    /// `host:port`, with brackets around an IPv6 host.
    package var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

extension String {
    fileprivate func trimmingWhitespace() -> Substring {
        let start = firstIndex { !$0.isWhitespace } ?? endIndex
        let end = lastIndex { !$0.isWhitespace }.map { index(after: $0) } ?? start
        return self[start..<max(start, end)]
    }
}
