/// Whether logship is healthy, as `GET /healthz` reports it.
///
/// `details` are short facts or, when unhealthy, the reasons, keyed by component or check
/// (for example `"elasticsearch": "last bulk request failed: connection refused"`). They are written
/// as a JSON object with keys sorted, so the answer is stable.
package struct HealthReport: Sendable, Equatable {
    /// True when every check passes; `/healthz` then answers 200, otherwise 503.
    package var healthy: Bool
    /// Facts or reasons by check name.
    package var details: [String: String]

    /// A report; healthy with no details by default.
    package init(healthy: Bool = true, details: [String: String] = [:]) {
        self.healthy = healthy
        self.details = details
    }
}
