import Foundation
import Logging
import LogshipOutputs
import LogshipReceiver
import Testing

/// `GET /` answers read (pure), and the probe over real HTTP(S) against the receiver.
struct HostProbeTests {
    func outcome(_ status: Int, _ body: String) -> HostProbe.Outcome {
        HostProbe.outcome(status: status, body: Array(body.utf8))
    }

    @Test func answersAreRead() {
        let elasticsearch8 = """
            {"name":"es01","cluster_name":"aetherra","cluster_uuid":"x","version":{"number":"8.15.0",\
            "build_flavor":"default","lucene_version":"9.11.1"},"tagline":"You Know, for Search"}
            """
        #expect(
            outcome(200, elasticsearch8) == .ready(product: "Elasticsearch", version: "8.15.0", cluster: "aetherra")
        )
        let openSearch = #"{"cluster_name":"os","version":{"distribution":"opensearch","number":"2.11.0"}}"#
        #expect(outcome(200, openSearch) == .ready(product: "OpenSearch", version: "2.11.0", cluster: "os"))
        let unauthorized = """
            {"error":{"root_cause":[],"type":"security_exception","reason":"unable to authenticate user [elastic] \
            for REST request [/]"},"status":401}
            """
        #expect(
            outcome(401, unauthorized)
                == .unauthorized(reason: "unable to authenticate user [elastic] for REST request [/]")
        )
        #expect(outcome(403, #"{"error":{"type":"security_exception"},"status":403}"#) == .forbidden)
        #expect(
            outcome(502, "<html>Bad Gateway</html>") == .unexpected(status: 502, detail: "<html>Bad Gateway</html>")
        )
        #expect(outcome(200, "OK") == .unexpected(status: 200, detail: "no version.number in the answer"))
        #expect(outcome(404, "") == .unexpected(status: 404, detail: "empty body"))
    }

    @Test func whatIsUsable() {
        func probe(_ outcome: HostProbe.Outcome) -> HostProbe { HostProbe(host: "https://es01:9200", outcome: outcome) }
        let old = probe(.ready(product: "Elasticsearch", version: "6.8.23", cluster: nil))
        #expect(!old.isUsable && old.description.contains("needs Elasticsearch 7 or later"))
        #expect(probe(.ready(product: "Elasticsearch", version: "7.17.0", cluster: nil)).isUsable)
        #expect(probe(.forbidden).isUsable)
        #expect(!probe(.unauthorized(reason: "x")).isUsable)
        #expect(!probe(.unreachable(reason: "Connection refused")).isUsable)
        #expect(
            probe(.ready(product: "Elasticsearch", version: "8.15.0", cluster: "aetherra")).description
                == "https://es01:9200: reachable, Elasticsearch 8.15.0, cluster aetherra"
        )
    }

    /// Over HTTPS with the test CA: the receiver with the right key and a port nobody listens on;
    /// then the receiver with a wrong key, and without the CA.
    @Test(.timeLimit(.minutes(1))) func probesOverHTTPS() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificates = try TestCertificates(directory: directory.path)
        let tls = try certificates.issue("server", dnsNames: ["localhost"])
        let key = Credentials.apiKey(.inline(Secret("a2V5LWZvci1wcm9iZQ==")))
        let receiver = BulkReceiver(accepted: [try key.authorization()], tls: tls, logger: .init(label: "test"))
        let port = try await receiver.start()
        let closed = try await unusedPort()
        var configuration = ElasticsearchOutputConfiguration(
            id: "es",
            hosts: ["https://localhost:\(port)", "https://localhost:\(closed)"]
        )
        configuration.tls.caFile = certificates.caFile
        configuration.credentials = key
        let logger = LogCapture().logger
        let connection = try ElasticsearchConnection(configuration, logger: logger)
        let probes = await connection.probeHosts(timeout: .seconds(5), logger: logger)
        configuration.credentials = .apiKey(.inline(Secret("d3Jvbmc=")))
        configuration.hosts = ["https://localhost:\(port)"]
        let wrongKey = try ElasticsearchConnection(configuration, logger: logger)
        let refused = await wrongKey.probeHosts(timeout: .seconds(5), logger: logger)
        configuration.tls.caFile = nil
        let untrusting = try ElasticsearchConnection(configuration, logger: logger)
        let untrusted = await untrusting.probeHosts(timeout: .seconds(5), logger: logger)
        for made in [connection, wrongKey, untrusting] { await made.shutdown(logger: logger) }
        await receiver.shutdown()

        #expect(probes.map(\.isUsable) == [true, false])
        #expect(probes[0].outcome == .ready(product: "Elasticsearch", version: "8.15.0", cluster: "logship"))
        #expect(probes[1].description.hasPrefix("https://localhost:\(closed): not reachable: "), "\(probes[1])")
        #expect(refused.first?.outcome == .unauthorized(reason: "unable to authenticate user for REST request [/]"))
        #expect(untrusted.first?.description.contains("certificate is not trusted") == true, "\(untrusted)")
    }

}

/// A port nothing listens on, for a test to bind later: a random one below the kernel's ephemeral
/// range (32768-60999) that a receiver could bind a moment ago, so that no port-0 bind of another
/// test takes it meanwhile.
func unusedPort() async throws -> Int {
    for _ in 0..<200 {
        let port = Int.random(in: 20000...32767)
        let probe = BulkReceiver(port: port, logger: .init(label: "test"))
        guard (try? await probe.start()) != nil else { continue }
        await probe.shutdown()
        return port
    }
    throw CancellationError()
}
