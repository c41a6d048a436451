/// Lets one log message of a kind through per `interval` and counts the ones held back, so that a
/// retry storm writes a line every few seconds instead of thousands. Pure; time is injected.
struct LogRateLimiter: Sendable {
    /// The least time between two admitted messages.
    let interval: Duration
    private var lastAdmitted: ContinuousClock.Instant?
    private var suppressed = 0

    init(interval: Duration) {
        self.interval = interval
    }

    /// `nil` when the message at `now` is to be dropped; otherwise the number of messages dropped
    /// since the last admitted one.
    mutating func admit(now: ContinuousClock.Instant) -> Int? {
        if let lastAdmitted, now < lastAdmitted + interval {
            suppressed += 1
            return nil
        }
        lastAdmitted = now
        defer { suppressed = 0 }
        return suppressed
    }
}
