import Foundation
import Logging
import LogshipCore
import LogshipOutputs
import Synchronization
import Testing

@Suite(.enabled(if: CurlClient.isAvailable, "skipped: curl is not installed at /usr/bin/curl"))
struct MetricsServerTests {
    static let logger = Logger(label: "test.metrics-server")

    /// Starts a server on a free loopback port, runs `body` against it, then shuts it down and
    /// checks that `run()` returned.
    static func withServer(
        health: @escaping @Sendable () -> HealthReport = { HealthReport() },
        ready: @escaping @Sendable () -> HealthReport = { HealthReport() },
        store: MetricStore = PrometheusExpositionTests.sampleStore(),
        _ body: (Int) async throws -> Void
    ) async throws {
        let server = MetricsServer(
            listen: ListenAddress(host: "127.0.0.1", port: 0),
            endpoints: .init(
                render: { PrometheusExposition.render(store.families(), format: $0) },
                health: health,
                ready: ready
            ),
            logger: logger
        )
        let port = try await server.start()
        #expect(port > 0)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            do {
                try await body(port)
            } catch {
                server.shutdown()
                throw error
            }
            server.shutdown()
            try await group.waitForAll()
        }
    }

    @Test func servesMetrics() async throws {
        try await Self.withServer { port in
            let response = try await CurlClient.request("http://127.0.0.1:\(port)/metrics")
            #expect(response.status == 200)
            #expect(response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
            #expect(response.body == PrometheusExposition.render(PrometheusExpositionTests.sampleStore().families()))
            #expect(response.headers["content-length"] == String(response.body.utf8.count))
        }
    }

    @Test func reportsHealth() async throws {
        let healthy = Mutex(true)
        let health: @Sendable () -> HealthReport = {
            healthy.withLock { $0 }
                ? HealthReport(healthy: true, details: ["inputs": "2 files"])
                : HealthReport(
                    healthy: false,
                    details: ["elasticsearch": "connection \"refused\"", "checkpoints": "stale"]
                )
        }
        try await Self.withServer(health: health) { port in
            let good = try await CurlClient.request("http://127.0.0.1:\(port)/healthz")
            #expect(good.status == 200)
            #expect(good.headers["content-type"] == "application/json")
            #expect(good.body == #"{"status":"ok","details":{"inputs":"2 files"}}"# + "\n")
            healthy.withLock { $0 = false }
            let bad = try await CurlClient.request("http://127.0.0.1:\(port)/healthz")
            #expect(bad.status == 503)
            #expect(
                bad.body
                    == #"{"status":"unhealthy","details":{"checkpoints":"stale","elasticsearch":"connection \"refused\""}}"#
                    + "\n"
            )
        }
    }

    @Test func reportsReadiness() async throws {
        let ready = Mutex(false)
        let report: @Sendable () -> HealthReport = {
            ready.withLock { $0 }
                ? HealthReport(details: ["inputs": "1"])
                : HealthReport(healthy: false, details: ["inputs_opening": "logs"])
        }
        try await Self.withServer(ready: report) { port in
            let waiting = try await CurlClient.request("http://127.0.0.1:\(port)/ready")
            #expect(waiting.status == 503)
            #expect(waiting.body == #"{"status":"unhealthy","details":{"inputs_opening":"logs"}}"# + "\n")
            ready.withLock { $0 = true }
            let good = try await CurlClient.request("http://127.0.0.1:\(port)/ready")
            #expect(good.status == 200)
            // Liveness is a separate report.
            #expect(try await CurlClient.request("http://127.0.0.1:\(port)/healthz").status == 200)
        }
    }

    @Test func servesOpenMetricsWhenAsked() async throws {
        try await Self.withServer { port in
            // What Prometheus sends: OpenMetrics first, text as a fallback.
            let accept =
                "Accept: application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
                + "text/plain;version=0.0.4;q=0.5,*/*;q=0.1"
            let response = try await CurlClient.request("http://127.0.0.1:\(port)/metrics", headers: [accept])
            #expect(response.status == 200)
            #expect(response.headers["content-type"] == "application/openmetrics-text; version=1.0.0; charset=utf-8")
            #expect(response.body.hasSuffix("# EOF\n"))
            #expect(response.body.contains("# TYPE logship_events counter\n"))
            #expect(response.body.contains("logship_events_created{"))
            let text = try await CurlClient.request("http://127.0.0.1:\(port)/metrics", headers: ["Accept: */*"])
            #expect(text.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
            #expect(!text.body.contains("# EOF"))
        }
    }

    /// A /metrics of 10,000 series (about 1 MB) arrives whole, on a kept-alive connection and
    /// with `Connection: close`, where the hand-written server cut it short.
    @Test func aLargeAnswerArrivesWholeWithAndWithoutConnectionClose() async throws {
        let store = MetricStore()
        store.register(
            MetricFamily(name: "big_total", help: "Many series.", kind: .counter, labelNames: ["endpoint"])
        )
        store.apply(
            (0..<10_000).map {
                MetricUpdate(
                    family: "big_total",
                    labelValues: ["/api/v1/resource/\($0)/with/a/long/path/segment/to/make/it/big"],
                    operation: .add(Double($0))
                )
            }
        )
        let expected = PrometheusExposition.render(store.families())
        #expect(expected.utf8.count > 700_000)
        try await Self.withServer(store: store) { port in
            for headers in [[], ["Connection: close"]] {
                let response = try await CurlClient.request("http://127.0.0.1:\(port)/metrics", headers: headers)
                #expect(response.status == 200)
                #expect(response.body.utf8.count == expected.utf8.count, "headers \(headers)")
                #expect(response.body == expected)
            }
        }
    }

    @Test func routesIndexNotFoundAndMethods() async throws {
        try await Self.withServer { port in
            let index = try await CurlClient.request("http://127.0.0.1:\(port)/")
            #expect(index.status == 200)
            #expect(index.body.contains("/metrics") && index.body.contains("/healthz"))
            let missing = try await CurlClient.request("http://127.0.0.1:\(port)/nope?x=1")
            #expect(missing.status == 404)
            let post = try await CurlClient.request(
                "http://127.0.0.1:\(port)/metrics",
                method: "POST",
                body: Array("x".utf8)
            )
            #expect(post.status == 405)
            #expect(post.headers["allow"] == "GET, HEAD")
            let head = try await CurlClient.request("http://127.0.0.1:\(port)/metrics?name=x", method: "HEAD")
            #expect(head.status == 200)
            #expect(head.body.isEmpty)
            #expect(Int(head.headers["content-length"] ?? "") ?? 0 > 0)
        }
    }

    @Test func keepsConnectionsAlive() async throws {
        try await Self.withServer { port in
            let url = "http://127.0.0.1:\(port)/"
            let response = try await CurlClient.request(url, extraArguments: ["-v", url + "healthz"])
            #expect(response.exitCode == 0)
            #expect(response.trace.contains("Re-using existing connection"), "\(response.trace)")
            #expect(response.trace.components(separatedBy: "Connected to").count == 2, "one TCP connection")
        }
    }

    @Test func aLargeBodyIsNotReadAndGetsMethodNotAllowed() async throws {
        try await Self.withServer { port in
            let body = [UInt8](repeating: UInt8(ascii: "a"), count: 100 << 10)
            let response = try await CurlClient.request("http://127.0.0.1:\(port)/metrics", method: "POST", body: body)
            #expect(response.status == 405)
        }
    }

    @Test func busyPortIsAStartupErrorNamingTheAddress() async throws {
        try await Self.withServer { port in
            let second = MetricsServer(
                listen: ListenAddress(host: "127.0.0.1", port: port),
                endpoints: .init(render: { _ in "" }),
                logger: Self.logger
            )
            let error = await #expect(throws: HTTPServerError.self) { _ = try await second.start() }
            #expect(error?.description == "cannot listen on 127.0.0.1:\(port): Address already in use")
        }
    }

    @Test func shutdownBeforeRunReturnsAtOnce() async throws {
        let server = try MetricsServer(
            listen: "127.0.0.1:0",
            endpoints: .init(render: { _ in "" }),
            logger: Self.logger
        )
        _ = try await server.start()
        server.shutdown()
        try await server.run()
    }
}

extension MetricsServerTests {
    @Test func shutdownClosesIdleKeepAliveConnections() async throws {
        let server = try MetricsServer(
            listen: "127.0.0.1:0",
            endpoints: .init(render: { _ in "m 1\n" }),
            logger: Self.logger
        )
        let port = try await server.start()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            let silent = try #require(RawConnection(port: port))
            let served = try #require(RawConnection(port: port))
            served.send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
            let answer = try await served.receive(until: { $0.hasSuffix("m 1\n") })
            #expect(answer.text.hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(!answer.closed)
            server.shutdown()
            try await group.waitForAll()
            #expect(try await served.receive().closed)
            #expect(try await silent.receive().closed)
        }
    }
}
