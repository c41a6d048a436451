package import NIOCore
package import NIOHTTP1

/// Collects the parts of one HTTP request (head, body chunks, end) into an `HTTPServerRequest`,
/// refusing bodies over a limit. Pure: the connection shell feeds it parts and does what the
/// returned action says.
///
/// Limits: the body is at most `maximumBodyBytes`. A `Content-Length` above the limit is refused
/// as soon as the head arrives; a chunked body is refused as soon as its running total passes the
/// limit. After a refusal every further part is ignored (`.none`) and the connection must close.
package struct HTTPRequestAggregator: Sendable {
    /// What the connection should do next.
    package enum Action: Sendable {
        /// Nothing yet; keep reading.
        case none
        /// The client sent `Expect: 100-continue` and the body is acceptable: write `100 Continue`.
        case sendContinue
        /// The request is complete: hand it to the handler, then keep the connection open only when
        /// `keepAlive` is true.
        case dispatch(HTTPServerRequest, keepAlive: Bool)
        /// The body is over the limit: answer 413 and close the connection.
        case rejectTooLarge
    }

    private enum State: Sendable {
        case idle
        case receiving(HTTPRequestHead, body: ByteBuffer)
        case rejected
    }

    /// The largest body accepted, in bytes.
    package let maximumBodyBytes: Int
    private var state: State = .idle

    /// An aggregator for one connection; it is reused for each request on that connection.
    package init(maximumBodyBytes: Int) {
        self.maximumBodyBytes = max(0, maximumBodyBytes)
    }

    /// Feeds one part of the request stream.
    package mutating func on(_ part: HTTPServerRequestPart) -> Action {
        switch part {
        case .head(let head): onHead(head)
        case .body(let chunk): onBody(chunk)
        case .end: onEnd()
        }
    }

    /// A new request starts. A head while another request is unfinished replaces it (the HTTP
    /// decoder does not produce that).
    package mutating func onHead(_ head: HTTPRequestHead) -> Action {
        if case .rejected = state { return .none }
        let declared = head.headers.first(name: "content-length").flatMap { Int($0) }
        if let declared, declared > maximumBodyBytes {
            state = .rejected
            return .rejectTooLarge
        }
        state = .receiving(head, body: ByteBuffer())
        let expectsContinue = head.headers.first(name: "expect")?.lowercased() == "100-continue"
        return expectsContinue && head.version == .http1_1 ? .sendContinue : .none
    }

    /// A chunk of the body arrives.
    package mutating func onBody(_ chunk: ByteBuffer) -> Action {
        guard case .receiving(let head, var body) = state else { return .none }
        guard body.readableBytes + chunk.readableBytes <= maximumBodyBytes else {
            state = .rejected
            return .rejectTooLarge
        }
        state = .idle  // drop the reference so `body` stays uniquely referenced while appending
        var chunk = chunk
        body.writeBuffer(&chunk)
        state = .receiving(head, body: body)
        return .none
    }

    /// The request ends: dispatch it.
    package mutating func onEnd() -> Action {
        guard case .receiving(let head, let body) = state else { return .none }
        state = .idle
        let target = head.uri
        let path: Substring
        let query: Substring
        if let mark = target.firstIndex(of: "?") {
            path = target[..<mark]
            query = target[target.index(after: mark)...]
        } else {
            path = target[...]
            query = ""
        }
        let request = HTTPServerRequest(
            method: head.method.rawValue,
            path: String(path),
            query: String(query),
            headers: head.headers.map { (name: $0.name, value: $0.value) },
            body: body
        )
        return .dispatch(request, keepAlive: head.isKeepAlive)
    }
}
