package import Logging
package import LogshipOutputs

/// `logship validate --check-outputs`: asks each host of the pipeline's elasticsearch output
/// `GET /` with the pipeline's TLS settings and credentials, and reports reachability, version
/// and authentication, one line a host.
package enum OutputCheck {
    /// The report's lines and whether every host is usable; no elasticsearch output: one line, OK.
    ///
    /// - Throws: `ElasticsearchOutputError` when the TLS files or credentials cannot be used.
    package static func run(
        _ pipeline: PipelineConfiguration,
        timeout: Duration,
        logger: Logger
    ) async throws -> (lines: [String], ok: Bool) {
        guard let output = pipeline.elasticsearch else { return (["no elasticsearch output to check"], true) }
        let connection = try ElasticsearchConnection(output, logger: logger)
        let probes = await connection.probeHosts(timeout: timeout, logger: logger)
        await connection.shutdown(logger: logger)
        var lines = probes.map { "outputs.\(output.id): \($0.isUsable ? "OK" : "FAILED") \($0)" }
        if let credentials = output.credentials {
            lines.append("outputs.\(output.id): authenticating with \(credentials)")
        }
        return (lines, probes.allSatisfy(\.isUsable))
    }
}
