/// The hosts of an Elasticsearch output and their health, a pure state machine driven with the
/// time: requests go round-robin over the hosts that are up; a host that gives no answer
/// (refused, reset, timed out, a TLS failure) is left out for a cooldown that doubles with each
/// failure in a row, from `initialCooldown` up to `maximumCooldown` (a circuit breaker), then is
/// tried again; any answer, whatever its status, brings it back. With every host down,
/// requests go to the one that comes back first, so that the output keeps trying (with its own
/// backoff) instead of stopping.
package struct HostPool: Sendable {
    package typealias Instant = ContinuousClock.Instant

    /// One host's health.
    package struct Host: Sendable, Equatable {
        package let url: String
        /// Failures in a row; 0 when up.
        package var failures = 0
        /// Until when it is left out; `nil` when up.
        package var downUntil: Instant?

        package init(url: String, failures: Int = 0, downUntil: Instant? = nil) {
            self.url = url
            self.failures = failures
            self.downUntil = downUntil
        }

        /// Whether requests may go to it at `now`.
        package func isAvailable(at now: Instant) -> Bool {
            downUntil.map { $0 <= now } ?? true
        }
    }

    package private(set) var hosts: [Host]
    package let initialCooldown: Duration
    package let maximumCooldown: Duration
    private var next = 0

    package init(_ urls: [String], initialCooldown: Duration = .seconds(1), maximumCooldown: Duration = .seconds(60)) {
        precondition(!urls.isEmpty, "at least one host")
        hosts = urls.map { Host(url: $0) }
        self.initialCooldown = initialCooldown
        self.maximumCooldown = max(maximumCooldown, initialCooldown)
    }

    /// The host the next request goes to (its index).
    package mutating func pick(now: Instant) -> Int {
        for step in 0..<hosts.count {
            let candidate = (next + step) % hosts.count
            if hosts[candidate].isAvailable(at: now) {
                next = (candidate + 1) % hosts.count
                return candidate
            }
        }
        // All down: the one whose cooldown ends first.
        return hosts.indices.min { (hosts[$0].downUntil ?? now) < (hosts[$1].downUntil ?? now) } ?? 0
    }

    /// Host `index` answered (any status): it is up.
    package mutating func answered(_ index: Int) {
        hosts[index].failures = 0
        hosts[index].downUntil = nil
    }

    /// Host `index` gave no answer at `now`: left out for its cooldown.
    package mutating func failed(_ index: Int, now: Instant) {
        hosts[index].failures += 1
        var cooldown = initialCooldown
        for _ in 1..<hosts[index].failures where cooldown < maximumCooldown { cooldown *= 2 }
        hosts[index].downUntil = now + min(cooldown, maximumCooldown)
    }

    /// How many hosts are up at `now`.
    package func available(at now: Instant) -> Int {
        hosts.filter { $0.isAvailable(at: now) }.count
    }
}
