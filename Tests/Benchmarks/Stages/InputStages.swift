import Benchmark
import LogshipCore
import LogshipTail

/// The file input's stages, without reading: line splitting, multiline joining, building the
/// batches of events.
enum InputStages {
    /// The sample and its lines.
    typealias SplitSample = (sample: AetherraSample, lines: [AetherraSample.Line])
    /// The sample, its events as multiline joined them, and their text.
    typealias JoinedSample = (sample: AetherraSample, events: [AetherraSample.JoinedEvent], text: [UInt8])

    /// The events and batches of the sample, reported beside the time.
    static let eventCount = BenchmarkMetric.custom("events", useScalingFactor: false)
    static let batchCount = BenchmarkMetric.custom("batches", useScalingFactor: false)

    static func register() {
        // `LineSplitter` over the text in the input's read chunks (256 KiB); the lines go nowhere.
        Benchmark("line splitting") { (benchmark: Benchmark, sample: AetherraSample) in
            var splitter = LineSplitter(maximumLineBytes: sample.input.maximumLineBytes)
            var lines = 0
            benchmark.startMeasurement()
            sample.text.withUnsafeBufferPointer { all in
                var offset = 0
                while offset < all.count {
                    let end = min(offset + sample.chunkSize, all.count)
                    splitter.append(UnsafeBufferPointer(rebasing: all[offset..<end]), at: Int64(offset)) { _, _ in
                        lines += 1
                    }
                    offset = end
                }
            }
            benchmark.stopMeasurement()
            precondition(lines == AetherraSample.lineCount)
        } setup: { () throws -> AetherraSample in
            try AetherraSample()
        }

        // `MultilineAggregator` with the input's pattern over the split lines; the events go nowhere.
        Benchmark("multiline") { (benchmark: Benchmark, prepared: SplitSample) in
            let (sample, lines) = prepared
            var aggregator = try sample.makeAggregator()
            var events = 0
            let now = ContinuousClock.now
            benchmark.startMeasurement()
            sample.text.withUnsafeBufferPointer { all in
                for line in lines {
                    aggregator.append(UnsafeBufferPointer(rebasing: all[line.range]), line.info, now: now) { _, _ in
                        events += 1
                    }
                }
            }
            aggregator.flush { _, _ in events += 1 }
            benchmark.stopMeasurement()
            blackHole(events)
        } setup: { () throws -> SplitSample in
            let sample = try AetherraSample()
            return (sample, sample.lines())
        }

        // `EventBatchBuilder` over the joined events: the batches of 4,096 events the input
        // hands on (text, `message`, `log.file.path`, `log.offset`, `fields`).
        let counted = Benchmark.Configuration(
            metrics: Benchmark.defaultConfiguration.metrics + [eventCount, batchCount],
            units: Benchmark.defaultConfiguration.units.merging([eventCount: .count, batchCount: .count]) { $1 }
        )
        Benchmark("building events", configuration: counted) { (benchmark: Benchmark, prepared: JoinedSample) in
            let (sample, events, text) = prepared
            benchmark.startMeasurement()
            let batches = sample.makeBatches(events, text: text)
            benchmark.stopMeasurement()
            benchmark.measurement(eventCount, events.count)
            benchmark.measurement(batchCount, batches.count)
        } setup: { () throws -> JoinedSample in
            let sample = try AetherraSample()
            let (events, text) = try sample.joinedEvents()
            return (sample, events, text)
        }
    }
}
