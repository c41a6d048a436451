import LogshipCore
import NIOCore

extension MetricsServer {
    /// The answer to one request; no I/O beyond calling `render` or `health`.
    ///
    /// - `GET /metrics`: 200, `text/plain; version=0.0.4; charset=utf-8`, the output of `render`.
    /// - `GET /healthz`: 200 `{"status":"ok","details":{…}}` when healthy, otherwise 503
    ///   `{"status":"unhealthy","details":{…}}` with the reasons; keys sorted.
    /// - `GET /`: 200, a short text index of the endpoints.
    /// - Any other path: 404. A method other than GET or HEAD on a known path: 405 with
    ///   `Allow: GET, HEAD`. HEAD answers like GET without the body.
    package func response(to request: HTTPServerRequest) -> HTTPServerResponse {
        Self.response(to: request, render: render, health: health)
    }

    /// The routing of `response(to:)`, without needing a server instance.
    static func response(
        to request: HTTPServerRequest,
        render: () -> String,
        health: () -> HealthReport
    ) -> HTTPServerResponse {
        let known = ["/", "/metrics", "/healthz"]
        guard known.contains(request.path) else {
            return HTTPServerResponse(status: 404, contentType: "text/plain; charset=utf-8", body: "not found\n")
        }
        guard request.method == "GET" || request.method == "HEAD" else {
            return HTTPServerResponse(
                status: 405,
                contentType: "text/plain; charset=utf-8",
                body: "method not allowed\n",
                headers: [("Allow", "GET, HEAD")]
            )
        }
        switch request.path {
        case "/metrics":
            return HTTPServerResponse(status: 200, contentType: PrometheusExposition.contentType, body: render())
        case "/healthz":
            let report = health()
            return HTTPServerResponse(
                status: report.healthy ? 200 : 503,
                contentType: "application/json",
                body: Self.healthJSON(report)
            )
        default:
            return HTTPServerResponse(status: 200, contentType: "text/plain; charset=utf-8", body: Self.index)
        }
    }

    /// The text of `GET /`.
    static let index = """
        logship
        /metrics  Prometheus metrics (text format 0.0.4)
        /healthz  health as JSON: 200 when healthy, 503 with the reasons otherwise

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
