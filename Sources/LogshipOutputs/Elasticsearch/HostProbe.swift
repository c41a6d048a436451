import Foundation

/// What `GET /` on one Elasticsearch host said: reachable or not, the version and cluster, and
/// whether the credentials were accepted. The output probes each host once when it starts (a
/// warning, never a wait: delivery starts at once and retries on its own), and `logship validate
/// --check-outputs` prints the probes and fails when a host is not usable.
package struct HostProbe: Sendable, Equatable, CustomStringConvertible {
    package enum Outcome: Sendable, Equatable {
        /// Elasticsearch (or OpenSearch) answered with its version; credentials, if any, taken.
        case ready(product: String, version: String, cluster: String?)
        /// The credentials were accepted, but they may not read the cluster's info (403): bulk
        /// writes need only index privileges, so this is not an error.
        case forbidden
        /// 401: the credentials are wrong or missing.
        case unauthorized(reason: String)
        /// An answer that is not Elasticsearch's (a proxy, another service on the port).
        case unexpected(status: Int, detail: String)
        /// No answer at all (connection refused, TLS handshake, timeout).
        case unreachable(reason: String)
    }

    /// The host as logs show it (no credentials).
    package var host: String
    package var outcome: Outcome

    package init(host: String, outcome: Outcome) {
        self.host = host
        self.outcome = outcome
    }

    /// Whether logship can ship there as configured.
    package var isUsable: Bool {
        switch outcome {
        case .ready(_, let version, _): Self.majorVersion(version).map { $0 >= 7 } ?? true
        case .forbidden: true
        case .unauthorized, .unexpected, .unreachable: false
        }
    }

    package var description: String {
        switch outcome {
        case .ready(let product, let version, let cluster):
            let named = "\(host): reachable, \(product) \(version)\(cluster.map { ", cluster \($0)" } ?? "")"
            if let major = Self.majorVersion(version), major < 7 {
                return named + "; logship needs Elasticsearch 7 or later (filter_path, create with _id)"
            }
            return named
        case .forbidden:
            return "\(host): reachable, credentials accepted; they may not read the cluster's version (403), "
                + "which shipping does not need"
        case .unauthorized(let reason):
            return "\(host): reachable, but the credentials were refused (401: \(reason)); check username and "
                + "password, or api_key"
        case .unexpected(let status, let detail):
            return "\(host): answered \(status), not as Elasticsearch does (\(detail)); a proxy or another service?"
        case .unreachable(let reason):
            return "\(host): not reachable: \(reason)"
        }
    }

    /// Reads the answer to `GET /`. Pure: the tests give it Elasticsearch 8's and others' answers.
    package static func outcome(status: Int, body: [UInt8]) -> Outcome {
        let json = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]
        switch status {
        case 200..<300:
            guard let version = json?["version"] as? [String: Any], let number = version["number"] as? String else {
                return .unexpected(status: status, detail: "no version.number in the answer")
            }
            let product = (version["distribution"] as? String) == "opensearch" ? "OpenSearch" : "Elasticsearch"
            return .ready(product: product, version: number, cluster: json?["cluster_name"] as? String)
        case 401:
            let error = json?["error"] as? [String: Any]
            let reason = (error?["reason"] as? String) ?? (error?["type"] as? String) ?? "no reason given"
            return .unauthorized(reason: reason)
        case 403:
            return .forbidden
        default:
            let error = json?["error"] as? [String: Any]
            let detail = (error?["type"] as? String) ?? String(decoding: body.prefix(120), as: UTF8.self)
            return .unexpected(status: status, detail: detail.isEmpty ? "empty body" : detail)
        }
    }

    /// `8` of `8.15.0`.
    static func majorVersion(_ version: String) -> Int? {
        Int(version.prefix { $0.isNumber })
    }
}
