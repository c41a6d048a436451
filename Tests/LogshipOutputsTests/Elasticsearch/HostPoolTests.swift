import LogshipOutputs
import Testing

/// Round-robin, the circuit breaker and its cooldowns, with made-up instants.
@Suite struct HostPoolTests {
    static let start = ContinuousClock.now
    static func at(_ seconds: Double) -> ContinuousClock.Instant { start + .milliseconds(Int64(seconds * 1000)) }

    @Test func spreadsRequestsRoundRobin() {
        var pool = HostPool(["a", "b", "c"])
        #expect((0..<6).map { _ in pool.pick(now: Self.at(0)) } == [0, 1, 2, 0, 1, 2])
    }

    @Test func aDeadHostIsLeftOutForACooldownThatDoubles() {
        var pool = HostPool(["a", "b"], initialCooldown: .seconds(1), maximumCooldown: .seconds(4))
        #expect(pool.pick(now: Self.at(0)) == 0)
        pool.failed(0, now: Self.at(0))
        #expect((0..<3).map { _ in pool.pick(now: Self.at(0.5)) } == [1, 1, 1])
        #expect(pool.available(at: Self.at(0.5)) == 1)
        // Back after 1 s, fails again: 2 s; then 4 s, and no longer.
        #expect([pool.pick(now: Self.at(1)), pool.pick(now: Self.at(1))].contains(0))
        pool.failed(0, now: Self.at(1))
        #expect(pool.hosts[0].downUntil == Self.at(3))
        pool.failed(0, now: Self.at(3))
        #expect(pool.hosts[0].downUntil == Self.at(7))
        pool.failed(0, now: Self.at(7))
        #expect(pool.hosts[0].downUntil == Self.at(11))
        // Any answer brings it back.
        pool.answered(0)
        #expect(pool.hosts[0] == HostPool.Host(url: "a"))
        #expect(pool.available(at: Self.at(7)) == 2)
    }

    @Test func withEveryHostDownTheFirstBackIsTried() {
        var pool = HostPool(["a", "b"], initialCooldown: .seconds(1), maximumCooldown: .seconds(60))
        pool.failed(0, now: Self.at(0))
        pool.failed(0, now: Self.at(0))
        pool.failed(1, now: Self.at(0))
        #expect(pool.available(at: Self.at(0.5)) == 0)
        #expect(pool.pick(now: Self.at(0.5)) == 1)
    }
}
