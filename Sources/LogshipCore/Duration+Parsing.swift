extension Duration {
    private static let units: [(suffix: String, duration: Duration)] = [
        ("ms", .milliseconds(1)), ("us", .microseconds(1)), ("s", .seconds(1)), ("m", .seconds(60)),
        ("h", .seconds(3600)),
    ]

    /// Parses durations as configuration writes them: `500ms`, `5s`, `1.5s`, `1m`, `2h`, `250us`.
    /// `nil` for a missing unit, a negative number or anything else.
    package init?(parsing text: String) {
        let trimmed = text.trimmingWhitespace()
        for unit in Self.units where trimmed.hasSuffix(unit.suffix) {
            let number = trimmed.dropLast(unit.suffix.count)
            guard !number.isEmpty, number.allSatisfy({ $0.isNumber || $0 == "." }), let value = Double(number),
                value >= 0, value.isFinite
            else { return nil }
            self = unit.duration * value
            return
        }
        return nil
    }

    /// The duration in seconds as a double.
    package var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
