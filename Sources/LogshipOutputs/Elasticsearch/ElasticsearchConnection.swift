package import AsyncHTTPClient
package import Logging
import LogshipCore
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// The HTTP client and `Authorization` header an output's configuration asks for, made the same
/// way for shipping (`ElasticsearchOutput`) and for `logship validate --check-outputs`
/// (`probeHosts`).
package struct ElasticsearchConnection: Sendable {
    package let client: HTTPClient
    /// `Basic …` or `ApiKey …`; `nil` without credentials.
    package let authorization: String?
    package let configuration: ElasticsearchOutputConfiguration

    /// Reads the TLS files and the credentials and starts a client; throws naming the key
    /// (`tls.ca_file`, `credentials`) when one cannot be used.
    package init(_ configuration: ElasticsearchOutputConfiguration, logger: Logger) throws(ElasticsearchOutputError) {
        func invalid(_ key: String, _ reason: String) -> ElasticsearchOutputError {
            .invalidConfiguration(outputID: configuration.id, key: key, reason: reason)
        }
        do {
            authorization = try configuration.credentials?.authorization()
        } catch {
            throw invalid("credentials", error.description)
        }
        let tls: TLSConfiguration
        do {
            tls = try configuration.tls.configuration()
        } catch {
            throw invalid(error.key, error.description)
        }
        var settings = HTTPClient.Configuration()
        settings.tlsConfiguration = tls
        // Elasticsearch speaks HTTP/1.1 only.
        settings.httpVersion = .http1Only
        settings.timeout.connect = .nanoseconds(Int64(min(configuration.requestTimeout, .seconds(10)).seconds * 1e9))
        settings.decompression = .disabled
        // Failed connects fail the request at once: the output retries with its own backoff and
        // moves to the next host, instead of the pool retrying one host until the deadline.
        settings.connectionPool.retryConnectionEstablishment = false
        client = HTTPClient(
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
            configuration: settings,
            backgroundActivityLogger: logger
        )
        self.configuration = configuration
    }

    /// `GET /` on every host, concurrently, each bounded by `timeout`; in the order of `hosts`.
    package func probeHosts(timeout: Duration, logger: Logger) async -> [HostProbe] {
        await withTaskGroup(of: (Int, HostProbe).self) { group in
            for position in configuration.hosts.indices {
                group.addTask { (position, await probe(host: position, timeout: timeout, logger: logger)) }
            }
            var probes: [(Int, HostProbe)] = []
            for await probe in group { probes.append(probe) }
            return probes.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    /// `GET /` on one host.
    func probe(host position: Int, timeout: Duration, logger: Logger) async -> HostProbe {
        var base = configuration.hosts[position]
        while base.hasSuffix("/") { base.removeLast() }
        let host = ElasticsearchOutputConfiguration.displayHost(base)
        var request = HTTPClientRequest(url: base + "/")
        if let authorization { request.headers.add(name: "Authorization", value: authorization) }
        do {
            let response = try await client.execute(
                request,
                timeout: .nanoseconds(Int64(timeout.seconds * 1e9)),
                logger: logger
            )
            let body = try await response.body.collect(upTo: 1 << 20)
            return HostProbe(
                host: host,
                outcome: HostProbe.outcome(status: Int(response.status.code), body: Array(buffer: body))
            )
        } catch {
            return HostProbe(host: host, outcome: .unreachable(reason: TransportFailure.reason(error)))
        }
    }

    /// Stops the client; call once, after the last request.
    package func shutdown(logger: Logger) async {
        do {
            try await client.shutdown()
        } catch {
            logger.debug("HTTP client shutdown failed", metadata: ["error": "\(error)"])
        }
    }
}
