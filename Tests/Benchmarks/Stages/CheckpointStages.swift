import Benchmark
import CompressNIO
import Foundation
import LogshipCore
import LogshipRuntime
import LogshipTail
import NIOCore
import Synchronization

/// A checkpoint write with 20 metric families of 10,000 series each (`CheckpointSample`), whole
/// and in its parts: the metric store's snapshot (the part that holds the store's lock, which
/// the pipeline's `apply` waits for), encoding the checkpoint file's text, and writing it
/// (`write`, `fsync`, `rename`, `fsync` of the directory). One iteration is one checkpoint write,
/// so times are milliseconds per write. zlib at level 1 of the same text (what `gzip -1` does) is
/// the reference measured beside them.
enum CheckpointStages {
    /// The size of the checkpoint file, reported beside the time.
    static let fileBytes = BenchmarkMetric.custom("file bytes", useScalingFactor: false)

    static func register() {
        let configuration = Benchmark.Configuration(
            metrics: Benchmark.defaultConfiguration.metrics + [fileBytes],
            units: Benchmark.defaultConfiguration.units.merging([fileBytes: .count]) { $1 }
        )
        // The parts that take well under a millisecond.
        let brief = Benchmark.Configuration(timeUnits: .microseconds)

        // What `CheckpointLedger.write` does under the metric store's lock.
        Benchmark("checkpoint snapshot of 200,000 series", configuration: brief) {
            (benchmark: Benchmark, sample: CheckpointSample) in
            blackHole(sample.metrics.snapshot())
        } setup: {
            try CheckpointSample()
        }

        Benchmark("checkpoint encoding of 200,000 series", configuration: configuration) {
            (benchmark: Benchmark, prepared: (CheckpointSample, CheckpointState)) in
            // In pieces, as `CheckpointStore.save` writes them, here handed to nothing.
            var bytes = 0
            try CheckpointStore.encode(prepared.1) { bytes += $0.count }
            benchmark.measurement(fileBytes, bytes)
        } setup: {
            let sample = try CheckpointSample()
            return (sample, sample.state())
        }

        Benchmark("checkpoint file write of 200,000 series", configuration: configuration) {
            (benchmark: Benchmark, prepared: (CheckpointSample, [UInt8])) in
            try prepared.0.store.save(encoded: prepared.1)
            benchmark.measurement(fileBytes, prepared.1.count)
        } setup: {
            let sample = try CheckpointSample()
            return (sample, try CheckpointStore.encode(sample.state()))
        }

        // The cost a snapshot moves to the pipeline: one update to each family while a snapshot
        // is held, as after a checkpoint write began (each family's values are copied once),
        // and the same updates without one.
        Benchmark("checkpoint no copy on an update without a snapshot", configuration: brief) {
            (benchmark: Benchmark, prepared: (CheckpointSample, [MetricUpdate])) in
            prepared.0.metrics.apply(prepared.1)
        } setup: {
            let sample = try CheckpointSample()
            return (sample, sample.oneUpdatePerFamily())
        }
        Benchmark("checkpoint copy on the next update of each family", configuration: brief) {
            (benchmark: Benchmark, prepared: (CheckpointSample, [MetricUpdate])) in
            let (sample, updates) = prepared
            let snapshot = sample.metrics.snapshot()
            benchmark.startMeasurement()
            sample.metrics.apply(updates)
            benchmark.stopMeasurement()
            blackHole(snapshot)
        } setup: {
            let sample = try CheckpointSample()
            return (sample, sample.oneUpdatePerFamily())
        }

        // The whole write, as `CheckpointWriter` makes it.
        Benchmark("checkpoint write of 200,000 series", configuration: configuration) {
            (benchmark: Benchmark, sample: CheckpointSample) in
            try sample.ledger.write(force: true)
            benchmark.measurement(fileBytes, sample.fileSize())
        } setup: {
            try CheckpointSample()
        }

        // The reference: zlib level 1 (as `gzip -1`) of the checkpoint file's text.
        Benchmark("checkpoint reference zlib level 1 of the file", configuration: configuration) {
            (benchmark: Benchmark, text: ByteBuffer) in
            let compressor = try ZlibCompressor(
                algorithm: .gzip,
                configuration: ZlibConfiguration(windowSize: 15, compressionLevel: 1, memoryLevel: 8)
            )
            var input = text
            var output = ByteBufferAllocator().buffer(capacity: compressor.maxSize(from: input))
            benchmark.startMeasurement()
            try compressor.deflate(from: &input, to: &output, flush: .finish)
            benchmark.stopMeasurement()
            benchmark.measurement(fileBytes, text.readableBytes)
        } setup: {
            let sample = try CheckpointSample()
            return ByteBuffer(bytes: try CheckpointStore.encode(sample.state()))
        }
    }
}

/// A metric store with 20 families of 10,000 series each: 10 counters, 5 gauges, 3 histograms
/// of 8 buckets (5 observations a series) and 2 summaries (20 observations a series, in one
/// window), beside a checkpoint ledger that writes to a temporary directory. The series are made
/// one at a time, 13.7 ms apart on the store's clock (46 minutes in all), so that when each was
/// made differs as in a store that grew while logship ran.
final class CheckpointSample: Sendable {
    let metrics: MetricStore
    let ledger: CheckpointLedger
    let store: CheckpointStore
    let directory: String

    static let seriesPerFamily = 10_000

    init() throws {
        let clock = Mutex(Date().timeIntervalSince1970)
        let metrics = MetricStore(maximumSeriesPerFamily: Self.seriesPerFamily, now: { clock.withLock { $0 } })
        let buckets: [Double] = [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10]
        var families: [MetricFamily] = []
        for index in 0..<10 {
            families.append(
                MetricFamily(
                    name: "checkpoint_counter_\(index)_total",
                    help: "Requests.",
                    kind: .counter,
                    labelNames: ["method", "endpoint", "status"]
                )
            )
        }
        for index in 0..<5 {
            families.append(
                MetricFamily(name: "checkpoint_gauge_\(index)", help: "Depth.", kind: .gauge, labelNames: ["queue"])
            )
        }
        for index in 0..<3 {
            families.append(
                MetricFamily(
                    name: "checkpoint_histogram_\(index)_seconds",
                    help: "Durations.",
                    kind: .histogram,
                    labelNames: ["method", "endpoint"],
                    buckets: buckets
                )
            )
        }
        for index in 0..<2 {
            families.append(
                MetricFamily(
                    name: "checkpoint_summary_\(index)_seconds",
                    help: "Durations.",
                    kind: .summary,
                    labelNames: ["endpoint"]
                )
            )
        }
        for family in families { metrics.register(family) }
        let methods = ["GET", "POST"]
        let statuses = ["200", "201", "404", "500", "503"]
        for family in families {
            for number in 0..<Self.seriesPerFamily {
                var updates: [MetricUpdate] = []
                let endpoint = "/api/items/\(number)"
                switch family.kind {
                case .counter:
                    let labels = [methods[number % 2], "/api/items/\(number / 10)", statuses[number / 2 % 5]]
                    updates.append(MetricUpdate(family: family.name, labelValues: labels, operation: .add(1)))
                    updates.append(
                        MetricUpdate(family: family.name, labelValues: labels, operation: .add(Double(number % 97)))
                    )
                case .gauge:
                    updates.append(
                        MetricUpdate(family: family.name, labelValues: [endpoint], operation: .set(Double(number) / 8))
                    )
                case .histogram:
                    let labels = [methods[number % 2], "/api/items/\(number / 2)"]
                    for observation in 0..<5 {
                        let value = Double((number + observation * 31) % 1000) / 97
                        updates.append(
                            MetricUpdate(family: family.name, labelValues: labels, operation: .observe(value))
                        )
                    }
                case .summary:
                    for observation in 0..<20 {
                        let value = Double((number + observation * 37) % 5000) / 1013
                        updates.append(
                            MetricUpdate(family: family.name, labelValues: [endpoint], operation: .observe(value))
                        )
                    }
                }
                metrics.apply(updates)
                clock.withLock { $0 += 0.0137 }
            }
        }
        guard metrics.seriesCount == families.count * Self.seriesPerFamily else {
            throw SampleError("the store holds \(metrics.seriesCount) series instead of 200,000")
        }
        let directory =
            NSTemporaryDirectory() + "logship-checkpoint-benchmark-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let store = CheckpointStore(directory: directory)
        let ledger = CheckpointLedger(store: store, restored: [], metrics: metrics)
        // A few files, part of their events acknowledged, each event counted once.
        let update = MetricUpdate(
            family: families[0].name,
            labelValues: ["GET", "/api/items/0", "200"],
            operation: .add(1)
        )
        for file in 0..<4 {
            let key = FileKey(device: 2049, inode: UInt64(1000 + file))
            ledger.opened(key, path: "/var/log/app-\(file).log", at: 0)
            let sources = (0..<Int64(100)).map { (event: Int64) -> EventSource in
                EventSource(fileKey: key, startOffset: event * 200, endOffset: event * 200 + 200)
            }
            metrics.apply(sources.map { (source: $0, updates: [update]) })
            ledger.register(sources)
            ledger.acknowledge(Array(sources.prefix(60)))
        }
        self.metrics = metrics
        self.directory = directory
        self.store = store
        self.ledger = ledger
    }

    deinit {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// One update to the first series of each family.
    func oneUpdatePerFamily() -> [MetricUpdate] {
        metrics.families().map { family in
            let labels = family.series[0].labelValues
            switch family.family.kind {
            case .counter: return MetricUpdate(family: family.family.name, labelValues: labels, operation: .add(1))
            case .gauge: return MetricUpdate(family: family.family.name, labelValues: labels, operation: .set(3))
            case .histogram, .summary:
                return MetricUpdate(family: family.family.name, labelValues: labels, operation: .observe(0.2))
            }
        }
    }

    /// The checkpoint state `CheckpointLedger.write` saves, metric state included.
    func state() -> CheckpointState {
        CheckpointState(files: [], metrics: metrics.snapshot())
    }

    /// The size of the checkpoint file.
    func fileSize() -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: store.path))?[.size] as? NSNumber)?.intValue ?? 0
    }
}
