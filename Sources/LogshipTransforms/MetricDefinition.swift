package import LogshipCore

/// One metric that `log_to_metric` derives from events.
///
/// - counter: adds `value` when set (it must then be a non-negative number), else 1.
/// - gauge: sets the series to `value` (required). With `stateLabel` it is a state set: a value
///   other than 0 for one state (say `status="active"`) also sets every other state already seen
///   with the same other labels to 0, so that one state holds at a time.
/// - histogram: observes `value` (required) into `buckets`.
/// - summary: observes `value` (required); serves `quantiles` over the last `maxAge` of read time
///   (see `QuantileWindow` for the error bound), with `_sum` and `_count` of every observation.
/// Only events matching `when` (all events when nil) update the metric.
package struct MetricDefinition: Sendable {
    /// The Prometheus metric name: `[a-zA-Z_:][a-zA-Z0-9_:]*`; counters end in `_total`.
    package var name: String
    /// The `# HELP` text.
    package var help: String
    /// Counter, gauge or histogram.
    package var kind: MetricKind
    /// The labels, in exposition order.
    package var labels: [LabelDefinition]
    /// Where the value is read: required for gauges and histograms, optional for counters.
    package var value: FieldPath?
    /// Histogram bucket upper bounds, strictly increasing and finite (`+Inf` is implied);
    /// ignored for counters and gauges.
    package var buckets: [Double]
    /// Which events update the metric.
    package var when: Condition?
    /// A summary's quantiles, each in 0...1.
    package var quantiles: [Double] = MetricFamily.defaultQuantiles
    /// A summary's window, in seconds of read time.
    package var maxAge: Double = MetricFamily.defaultMaxAge
    /// How many sketches a summary's window is kept as: the window slides by `maxAge / ageBuckets`.
    package var ageBuckets: Int = MetricFamily.defaultAgeBuckets
    /// A gauge's label whose values are exclusive states (`state_label`); `nil` for a plain one.
    package var stateLabel: String?
    /// A state set's other states are removed rather than set to 0 (`other_states: drop`):
    /// `count(metric{status="active"})` then counts what is active now.
    package var dropsOtherStates = false
    /// The most series of this metric (`max_series`); `nil`: the prometheus output's
    /// `max_series_per_metric`. New label sets beyond it go to the overflow series.
    package var maximumSeries: Int?
    /// Seconds without an update after which a series is removed (`expire_after`); `nil`:
    /// never (the default). At least `minimumExpiry`.
    package var expireAfter: Double?
    /// The shortest `expire_after`: longer than several scrape intervals and than Prometheus's
    /// five-minute lookback, so that no scrape misses a series that is still alive.
    package static let minimumExpiry: Double = 600
    /// A field that must hold a finite number for the metric to be updated
    /// (`requires_number`), for a counter of lines whose value it does not add: a line whose
    /// value is missing or not a number then updates nothing and is counted as `bad_value`, as
    /// for the histogram of the same lines.
    package var requiredNumber: FieldPath?

    /// A definition; `buckets` default to the Prometheus client defaults.
    package init(
        name: String,
        help: String = "",
        kind: MetricKind,
        labels: [LabelDefinition] = [],
        value: FieldPath? = nil,
        buckets: [Double] = MetricFamily.defaultBuckets,
        when: Condition? = nil
    ) {
        self.name = name
        self.help = help
        self.kind = kind
        self.labels = labels
        self.value = value
        self.buckets = buckets
        self.when = when
    }

    /// The family this definition registers in a `MetricStore`.
    package var family: MetricFamily {
        var family = MetricFamily(
            name: name,
            help: help,
            kind: kind,
            labelNames: labels.map(\.name),
            buckets: kind == .histogram ? buckets : [],
            quantiles: quantiles,
            maxAge: maxAge,
            ageBuckets: ageBuckets
        )
        family.maximumSeries = maximumSeries
        family.expireAfter = expireAfter
        return family
    }
}
