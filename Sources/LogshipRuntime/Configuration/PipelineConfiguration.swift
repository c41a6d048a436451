package import LogshipCore
package import LogshipOutputs
package import LogshipTail
package import LogshipTransforms

/// A loaded and validated pipeline: what `logship run` builds and runs.
///
/// The pipeline is linear: every input's events pass through the transforms in order, then go to
/// every output. Metrics derived by `log_to_metric` steps are served by the `prometheus` output.
package struct PipelineConfiguration: Sendable {
    /// One step of the transform chain.
    package enum Step: Sendable {
        case transform(any EventTransform)
        case metrics(LogToMetric)
    }

    /// The file the pipeline was loaded from.
    package var file: String
    /// Where checkpoints, metric state and the dead-letter file live.
    package var dataDirectory: String
    /// How often checkpoints are written while running (also written at shutdown).
    package var checkpointInterval: Duration
    package var inputs: [FileInputConfiguration]
    package var steps: [Step]
    /// At most one for now: acknowledgements from two bulk outputs would have to be joined.
    package var elasticsearch: ElasticsearchOutputConfiguration?
    package var prometheus: PrometheusOutputConfiguration?

    /// What is allowed but worth saying (a histogram without a unit in its name): printed by
    /// `logship validate`, logged by `logship run`.
    package var warnings: [String] {
        steps.flatMap { step -> [String] in
            if case .metrics(let metrics) = step { return metrics.warnings }
            return []
        }
    }

    /// Every metric family the `log_to_metric` steps declare.
    package var metricFamilies: [MetricFamily] {
        steps.flatMap { step -> [MetricFamily] in
            if case .metrics(let metrics) = step { return metrics.families }
            return []
        }
    }
}

/// The `prometheus` output: where `/metrics` and `/healthz` are served.
package struct PrometheusOutputConfiguration: Sendable {
    package var id: String
    /// `host:port`, such as `127.0.0.1:9464`.
    package var listen: String
    /// The most series one derived metric may have; more are dropped and counted.
    package var maximumSeriesPerMetric: Int

    package init(id: String, listen: String, maximumSeriesPerMetric: Int = 10_000) {
        self.id = id
        self.listen = listen
        self.maximumSeriesPerMetric = maximumSeriesPerMetric
    }
}

extension PipelineConfiguration {
    /// `logship run --once`: every input stops once it has read its files to their end (see
    /// `FileInputConfiguration.stopsAtEndOfFiles`), and the pipeline then shuts down gracefully.
    package mutating func stopInputsAtEndOfFiles() {
        for index in inputs.indices { inputs[index].stopsAtEndOfFiles = true }
    }

    /// `logship run --output null`: the pipeline without its `elasticsearch` output. Events still
    /// go through every transform, metrics are derived and served, and each batch is
    /// acknowledged (so checkpoints advance) once processed; nothing is encoded or shipped.
    package mutating func dropElasticsearchOutput() {
        elasticsearch = nil
    }

    /// `1 input, 5 transforms, 2 outputs, 2 metrics`, for `validate` and the startup log.
    package var summary: String {
        func count(_ number: Int, _ noun: String) -> String { "\(number) \(noun)\(number == 1 ? "" : "s")" }
        let outputs = (elasticsearch == nil ? 0 : 1) + (prometheus == nil ? 0 : 1)
        return [
            count(inputs.count, "input"), count(steps.count, "transform"), count(outputs, "output"),
            count(metricFamilies.count, "metric"),
        ].joined(separator: ", ")
    }
}
