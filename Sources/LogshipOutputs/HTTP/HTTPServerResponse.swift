package import NIOCore

/// What a handler answers. The server adds `Content-Length` (and `Connection` when it closes);
/// a handler that sets either itself has it replaced.
package struct HTTPServerResponse: Sendable {
    /// The status code, for example 200 or 404.
    package var status: Int
    /// Header fields to send, in order.
    package var headers: [(name: String, value: String)]
    /// The whole body.
    package var body: ByteBuffer
    /// When true the server closes the connection without writing anything (fault injection:
    /// a peer that drops the connection mid-request). Status, headers and body are then ignored.
    package var closesConnectionWithoutAnswer: Bool

    /// A response with a byte body.
    package init(status: Int, headers: [(name: String, value: String)] = [], body: ByteBuffer = ByteBuffer()) {
        self.status = status
        self.headers = headers
        self.body = body
        self.closesConnectionWithoutAnswer = false
    }

    /// A response with a UTF-8 text body and the given content type.
    package init(status: Int, contentType: String, body: String, headers: [(name: String, value: String)] = []) {
        self.init(status: status, headers: [("Content-Type", contentType)] + headers, body: ByteBuffer(string: body))
    }

    /// Closes the connection without answering.
    package static var closeConnectionWithoutAnswer: HTTPServerResponse {
        var response = HTTPServerResponse(status: 500)
        response.closesConnectionWithoutAnswer = true
        return response
    }
}
