import Foundation
import Logging
import LogshipOutputs
import LogshipReceiver
import LogshipRuntime
import Testing

/// `logship run` with `pipelines/aetherra.yml` against a bulk endpoint that, like Elasticsearch 8
/// out of the box, serves HTTPS with a certificate of its own CA and requires credentials.
@Suite(.serialized)
struct TLSEndToEndTests {
    @Test func aSelfSignedClusterIsRefusedUntilItsCAIsGivenAndNoSecretIsPrinted() async throws {
        let password = "Tr0ub4dor-and-3"
        let apiKey = "bG9nc2hpcDpzM2NyZXQta2V5LXZhbHVl"
        let basic = Credentials.basic(username: "elastic", password: .inline(Secret(password)))
        let key = Credentials.apiKey(.inline(Secret(apiKey)))
        let directory = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory.path("certs"), withIntermediateDirectories: true)
        let certificates = try TestCertificates(directory: directory.path("certs"))
        let server = try certificates.issue("es01", dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"])
        let setup = try await PipelineEndToEndTests.Setup.make(
            directory: directory,
            tls: server,
            accepted: [try basic.authorization(), try key.authorization()]
        )
        defer { Task { await setup.tearDown() } }
        var fixture = AetherraLogFixture(directory: setup.logs)
        try fixture.append(events: 200)
        var environment = setup.environment
        environment["ES_USERNAME"] = "elastic"
        environment["ES_PASSWORD"] = password
        let base = "http://127.0.0.1:\(setup.metricsPort)"
        var printed: [String] = []

        // No CA given: the system's CAs do not know this one. Refused, retried, and said why;
        // logship keeps running and stays alive for its probes.
        let refused = try setup.start("refused", environment: environment)
        // The start-up check warns first; then the bulk requests fail, are retried and say why.
        let said = await waitUntil(timeout: .seconds(60)) {
            refused.log.contains("bulk request failed; retrying with backoff")
        }
        #expect(said, "\(refused.log)")
        #expect(refused.log.contains("elasticsearch host check failed; shipping retries it"))
        #expect(refused.log.contains("certificate is not trusted"))
        #expect(refused.log.contains("ES_CA_FILE"))
        #expect(refused.process.isRunning && setup.receiver.documentCount == 0)
        #expect(OutageEndToEndTests.get("\(base)/healthz")?.status == 200)
        let status = OutageEndToEndTests.get("\(base)/status")?.body ?? ""
        #expect(status.contains("certificate is not trusted"), "\(status)")
        printed += [status, httpGet("\(base)/metrics") ?? ""]
        // Killed: nothing was acknowledged, so everything is read again.
        refused.signal(SIGKILL)
        _ = await refused.waitForExit(timeout: .seconds(30))
        printed.append(refused.log)

        // With ES_CA_FILE: verified and delivered, basic auth accepted.
        environment["ES_CA_FILE"] = certificates.caFile
        let trusted = try setup.start("trusted", environment: environment)
        let delivered = await waitUntil(timeout: .seconds(60)) { setup.receiver.documentCount == 200 }
        #expect(delivered, "\(setup.receiver.documentCount) of 200:\n\(trusted.log)")
        printed += [OutageEndToEndTests.get("\(base)/status")?.body ?? "", httpGet("\(base)/metrics") ?? ""]
        trusted.signal(SIGTERM)
        #expect(await trusted.waitForExit(timeout: .seconds(30)) == 0)
        printed.append(trusted.log)

        // An API key instead of basic auth.
        environment["ES_USERNAME"] = nil
        environment["ES_PASSWORD"] = nil
        environment["ES_API_KEY"] = apiKey
        try fixture.append(events: 100)
        let withKey = try setup.start("api-key", environment: environment)
        let landed = await waitUntil(timeout: .seconds(60)) { setup.receiver.documentCount == 300 }
        #expect(landed, "\(setup.receiver.documentCount) of 300:\n\(withKey.log)")
        printed += [OutageEndToEndTests.get("\(base)/status")?.body ?? "", httpGet("\(base)/metrics") ?? ""]
        withKey.signal(SIGTERM)
        #expect(await withKey.waitForExit(timeout: .seconds(30)) == 0)
        printed.append(withKey.log)
        let created = setup.receiver.requests.flatMap(\.itemStatuses).filter { $0 == 201 }.count
        #expect(created == 300, "each event created once")

        // validate, with both kinds of credentials (and both at once: an error naming the key).
        for extra in [
            ["ES_USERNAME=elastic", "ES_PASSWORD=\(password)"], ["ES_API_KEY=\(apiKey)"],
            ["ES_USERNAME=elastic", "ES_PASSWORD=\(password)", "ES_API_KEY=\(apiKey)"],
        ] {
            let result = try await runCommand(
                "/usr/bin/env",
                extra + [
                    "ES_CA_FILE=\(certificates.caFile)", Repository.binary.path, "validate", "--config",
                    Repository.pipeline,
                ]
            )
            printed += [result.output, result.error]
        }
        #expect(
            printed.last?.contains("outputs[0].api_key: give username and password, or an api_key, not both") == true
        )

        let secrets = [password, apiKey, try basic.authorization(), try key.authorization()]
        for text in printed {
            for secret in secrets { #expect(!text.contains(secret), "a secret was printed:\n\(text)") }
        }
    }

    /// `validate --check-outputs` as an operator runs it before a restart: OK with the CA and the
    /// password, FAILED (exit 1) saying why without the CA or with a wrong password.
    @Test func validateChecksOutputs() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let certificates = try TestCertificates(directory: directory.path(""))
        let server = try certificates.issue("es01", dnsNames: ["localhost"])
        let basic = Credentials.basic(username: "elastic", password: .inline(Secret("right-Pa55")))
        let receiver = BulkReceiver(accepted: [try basic.authorization()], tls: server, logger: .init(label: "test"))
        let port = try await receiver.start()
        defer { Task { await receiver.shutdown() } }
        func check(_ environment: [String]) async throws -> (status: Int32, output: String, error: String) {
            try await runCommand(
                "/usr/bin/env",
                ["ES_HOSTS=https://localhost:\(port)", "ES_USERNAME=elastic"] + environment + [
                    Repository.binary.path, "validate", "--check-outputs", "--timeout", "5", "--config",
                    Repository.pipeline,
                ]
            )
        }
        let good = try await check(["ES_PASSWORD=right-Pa55", "ES_CA_FILE=\(certificates.caFile)"])
        #expect(good.status == 0, "\(good)")
        #expect(
            good.output.contains(
                "outputs.elasticsearch: OK https://localhost:\(port): reachable, Elasticsearch 8.15.0, cluster logship"
            ),
            "\(good)"
        )
        let wrong = try await check(["ES_PASSWORD=wrong-Pa55", "ES_CA_FILE=\(certificates.caFile)"])
        #expect(wrong.status == 1)
        #expect(
            wrong.output.contains("FAILED https://localhost:\(port): reachable, but the credentials were refused (401")
        )
        let untrusted = try await check(["ES_PASSWORD=right-Pa55"])
        #expect(untrusted.status == 1)
        #expect(
            untrusted.output.contains("not reachable: TLS: the server's certificate is not trusted"),
            "\(untrusted)"
        )
        for result in [good, wrong, untrusted] {
            #expect(!result.output.contains("Pa55") && !result.error.contains("Pa55"))
        }
    }

    @Test func aMissingCAFileIsAConfigurationErrorNamingTheLineAndKey() async throws {
        let result = try await runCommand(
            "/usr/bin/env",
            [
                "ES_CA_FILE=/nonexistent/http_ca.crt", Repository.binary.path, "validate", "--config",
                Repository.pipeline,
            ]
        )
        #expect(result.status == 1)
        let expected =
            #/pipelines/aetherra\.yml:\d+:\d+: outputs\[0\]\.tls\.ca_file: /nonexistent/http_ca\.crt: No such file or directory/#
        #expect(result.error.contains(expected) || result.output.contains(expected), "\(result)")
    }
}
