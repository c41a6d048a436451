import LogshipCore

/// Capped exponential backoff with full jitter: the delay before retry `attempt` (1 for the first
/// retry) is uniformly random in `0 ..< min(maximum, initial × 2^(attempt-1))`.
///
/// There is no limit on the number of attempts: 429, 5xx and connection errors are retried until
/// they succeed or the output shuts down, while backpressure stops reading. The random source is
/// injected so that tests can fix it; it must return values in `0 ..< 1` (others are clamped, NaN counts as 0).
package struct RetryPolicy: Sendable {
    /// The cap of the first retry's delay.
    package let initial: Duration
    /// The largest delay.
    package let maximum: Duration
    private let random: @Sendable () -> Double

    /// A policy drawing jitter from `random`, by default the system generator.
    package init(
        initial: Duration,
        maximum: Duration,
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.initial = max(initial, .zero)
        self.maximum = max(maximum, self.initial)
        self.random = random
    }

    /// The upper bound of the delay before retry `attempt`; zero for `attempt < 1`.
    package func cap(attempt: Int) -> Duration {
        guard attempt >= 1, initial > .zero else { return .zero }
        var cap = initial
        for _ in 1..<attempt {
            cap *= 2
            if cap >= maximum { return maximum }
        }
        return cap
    }

    /// The delay before retry `attempt`: `cap(attempt:)` times a random fraction.
    package func delay(attempt: Int) -> Duration {
        let drawn = random()
        let fraction = drawn.isNaN ? 0 : min(max(drawn, 0), 1)
        let nanoseconds = cap(attempt: attempt).seconds * fraction * 1e9
        return .nanoseconds(Int64(nanoseconds.rounded(.down)))
    }
}
