import Benchmark
import LogshipRuntime
import LogshipTransforms

/// The transform steps of `pipelines/aetherra.yml`, each on the batches the steps before it left,
/// run as `PipelineProcessor` runs them.
enum TransformStages {
    /// The sample, its joined events and their text, and the steps measured.
    typealias Prepared = (
        sample: AetherraSample, events: [AetherraSample.JoinedEvent], text: [UInt8], steps: Range<Int>
    )

    static func register() {
        stage("parse_regex") { try $0.firstRange(of: ParseRegex.self) }
        stage("parse_json") { try $0.firstRange(of: ParseJSON.self) }
        // Both steps: `event_time` (the JSON timestamp) and `log_time` (the logging prefix's).
        stage("parse_timestamp") { try $0.allRange(of: ParseTimestamp.self) }
        // The updates of the batch, and applying them to the metric store.
        stage("log_to_metric") { sample in
            let index = try sample.stepIndex {
                if case .metrics = $0 { return true }
                return false
            }
            return index..<(index + 1)
        }
    }

    /// Registers a benchmark of the pipeline's steps in the range `select` gives. Before each
    /// iteration, unmeasured, the batches are built again and the steps before the range run on
    /// them (a transform changes its batches, so each iteration needs fresh ones).
    private static func stage(_ name: String, steps select: @escaping (AetherraSample) throws -> Range<Int>) {
        Benchmark(name) { (benchmark: Benchmark, prepared: Prepared) in
            let (sample, events, text, range) = prepared
            var batches = sample.makeBatches(events, text: text)
            AetherraSample.run(sample.steps[..<range.lowerBound], on: &batches, store: sample.makeStore())
            let store = sample.makeStore()
            benchmark.startMeasurement()
            AetherraSample.run(sample.steps[range], on: &batches, store: store)
            benchmark.stopMeasurement()
            blackHole(batches.count)
        } setup: { () throws -> Prepared in
            let sample = try AetherraSample()
            let (events, text) = try sample.joinedEvents()
            return (sample, events, text, try select(sample))
        }
    }
}

extension AetherraSample {
    /// The first transform step of type `type`.
    func firstRange<T: EventTransform>(of type: T.Type) throws -> Range<Int> {
        let index = try stepIndex { $0.isTransform(type) }
        return index..<(index + 1)
    }

    /// From the first to the last transform step of type `type`.
    func allRange<T: EventTransform>(of type: T.Type) throws -> Range<Int> {
        let first = try stepIndex { $0.isTransform(type) }
        let last = steps.lastIndex { $0.isTransform(type) } ?? first
        return first..<(last + 1)
    }
}

extension PipelineConfiguration.Step {
    /// Whether the step is a transform of type `type`.
    func isTransform<T: EventTransform>(_ type: T.Type) -> Bool {
        if case .transform(let transform) = self { return transform is T }
        return false
    }
}
