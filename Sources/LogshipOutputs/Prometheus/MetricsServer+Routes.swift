import HTTPTypes
import Hummingbird
import LogshipCore
import NIOCore

extension MetricsServer {
    /// The answer to one request; no I/O beyond calling the endpoints.
    ///
    /// - `GET /metrics`: 200, the exposition of `render` in the format `accept` prefers
    ///   (`PrometheusExposition.Format.negotiate`): text 0.0.4 by default, OpenMetrics 1.0 when
    ///   asked for, with its content type.
    /// - `GET /healthz`: liveness, `GET /ready`: readiness. 200 `{"status":"ok","details":{…}}`
    ///   when the report is good, otherwise 503 `{"status":"unhealthy","details":{…}}` with the
    ///   reasons; keys sorted.
    /// - `GET /status`: the JSON of every input and output; 503 while an output has been unable to
    ///   deliver for more than 10 s.
    /// - `GET /`: 200, a short text index of the endpoints.
    /// - Any other path: 404. A method other than GET or HEAD on a known path: 405 with
    ///   `Allow: GET, HEAD`. HEAD answers like GET without the body.
    static func response(method: String, path: String, accept: String?, endpoints: Endpoints) -> HTTPServerResponse {
        let known = ["/", "/metrics", "/healthz", "/ready", "/status"]
        guard known.contains(path) else {
            return HTTPServerResponse(status: 404, contentType: "text/plain; charset=utf-8", body: "not found\n")
        }
        guard method == "GET" || method == "HEAD" else {
            return HTTPServerResponse(
                status: 405,
                contentType: "text/plain; charset=utf-8",
                body: "method not allowed\n",
                headers: [("Allow", "GET, HEAD")]
            )
        }
        switch path {
        case "/metrics":
            let format = PrometheusExposition.Format.negotiate(accept: accept)
            return HTTPServerResponse(status: 200, contentType: format.contentType, body: endpoints.render(format))
        case "/status":
            let status = endpoints.status()
            return HTTPServerResponse(
                status: status.delivering ? 200 : 503,
                contentType: "application/json",
                body: status.json
            )
        case "/healthz", "/ready":
            let report = path == "/ready" ? endpoints.ready() : endpoints.health()
            return HTTPServerResponse(
                status: report.healthy ? 200 : 503,
                contentType: "application/json",
                body: Self.healthJSON(report)
            )
        default:
            return HTTPServerResponse(status: 200, contentType: "text/plain; charset=utf-8", body: Self.index)
        }
    }

    /// `response(method:path:accept:endpoints:)` as Hummingbird's `Response`.
    static func hummingbirdResponse(_ request: Request, endpoints: Endpoints) -> Response {
        let method = request.method.rawValue
        let answer = response(
            method: method,
            path: request.uri.path,
            accept: request.headers[.accept],
            endpoints: endpoints
        )
        var fields = HTTPFields()
        for (name, value) in answer.headers {
            if let name = HTTPField.Name(name) { fields.append(HTTPField(name: name, value: value)) }
        }
        let length = answer.body.readableBytes
        if method == "HEAD" {
            // The length the GET would have, and no body.
            return Response(
                status: .init(code: answer.status),
                headers: fields,
                body: ResponseBody(contentLength: length) { writer in try await writer.finish(nil) }
            )
        }
        return Response(
            status: .init(code: answer.status),
            headers: fields,
            body: ResponseBody(byteBuffer: answer.body)
        )
    }

    /// The text of `GET /`.
    static let index = """
        logship
        /metrics  Prometheus metrics (text format 0.0.4, or OpenMetrics 1.0 when the Accept header asks for it)
        /healthz  liveness as JSON: 200 while logship's tasks run (also while Elasticsearch is down)
        /ready    readiness as JSON: 200 once checkpoints are loaded and the inputs have opened their files
        /status   every input and output as JSON: 503 while an output has not delivered for more than 10 s

        """

    /// `{"status":"ok"|"unhealthy","details":{…}}` with keys sorted, then a newline.
    static func healthJSON(_ report: HealthReport) -> String {
        var bytes: [UInt8] = []
        bytes.append(contentsOf: #"{"status":"#.utf8)
        JSONText.appendString(report.healthy ? "ok" : "unhealthy", to: &bytes)
        bytes.append(contentsOf: #","details":{"#.utf8)
        for (index, key) in report.details.keys.sorted().enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            JSONText.appendString(key, to: &bytes)
            bytes.append(UInt8(ascii: ":"))
            JSONText.appendString(report.details[key] ?? "", to: &bytes)
        }
        bytes.append(contentsOf: "}}\n".utf8)
        return String(decoding: bytes, as: UTF8.self)
    }
}
