import LogshipCore

/// A metric that must not be there (`absent_metrics`): `name` (no sample of the family `name`,
/// its `_bucket`, `_sum` and `_count` samples included) or `name{label="value",...}` (no such
/// sample with at least these labels).
package struct MetricSelector: Sendable, Equatable {
    package var name: String
    package var labels: [MetricSample.Label]
    /// As written.
    package var text: String

    package init(parsing text: String) throws(MetricSyntaxError) {
        let trimmed = text.trimmingWhitespace()
        var scanner = SeriesScanner(Substring(trimmed))
        (name, labels) = try scanner.series()
        scanner.skipSpaces()
        guard scanner.isAtEnd else { throw MetricSyntaxError("expected a metric name and labels only, not a value") }
        self.text = trimmed
    }

    /// Whether `sample` is of this family (or has this name) and has every label written here.
    package func matches(_ sample: MetricSample) -> Bool {
        let family = [name, name + "_bucket", name + "_sum", name + "_count"]
        guard family.contains(sample.name) else { return false }
        return labels.allSatisfy { sample.labels.contains($0) }
    }
}
