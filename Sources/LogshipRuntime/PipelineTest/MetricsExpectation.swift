/// What `/metrics` must show.
package enum MetricsExpectation: Sendable {
    /// Samples written in the tests file (`metrics`): each must be there with this value; other
    /// samples are ignored.
    case samples([MetricSample], line: Int?)
    /// A golden exposition file (`metrics_file`): the derived part of `/metrics` (every family
    /// of the pipeline's `log_to_metric` steps, HELP and TYPE lines included; logship's own
    /// `logship_*` families left out) must be this text exactly. `nil` text when the file does
    /// not exist yet.
    case file(path: String, text: String?)
}
