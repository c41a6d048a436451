import LogshipCore
import LogshipOutputs
import Testing

@Suite struct RetryPolicyTests {
    @Test func capsGrowExponentiallyUpToTheMaximum() {
        let policy = RetryPolicy(initial: .milliseconds(100), maximum: .seconds(30))
        #expect(policy.cap(attempt: 0) == .zero)
        #expect(policy.cap(attempt: 1) == .milliseconds(100))
        #expect(policy.cap(attempt: 2) == .milliseconds(200))
        #expect(policy.cap(attempt: 5) == .milliseconds(1600))
        #expect(policy.cap(attempt: 9) == .milliseconds(25600))
        #expect(policy.cap(attempt: 10) == .seconds(30))
        #expect(policy.cap(attempt: 10_000) == .seconds(30))
    }

    @Test(arguments: [0.0, 0.25, 0.999_999])
    func delayIsTheCapTimesTheRandomFraction(fraction: Double) {
        let policy = RetryPolicy(initial: .milliseconds(100), maximum: .seconds(30), random: { fraction })
        for attempt in 1...40 {
            let delay = policy.delay(attempt: attempt)
            let cap = policy.cap(attempt: attempt)
            #expect(delay >= .zero && delay <= cap)
            #expect(abs((delay - cap * fraction).seconds) < 1e-6)
        }
    }

    @Test func outOfRangeRandomValuesAreClamped() {
        #expect(RetryPolicy(initial: .seconds(1), maximum: .seconds(8), random: { 7 }).delay(attempt: 3) == .seconds(4))
        #expect(RetryPolicy(initial: .seconds(1), maximum: .seconds(8), random: { -1 }).delay(attempt: 3) == .zero)
        #expect(RetryPolicy(initial: .seconds(1), maximum: .seconds(8), random: { .nan }).delay(attempt: 3) == .zero)
    }

    @Test func systemRandomStaysWithinBounds() {
        let policy = RetryPolicy(initial: .milliseconds(10), maximum: .seconds(1))
        for attempt in 1...20 {
            #expect(policy.delay(attempt: attempt) <= policy.cap(attempt: attempt))
        }
    }
}
