/// One case of a tests file.
package struct PipelineTestCase: Sendable {
    /// The case's `name`.
    package var name: String
    /// Where the case starts in the tests file (1-based line), and its key path (`tests[2]`).
    package var line: Int?
    package var keyPath: String
    package var input: PipelineTestInput
    package var documents: DocumentsExpectation?
    package var metrics: MetricsExpectation?
    /// Metric families or samples that must not be there (`absent_metrics`).
    package var absentMetrics: [MetricSelector]
}
