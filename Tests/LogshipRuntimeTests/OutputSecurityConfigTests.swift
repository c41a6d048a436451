import Foundation
import LogshipOutputs
import LogshipReceiver
import LogshipRuntime
import Testing

/// `username`, `password`, `api_key` and `tls:` of the elasticsearch output in YAML: what they
/// become, and errors that name the line and the key without printing a secret.
struct OutputSecurityConfigTests {
    func parse(_ output: String, environment: [String: String] = [:]) -> (PipelineConfiguration?, [String]) {
        let text = """
            inputs: [{type: file, paths: [/tmp/*.log]}]
            outputs:
              - type: elasticsearch
                hosts: https://localhost:9200
            \(output.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
            """
        do {
            return (try PipelineLoader.parse(text, file: "test.yml", environment: environment), [])
        } catch {
            return (nil, error.errors.map(\.description))
        }
    }

    @Test func tlsSettingsAndTheirFiles() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("logship-tls-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let certificates = try TestCertificates(directory: directory)
        let client = try certificates.issue("logship")

        // The shipped pipeline's form: an empty ES_CA_FILE is no CA file (the system's CAs).
        let (empty, none) = parse("tls:\n  ca_file: ${ES_CA_FILE:-}")
        #expect(none == [] && empty?.elasticsearch?.tls == ClientTLS())
        let (set, _) = parse("tls:\n  ca_file: ${ES_CA_FILE:-}", environment: ["ES_CA_FILE": certificates.caFile])
        #expect(set?.elasticsearch?.tls.caFile == certificates.caFile)

        let (full, _) = parse(
            """
            tls:
              ca_file: \(certificates.caFile)
              certificate_file: \(client.certificateFile)
              key_file: \(client.keyFile)
              verify_hostname: false
            """
        )
        #expect(
            full?.elasticsearch?.tls
                == ClientTLS(
                    caFile: certificates.caFile,
                    certificateFile: client.certificateFile,
                    keyFile: client.keyFile,
                    verifyHostname: false
                )
        )

        let (_, missing) = parse("tls:\n  ca_file: /nonexistent/ca.pem\n  verfy: false")
        #expect(
            missing == [
                "test.yml:6:16: outputs[0].tls.ca_file: /nonexistent/ca.pem: No such file or directory",
                "test.yml:7:7: outputs[0].tls.verfy: unknown key 'verfy' (did you mean 'verify'?); known keys: ca_file, certificate_file, key_file, verify, verify_hostname",
            ]
        )
        let (_, lonely) = parse("tls:\n  certificate_file: \(client.certificateFile)")
        #expect(lonely == ["test.yml:6:25: outputs[0].tls.certificate_file: tls.certificate_file needs tls.key_file"])
    }

    @Test func credentialErrorsNameTheKeyAndNeverTheSecret() {
        let (_, both) = parse(
            "username: elastic\npassword: hunter2-secret\napi_key: c2VjcmV0LWtleQ=="
        )
        #expect(both == ["test.yml:7:14: outputs[0].api_key: give username and password, or an api_key, not both"])
        let (_, alone) = parse(
            "username: ${ES_USERNAME:-}\npassword: ${ES_PASSWORD:-}",
            environment: ["ES_USERNAME": "elastic"]
        )
        #expect(alone == ["test.yml:5:15: outputs[0].username: a username needs a password or a password_file"])
        let (parsed, _) = parse("username: elastic\npassword: hunter2-secret")
        let description = "\(String(describing: parsed))"
        #expect(description.contains("basic auth as elastic") && !description.contains("hunter2"))
    }
}
