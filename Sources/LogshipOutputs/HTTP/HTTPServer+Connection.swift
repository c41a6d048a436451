import Logging
import NIOCore
import NIOHTTP1

extension HTTPServer {
    /// Serves one connection: aggregates requests, calls the handler, writes answers, until the
    /// client closes, asks to close, a body is refused, or the server shuts down.
    func serve(_ connection: Connection) async {
        let channel = connection.channel
        guard register(channel) else {
            try? await channel.close()
            return
        }
        defer { unregister(channel) }
        do {
            try await connection.executeThenClose { inbound, outbound in
                var aggregator = HTTPRequestAggregator(maximumBodyBytes: configuration.maximumBodyBytes)
                var refused = false
                for try await part in inbound {
                    if refused {
                        // Discard the rest of a refused body; close once it has all arrived.
                        if case .end = part { return }
                        continue
                    }
                    if case .head = part { _ = setBusy(true, channel) }
                    switch aggregator.on(part) {
                    case .none:
                        continue
                    case .sendContinue:
                        try await outbound.write(.head(HTTPResponseHead(version: .http1_1, status: .continue)))
                    case .rejectTooLarge:
                        refused = true
                        let text = "request body larger than \(configuration.maximumBodyBytes) bytes\n"
                        let response = HTTPServerResponse(
                            status: 413,
                            contentType: "text/plain; charset=utf-8",
                            body: text
                        )
                        try await write(response, includeBody: true, keepAlive: false, to: outbound)
                        let linger = TimeAmount.nanoseconds(
                            Int64(configuration.lingerTimeout.components.seconds) * 1_000_000_000
                                + configuration.lingerTimeout.components.attoseconds / 1_000_000_000
                        )
                        channel.eventLoop.scheduleTask(in: linger) { channel.close(promise: nil) }
                        if case .end = part { return }
                    case .dispatch(let request, let keepAlive):
                        let response = await handler(request)
                        if response.closesConnectionWithoutAnswer { return }
                        let open = setBusy(false, channel) && keepAlive
                        try await write(response, includeBody: request.method != "HEAD", keepAlive: open, to: outbound)
                        if !open { return }
                    }
                }
            }
        } catch {
            logger.debug("HTTP connection ended with an error", metadata: ["error": "\(error)"])
        }
    }

    private func write(
        _ response: HTTPServerResponse,
        includeBody: Bool,
        keepAlive: Bool,
        to outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>
    ) async throws {
        var headers = HTTPHeaders()
        for (name, value) in response.headers {
            switch name.lowercased() {
            case "content-length", "connection", "transfer-encoding": continue
            default: headers.add(name: name, value: value)
            }
        }
        headers.add(name: "Content-Length", value: String(response.body.readableBytes))
        headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        let head = HTTPResponseHead(
            version: .http1_1,
            status: HTTPResponseStatus(statusCode: response.status),
            headers: headers
        )
        var parts: [HTTPServerResponsePart] = [.head(head)]
        if includeBody && response.body.readableBytes > 0 { parts.append(.body(.byteBuffer(response.body))) }
        parts.append(.end(nil))
        try await outbound.write(contentsOf: parts)
    }
}
