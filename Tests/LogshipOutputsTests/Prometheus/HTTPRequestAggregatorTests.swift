import LogshipOutputs
import NIOCore
import NIOHTTP1
import Testing

/// The request aggregator of `HTTPServer` (lives here with the other HTTP server tests).
struct HTTPRequestAggregatorTests {
    static func head(
        _ uri: String,
        _ headers: [(String, String)] = [],
        version: HTTPVersion = .http1_1
    ) -> HTTPRequestHead {
        HTTPRequestHead(version: version, method: .POST, uri: uri, headers: HTTPHeaders(headers))
    }

    @Test func aggregatesBodyChunksAndSplitsTheQuery() throws {
        var aggregator = HTTPRequestAggregator(maximumBodyBytes: 10)
        guard case .none = aggregator.onHead(Self.head("/logs/_bulk?refresh=true&x")) else {
            Issue.record()
            return
        }
        guard case .none = aggregator.onBody(ByteBuffer(string: "hello")) else {
            Issue.record()
            return
        }
        guard case .none = aggregator.onBody(ByteBuffer(string: "world")) else {
            Issue.record()
            return
        }
        guard case .dispatch(let request, let keepAlive) = aggregator.onEnd() else {
            Issue.record()
            return
        }
        #expect(request.method == "POST")
        #expect(request.path == "/logs/_bulk")
        #expect(request.query == "refresh=true&x")
        #expect(request.queryParameter("refresh") == "true")
        #expect(request.queryParameter("x") == "")
        #expect(request.queryParameter("y") == nil)
        #expect(String(buffer: request.body) == "helloworld")
        #expect(keepAlive)
    }

    @Test func refusesADeclaredLengthOverTheLimitAtTheHead() {
        var aggregator = HTTPRequestAggregator(maximumBodyBytes: 10)
        guard case .rejectTooLarge = aggregator.onHead(Self.head("/", [("Content-Length", "11")])) else {
            Issue.record("expected a refusal")
            return
        }
        guard case .none = aggregator.onBody(ByteBuffer(string: "x")), case .none = aggregator.onEnd() else {
            Issue.record("parts after a refusal are ignored")
            return
        }
    }

    @Test func refusesAChunkedBodyOnceItPassesTheLimit() {
        var aggregator = HTTPRequestAggregator(maximumBodyBytes: 10)
        _ = aggregator.onHead(Self.head("/", [("Transfer-Encoding", "chunked")]))
        guard case .none = aggregator.onBody(ByteBuffer(string: "0123456789")) else {
            Issue.record()
            return
        }
        guard case .rejectTooLarge = aggregator.onBody(ByteBuffer(string: "a")) else {
            Issue.record()
            return
        }
    }

    @Test func answersExpectContinueAndHonoursConnectionClose() {
        var aggregator = HTTPRequestAggregator(maximumBodyBytes: 10)
        guard
            case .sendContinue = aggregator.onHead(
                Self.head("/", [("Expect", "100-continue"), ("Connection", "close")])
            )
        else {
            Issue.record("expected 100 Continue")
            return
        }
        guard case .dispatch(_, let keepAlive) = aggregator.onEnd() else {
            Issue.record()
            return
        }
        #expect(!keepAlive)
        _ = aggregator.onHead(Self.head("/", version: .http1_0))
        guard case .dispatch(_, let keepAliveOld) = aggregator.onEnd() else {
            Issue.record()
            return
        }
        #expect(!keepAliveOld, "HTTP/1.0 closes unless asked to keep alive")
    }
}
