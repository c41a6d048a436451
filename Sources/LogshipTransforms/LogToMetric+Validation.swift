import LogshipCore

extension LogToMetric {
    /// Checks definitions before anything runs: at least one metric, names unique, and each
    /// definition valid (see `validate(_:at:transform:)`).
    static func validate(_ metrics: [MetricDefinition], transform: String) throws(TransformError) {
        guard !metrics.isEmpty else {
            throw .missingSetting(transform: transform, setting: "metrics", reason: "define at least one metric")
        }
        var names: Set<String> = []
        for (index, metric) in metrics.enumerated() {
            try validate(metric, at: "metrics[\(index)]", transform: transform)
            guard names.insert(metric.name).inserted else {
                throw .duplicateName(transform: transform, setting: "metrics", name: metric.name)
            }
        }
    }

    /// Checks one definition, naming settings under `path` (such as `metrics[2]`):
    /// - the metric name matches `[a-zA-Z_:][a-zA-Z0-9_:]*`; label names match
    ///   `[a-zA-Z_][a-zA-Z0-9_]*`, do not start with `__` (reserved by Prometheus) and are unique;
    ///   histograms have no `le` label (it holds the bucket bound);
    /// - counters end in `_total`; gauges and histograms have a `value` field;
    /// - histogram buckets are finite and strictly increasing.
    /// Uniqueness of metric names across definitions is checked by `init`.
    package static func validate(
        _ metric: MetricDefinition,
        at path: String,
        transform: String
    )
        throws(TransformError)
    {
        guard isValidName(metric.name, allowColon: true) else {
            throw .invalidSetting(
                transform: transform,
                setting: path + ".name",
                reason: "'\(metric.name)' is not a Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)"
            )
        }
        if metric.kind == .counter && !metric.name.hasSuffix("_total") {
            throw .invalidSetting(
                transform: transform,
                setting: path + ".name",
                reason: "counter '\(metric.name)' must end in _total: Prometheus and OpenMetrics expose "
                    + "counters under a _total name, so name it '\(metric.name)_total'"
            )
        }
        if metric.kind != .counter && metric.value == nil {
            // A gauge, histogram or summary.
            throw .missingSetting(
                transform: transform,
                setting: path + ".value",
                reason: "a \(metric.kind.rawValue) needs the field holding the value to record"
            )
        }
        try validateLabels(metric, path: path, transform: transform)
        if let maximum = metric.maximumSeries, maximum < 1 {
            throw .invalidSetting(transform: transform, setting: path + ".max_series", reason: "must be at least 1")
        }
        if let expiry = metric.expireAfter, !(expiry >= MetricDefinition.minimumExpiry) {
            throw .invalidSetting(
                transform: transform,
                setting: path + ".expire_after",
                reason: "must be at least 10m: a shorter expiry would drop series between scrapes"
            )
        }
        if let state = metric.stateLabel {
            guard metric.kind == .gauge else {
                throw .invalidSetting(
                    transform: transform,
                    setting: path + ".state_label",
                    reason: "only a gauge can be a state set"
                )
            }
            guard metric.labels.contains(where: { $0.name == state }) else {
                throw .invalidSetting(
                    transform: transform,
                    setting: path + ".state_label",
                    reason: "'\(state)' is not one of the metric's labels"
                )
            }
        }
        if metric.kind == .histogram {
            try validateBuckets(metric.buckets, path: path, transform: transform)
        }
        if metric.kind == .summary {
            for (index, quantile) in metric.quantiles.enumerated() where !(0...1).contains(quantile) {
                throw .invalidSetting(
                    transform: transform,
                    setting: path + ".quantiles[\(index)]",
                    reason: "a quantile is between 0 and 1 (0.95 for the 95th percentile), not \(quantile)"
                )
            }
            guard metric.maxAge > 0, metric.maxAge.isFinite else {
                throw .invalidSetting(transform: transform, setting: path + ".max_age", reason: "must be positive")
            }
            guard metric.ageBuckets >= 1 else {
                throw .invalidSetting(
                    transform: transform,
                    setting: path + ".age_buckets",
                    reason: "must be at least 1"
                )
            }
        }
    }

    private static func validateLabels(
        _ metric: MetricDefinition,
        path: String,
        transform: String
    )
        throws(TransformError)
    {
        var labelNames: Set<String> = []
        for (index, label) in metric.labels.enumerated() {
            let setting = path + ".labels[\(index)].name"
            guard isValidName(label.name, allowColon: false) else {
                throw .invalidSetting(
                    transform: transform,
                    setting: setting,
                    reason: "'\(label.name)' is not a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)"
                )
            }
            guard !label.name.hasPrefix("__") else {
                throw .invalidSetting(
                    transform: transform,
                    setting: setting,
                    reason: "label names starting with __ are reserved by Prometheus"
                )
            }
            if metric.kind == .histogram && label.name == "le" {
                throw .invalidSetting(
                    transform: transform,
                    setting: setting,
                    reason: "a histogram cannot have a label 'le': it holds the bucket bounds"
                )
            }
            if metric.kind == .summary && label.name == "quantile" {
                throw .invalidSetting(
                    transform: transform,
                    setting: setting,
                    reason: "a summary cannot have a label 'quantile': it holds the quantiles"
                )
            }
            guard labelNames.insert(label.name).inserted else {
                throw .duplicateName(transform: transform, setting: path + ".labels", name: label.name)
            }
            guard !label.fields.isEmpty, label.fields.allSatisfy({ !$0.segments.isEmpty }) else {
                throw .invalidSetting(
                    transform: transform,
                    setting: path + ".labels[\(index)].field",
                    reason: "must name a field"
                )
            }
        }
    }

    private static func validateBuckets(_ buckets: [Double], path: String, transform: String) throws(TransformError) {
        for (index, bound) in buckets.enumerated() {
            guard bound.isFinite else {
                throw .invalidSetting(
                    transform: transform,
                    setting: path + ".buckets[\(index)]",
                    reason: "bucket bounds must be finite (+Inf is always implied)"
                )
            }
            if index > 0 && bound <= buckets[index - 1] {
                throw .invalidSetting(
                    transform: transform,
                    setting: path + ".buckets[\(index)]",
                    reason: "bucket bounds must be strictly increasing (\(bound) follows \(buckets[index - 1]))"
                )
            }
        }
    }

    private static func isValidName(_ name: String, allowColon: Bool) -> Bool {
        guard let first = name.utf8.first else { return false }
        func isStart(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || byte == UInt8(ascii: "_") || (allowColon && byte == UInt8(ascii: ":"))
        }
        return isStart(first)
            && name.utf8.allSatisfy { isStart($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }
}
