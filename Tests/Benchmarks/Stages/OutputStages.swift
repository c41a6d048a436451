import Benchmark
import CompressNIO
import LogshipCore
import LogshipOutputs
import NIOCore

/// The outputs' stages: bulk encoding and compression of the Elasticsearch output, and the
/// Prometheus exposition of `/metrics`.
enum OutputStages {
    /// The size of the bodies and of their compressed form, reported beside the time.
    static let uncompressedBytes = BenchmarkMetric.custom("uncompressed bytes", useScalingFactor: false)
    static let compressedBytes = BenchmarkMetric.custom("compressed bytes", useScalingFactor: false)
    /// The bulk request bodies of the sample.
    static let bodyCount = BenchmarkMetric.custom("bodies", useScalingFactor: false)

    static func register() {
        // `Batcher` (with `BulkEncoder`) over the batches every step went through: the NDJSON
        // bodies of 2 MiB the output sends.
        let encoding = Benchmark.Configuration(
            metrics: Benchmark.defaultConfiguration.metrics + [bodyCount],
            units: Benchmark.defaultConfiguration.units.merging([bodyCount: .count]) { $1 }
        )
        Benchmark("bulk encoding", configuration: encoding) {
            (benchmark: Benchmark, prepared: (AetherraSample, [EventBatch])) in
            let (sample, batches) = prepared
            var batcher = try sample.makeBatcher()
            var bodies: [Batch] = []
            let now = ContinuousClock.now
            benchmark.startMeasurement()
            for batch in batches { bodies += batcher.append(batch, now: now) }
            if let last = batcher.flush() { bodies.append(last) }
            benchmark.stopMeasurement()
            benchmark.measurement(bodyCount, bodies.count)
        } setup: { () throws -> (AetherraSample, [EventBatch]) in
            let sample = try AetherraSample()
            return (sample, try sample.transformedBatches())
        }

        let compression = Benchmark.Configuration(
            metrics: Benchmark.defaultConfiguration.metrics + [uncompressedBytes, compressedBytes],
            units: Benchmark.defaultConfiguration.units.merging([uncompressedBytes: .kilo, compressedBytes: .kilo]) {
                $1
            },
            maxIterations: 10
        )

        // ISA-L igzip at the output's level (1), as `CompressionThread` runs it, on every body.
        Benchmark("compression igzip", configuration: compression) { (benchmark: Benchmark, prepared: (Int, [Batch])) in
            let (level, bodies) = prepared
            var compressor = GzipCompressor(level: level)!
            var compressed = 0
            benchmark.startMeasurement()
            for body in bodies { compressed += compressor.compress(body.bytes)?.readableBytes ?? 0 }
            benchmark.stopMeasurement()
            benchmark.measurement(uncompressedBytes, bodies.reduce(0) { $0 + $1.bytes.count })
            benchmark.measurement(compressedBytes, compressed)
        } setup: { () throws -> (Int, [Batch]) in
            let sample = try AetherraSample()
            return (try sample.elasticsearch().compressionLevel, try sample.bulkBodies())
        }

        // zlib through compress-nio at the same level, for comparison: what the output used before.
        Benchmark("compression zlib", configuration: compression) {
            (benchmark: Benchmark, prepared: (Int, [ByteBuffer])) in
            let (level, bodies) = prepared
            let compressor = try ZlibCompressor(
                algorithm: .gzip,
                configuration: ZlibConfiguration(windowSize: 15, compressionLevel: Int32(level), memoryLevel: 8)
            )
            let allocator = ByteBufferAllocator()
            var compressed = 0
            benchmark.startMeasurement()
            for body in bodies {
                var input = body
                var output = allocator.buffer(capacity: compressor.maxSize(from: input))
                try compressor.deflate(from: &input, to: &output, flush: .finish)
                try compressor.reset()
                compressed += output.readableBytes
            }
            benchmark.stopMeasurement()
            benchmark.measurement(uncompressedBytes, bodies.reduce(0) { $0 + $1.readableBytes })
            benchmark.measurement(compressedBytes, compressed)
        } setup: {
            let sample = try AetherraSample()
            return (
                try sample.elasticsearch().compressionLevel, try sample.bulkBodies().map { ByteBuffer(bytes: $0.bytes) }
            )
        }

        // `/metrics` with 10,000 series of `aetherra_api_requests_total`: the store's snapshot
        // (sorted) and its exposition text. One iteration is one scrape.
        Benchmark("exposition of 10,000 series") { (benchmark: Benchmark, store: MetricStore) in
            blackHole(PrometheusExposition.render(store.families()).utf8.count)
        } setup: { () throws -> MetricStore in
            try AetherraSample.storeWithSeries(10_000)
        }
    }
}
