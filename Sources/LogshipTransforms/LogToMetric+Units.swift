import LogshipCore

extension LogToMetric {
    /// Base units Prometheus names end with (its naming practices): a histogram's or summary's
    /// observations, and a gauge that measures something, are in one of these.
    static let baseUnitSuffixes = [
        "_seconds", "_bytes", "_ratio", "_meters", "_volts", "_amperes", "_joules", "_grams", "_celsius",
    ]

    /// Units Prometheus names should not use: the base unit instead.
    static let nonBaseUnitSuffixes: [(suffix: String, base: String)] = [
        ("_milliseconds", "_seconds"), ("_microseconds", "_seconds"), ("_ms", "_seconds"), ("_minutes", "_seconds"),
        ("_hours", "_seconds"), ("_kilobytes", "_bytes"), ("_megabytes", "_bytes"), ("_kb", "_bytes"),
        ("_mb", "_bytes"), ("_percent", "_ratio"),
    ]

    /// Warnings about a metric's unit, which do not refuse it (names are often given, as the
    /// monitoring guide's `aetherra_response_time` is): a histogram or summary without a base
    /// unit suffix, and a name in a unit other than a base one.
    package static func unitWarnings(_ metric: MetricDefinition) -> [String] {
        let name =
            metric.kind == .counter && metric.name.hasSuffix("_total") ? String(metric.name.dropLast(6)) : metric.name
        if let unit = nonBaseUnitSuffixes.first(where: { name.hasSuffix($0.suffix) }) {
            return [
                "'\(metric.name)' is in \(unit.suffix.dropFirst()): Prometheus names use base units (\(unit.base.dropFirst()))"
            ]
        }
        if metric.kind == .histogram || metric.kind == .summary,
            !baseUnitSuffixes.contains(where: { name.hasSuffix($0) })
        {
            return [
                "'\(metric.name)' has no unit suffix (\(baseUnitSuffixes.prefix(3).joined(separator: ", ")), ...): "
                    + "served as named; say the unit in its help"
            ]
        }
        return []
    }

    /// The unit warnings of every metric, each naming the transform and the metric's place.
    package var warnings: [String] {
        metrics.enumerated().flatMap { index, metric in
            Self.unitWarnings(metric).map { "transforms '\(id)': metrics[\(index)]: \($0)" }
        }
    }
}
