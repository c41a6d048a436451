package import LogshipCore

/// Counts of what transforms did with a batch, keyed by transform id and outcome, for the
/// runtime to publish as self-metrics once per batch.
///
/// The label set is bounded: transform ids come from the configuration and outcomes from the
/// closed `Outcome` enum. Transforms count in local variables and call `add` once per batch.
package struct TransformStatistics: Sendable, Equatable {
    /// What happened to one event (or, for `log_to_metric`, to one metric update).
    package enum Outcome: String, Sendable, Hashable, CaseIterable, Comparable {
        /// The transform did its work.
        case success
        /// The input looked right but could not be used (invalid JSON, unparseable timestamp).
        case failure
        /// Nothing to do: the field is missing, or plain text where JSON was optional.
        case skipped
        /// `parse_regex`: the pattern did not match.
        case noMatch = "no_match"
        /// `log_to_metric`: a label field is missing and has no default.
        case missingLabel = "missing_label"
        /// `log_to_metric`: the value field is missing or not a finite number.
        case badValue = "bad_value"
        /// `filter`: the event was dropped.
        case dropped

        /// Alphabetical by name, for a reproducible order.
        package static func < (lhs: Outcome, rhs: Outcome) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// A transform id and an outcome.
    package struct Key: Sendable, Hashable {
        /// The transform id.
        package var transform: String
        /// What happened.
        package var outcome: Outcome

        /// The key of `outcome` for `transform`.
        package init(transform: String, outcome: Outcome) {
            self.transform = transform
            self.outcome = outcome
        }
    }

    /// The non-zero counts.
    package private(set) var counts: [Key: UInt64] = [:]

    /// No counts.
    package init() {}

    /// The family under which `metricUpdates()` reports: a counter labelled by transform id and
    /// outcome.
    package static let metricFamily = MetricFamily(
        name: "logship_transform_events_total",
        help: "Events handled by each transform, by outcome.",
        kind: .counter,
        labelNames: ["transform", "outcome"]
    )

    /// Adds `count` (ignored unless positive) to the count of `outcome` for `transform`.
    package mutating func add(_ count: Int, transform: String, outcome: Outcome) {
        guard count > 0 else { return }
        counts[Key(transform: transform, outcome: outcome), default: 0] += UInt64(count)
    }

    /// Adds every count of `other`.
    package mutating func merge(_ other: TransformStatistics) {
        for (key, value) in other.counts { counts[key, default: 0] += value }
    }

    /// The count of `outcome` for `transform`; 0 when never added.
    package func count(transform: String, outcome: Outcome) -> UInt64 {
        counts[Key(transform: transform, outcome: outcome)] ?? 0
    }

    /// Whether nothing was counted.
    package var isEmpty: Bool { counts.isEmpty }

    /// Forgets all counts, typically after publishing them.
    /// Whether any transform counted `outcome`.
    package func has(_ outcome: Outcome) -> Bool { counts.keys.contains { $0.outcome == outcome } }

    package mutating func reset() { counts.removeAll(keepingCapacity: true) }

    /// One `add` update of `metricFamily` per non-zero count, sorted by transform id then
    /// outcome so that the order is reproducible.
    package func metricUpdates() -> [MetricUpdate] {
        counts.sorted { ($0.key.transform, $0.key.outcome) < ($1.key.transform, $1.key.outcome) }
            .map { entry in
                MetricUpdate(
                    family: Self.metricFamily.name,
                    labelValues: [entry.key.transform, entry.key.outcome.rawValue],
                    operation: .add(Double(entry.value))
                )
            }
    }
}
