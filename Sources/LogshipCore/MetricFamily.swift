/// The kind of a metric family, as Prometheus names it in `# TYPE`.
package enum MetricKind: String, Sendable, Codable, CaseIterable {
    case counter
    case gauge
    case histogram
    /// Quantiles over a sliding window of time (`QuantileWindow`), with `_sum` and `_count`.
    case summary
}

/// What a metric family is: its name, help text, kind, label names and, for histograms, the
/// upper bounds of its buckets (sorted, without `+Inf`, which is always implied).
package struct MetricFamily: Sendable, Codable, Equatable {
    package var name: String
    package var help: String
    package var kind: MetricKind
    package var labelNames: [String]
    package var buckets: [Double]
    /// A summary's quantiles (each in 0...1), in exposition order; `nil` for other kinds.
    package var quantiles: [Double]?
    /// A summary's window, in seconds.
    package var maxAge: Double?
    /// How many sketches a summary's window is kept as (see `QuantileWindow`).
    package var ageBuckets: Int?
    /// The most series it may hold (`max_series`); `nil`: the store's limit.
    package var maximumSeries: Int?
    /// Seconds after its last update that a series is removed (`expire_after`); `nil`: never.
    package var expireAfter: Double?

    package init(
        name: String,
        help: String,
        kind: MetricKind,
        labelNames: [String] = [],
        buckets: [Double] = [],
        quantiles: [Double]? = nil,
        maxAge: Double? = nil,
        ageBuckets: Int? = nil
    ) {
        self.name = name
        self.help = help
        self.kind = kind
        self.labelNames = labelNames
        self.buckets = buckets.sorted()
        self.quantiles = kind == .summary ? quantiles ?? Self.defaultQuantiles : nil
        self.maxAge = kind == .summary ? maxAge ?? Self.defaultMaxAge : nil
        self.ageBuckets = kind == .summary ? ageBuckets ?? Self.defaultAgeBuckets : nil
    }

    /// A summary's default quantiles: the median and the tail the guide shows.
    package static let defaultQuantiles: [Double] = [0.5, 0.95, 0.99]
    /// A summary's default window: 10 minutes.
    package static let defaultMaxAge: Double = 600
    /// A summary's default number of age buckets.
    package static let defaultAgeBuckets = 5

    /// The default histogram buckets of the Prometheus client libraries.
    package static let defaultBuckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
}

/// One change to one series: label values are in the order of the family's label names.
/// (`public` only so that `EventBatch`'s and `MetricUpdateBatch`'s inlinable members can use it.)
public struct MetricUpdate: Sendable, Equatable {
    public enum Operation: Sendable, Equatable {
        /// Adds to a counter or gauge. Counters ignore negative amounts.
        case add(Double)
        /// Replaces a gauge's value.
        case set(Double)
        /// Replaces a gauge's value; when it is not 0, also ends every other series of the family
        /// whose label values differ only at `label` (the state label of a state set): sets it
        /// to 0, or with `dropsOthers` removes it (and a state set to 0 is removed too), so that
        /// `count(metric{state="s"})` counts what is in state s now.
        case setState(Double, label: Int, dropsOthers: Bool = false)
        /// Records one observation in a histogram.
        case observe(Double)
    }

    package var family: String
    package var labelValues: [String]
    package var operation: Operation

    package init(family: String, labelValues: [String], operation: Operation) {
        self.family = family
        self.labelValues = labelValues
        self.operation = operation
    }
}

/// The value of one series: a counter or gauge uses `value`; a histogram uses the cumulative
/// `bucketCounts` (one per bucket bound, then `+Inf`), `sum` and `count`; a summary uses `sum`,
/// `count`, its `window`, and `quantiles` (its family's, computed when the store is read).
package struct SeriesValue: Sendable, Codable, Equatable {
    package var value: Double = 0
    package var bucketCounts: [UInt64] = []
    package var sum: Double = 0
    package var count: UInt64 = 0
    /// A summary's recent observations.
    package var window: QuantileWindow?
    /// A summary's quantiles when the store was read, in its family's order.
    package var quantiles: [Double]?
    /// When the series was made (seconds since 1970, the store's clock): OpenMetrics'
    /// `_created`. Absent in state saved by releases before it.
    package var created: Double?
    /// When it was last updated, kept only for a family with `expireAfter`.
    package var updated: Double?

    package init(value: Double = 0, bucketCounts: [UInt64] = [], sum: Double = 0, count: UInt64 = 0) {
        self.value = value
        self.bucketCounts = bucketCounts
        self.sum = sum
        self.count = count
    }

    /// Equal values: `created` and `updated`, when the series was made and last changed, are
    /// left out (they say when, not what).
    package static func == (lhs: SeriesValue, rhs: SeriesValue) -> Bool {
        lhs.value == rhs.value && lhs.bucketCounts == rhs.bucketCounts && lhs.sum == rhs.sum && lhs.count == rhs.count
            && lhs.window == rhs.window && lhs.quantiles == rhs.quantiles
    }
}

/// One series as read out of the store.
package struct SeriesSnapshot: Sendable, Codable, Equatable {
    package var labelValues: [String]
    package var value: SeriesValue

    package init(labelValues: [String], value: SeriesValue) {
        self.labelValues = labelValues
        self.value = value
    }
}

/// One family and all its series: sorted by label values as `MetricStore.families()` gives them,
/// in the order they were made as `MetricStore.snapshot()` saves them. Saved in columns (see
/// `FamilySnapshot+Codable.swift`).
package struct FamilySnapshot: Sendable, Equatable {
    package var family: MetricFamily
    package var series: [SeriesSnapshot]

    package init(family: MetricFamily, series: [SeriesSnapshot]) {
        self.family = family
        self.series = series
    }
}
