import Foundation
import LogshipCore
import LogshipTail
import Synchronization
import Testing

/// The metric state saved with the checkpoints and read back at a restart: every kind of series
/// exactly, what JSON cannot write, and the format before the columns.
@Suite struct MetricStateCheckpointTests {
    /// The metric store's wall clock, set by the test.
    private final class Clock: Sendable {
        private let seconds: Mutex<Double>

        init(_ seconds: Double) { self.seconds = Mutex(seconds) }

        var now: Double { seconds.withLock { $0 } }

        func set(_ value: Double) { seconds.withLock { $0 = value } }
    }

    private let file = FileKey(device: 2049, inode: 77)

    private func makeStore(_ clock: Clock) -> MetricStore {
        let store = MetricStore(maximumSeriesPerFamily: 100, now: { clock.now })
        var limited = MetricFamily(name: "queue_depth", help: "", kind: .gauge, labelNames: ["queue"])
        limited.maximumSeries = 50
        for family in [
            MetricFamily(
                name: "requests_total",
                help: "Requests \"by\" path.\nSecond line \\ é",
                kind: .counter,
                labelNames: ["method", "path"]
            ),
            limited,
            MetricFamily(
                name: "duration_seconds",
                help: "",
                kind: .histogram,
                labelNames: ["endpoint"],
                buckets: [0.1, 0.5, 1]
            ),
            MetricFamily(
                name: "latency_seconds",
                help: "",
                kind: .summary,
                labelNames: ["endpoint"],
                quantiles: [0.5, 0.99],
                maxAge: 60,
                ageBuckets: 3
            ),
            MetricFamily(name: "unused_total", help: "", kind: .counter),
        ] {
            store.register(family)
        }
        return store
    }

    private func update(_ family: String, _ labels: [String], _ operation: MetricUpdate.Operation) -> MetricUpdate {
        MetricUpdate(family: family, labelValues: labels, operation: operation)
    }

    private func source(_ start: Int64, _ end: Int64) -> EventSource {
        EventSource(fileKey: file, startOffset: start, endOffset: end)
    }

    /// A store with series of every kind, label values JSON must escape, numbers without a short
    /// form, summary windows of several sketches, and counted offsets.
    private func fill(_ store: MetricStore, _ clock: Clock) {
        store.apply([
            (
                source(0, 10),
                [
                    update("requests_total", ["GET", #"/a "b" \ c"# + "\n\u{1}é😀"], .add(1)),
                    update("requests_total", ["POST", ""], .add(2.5)),
                    update("requests_total", ["POST", ""], .add(0.1)),
                    update("requests_total", ["POST", ""], .add(0.2)),
                ]
            )
        ])
        store.apply([
            update("queue_depth", ["zero"], .set(-0.0)),
            update("queue_depth", ["huge"], .set(1e300)),
            update("queue_depth", ["tiny"], .set(5e-324)),
            update("queue_depth", ["fraction"], .set(13.505154639175258)),
            update("duration_seconds", ["/chat"], .observe(0.05)),
            update("duration_seconds", ["/chat"], .observe(0.3)),
            update("duration_seconds", ["/chat"], .observe(7)),
            update("duration_seconds", ["/health"], .observe(-1)),
        ])
        for (seconds, value) in [(0.0, 0.2), (1, -0.5), (25, 0), (26, 3.25), (47, 0.2), (48, 1e-9)] {
            clock.set(1_764_531_234.567_891 + seconds)
            store.apply([update("latency_seconds", ["/chat"], .observe(value))])
        }
        store.apply([(source(10, 25), [update("latency_seconds", ["/memory"], .observe(0.125))])])
    }

    @Test func everyKindOfSeriesReadsBackExactly() throws {
        let clock = Clock(1_764_531_234.567_891)
        let store = makeStore(clock)
        fill(store, clock)
        let snapshot = store.snapshot()
        #expect(
            snapshot.families.map { (family: FamilySnapshot) in family.family.name } == [
                "requests_total", "queue_depth", "duration_seconds", "latency_seconds",
            ]
        )
        #expect(snapshot.countedOffsets == [.init(fileKey: file, offset: 25)])
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let checkpoints = CheckpointStore(directory: directory.path)
        let state = CheckpointState(
            version: 1,
            files: [FileCheckpoint(fileKey: file, path: "/var/log/app.log", offset: 25)],
            metrics: snapshot
        )
        try checkpoints.save(state)
        let loaded = try checkpoints.load()
        // Format 3 with metric series, whatever the state asked for.
        #expect(loaded.version == 3)
        #expect(loaded.files == state.files)
        let metrics = try #require(loaded.metrics)
        #expect(metrics == snapshot)
        let saved = Dictionary(
            uniqueKeysWithValues: metrics.families.map { (family: FamilySnapshot) in (family.family.name, family.series)
            }
        )
        #expect(saved["queue_depth"]?.first?.value.value.sign == .minus, "-0.0 keeps its sign")
        #expect(saved["latency_seconds"]?.first?.value.window != nil)
        #expect(saved["requests_total"]?.allSatisfy { $0.value.created == 1_764_531_234.568 } == true)

        // Restored into the store of a restart: the same series, read at the same time (a
        // summary's quantiles from its window), and events read again are not counted again.
        let restarted = makeStore(clock)
        #expect(restarted.restore(metrics).isEmpty)
        #expect(restarted.families() == store.families())
        restarted.apply([(source(10, 25), [update("requests_total", ["POST", ""], .add(1))])])
        #expect(restarted.families() == store.families())

        // `Codable`'s form of the columns is the same.
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "+Inf",
            negativeInfinity: "-Inf",
            nan: "NaN"
        )
        #expect(try JSONDecoder().decode(MetricStoreSnapshot.self, from: encoder.encode(snapshot)) == snapshot)
    }

    /// NaN and infinities, which JSON has no numbers for, and a summary idle past its window
    /// (its quantiles NaN when read): they are saved and read back.
    @Test func whatJSONHasNoNumbersForIsSavedToo() throws {
        let clock = Clock(1_000)
        let store = makeStore(clock)
        store.apply([
            update("queue_depth", ["nan"], .set(.nan)),
            update("queue_depth", ["up"], .set(.infinity)),
            update("queue_depth", ["down"], .set(-.infinity)),
            update("duration_seconds", ["/chat"], .observe(.infinity)),
            update("latency_seconds", ["/chat"], .observe(0.5)),
        ])
        clock.set(4_600)
        #expect(store.families()[3].series.first?.value.quantiles?.allSatisfy(\.isNaN) == true)
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let checkpoints = CheckpointStore(directory: directory.path)
        try checkpoints.save(CheckpointState(metrics: store.snapshot()))
        let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: checkpoints.path)), as: UTF8.self)
        #expect(text.contains(#""values":["NaN","+Inf","-Inf"]"#))
        let families = try #require(try checkpoints.load().metrics?.families)
        #expect(
            families[0].series.map { (series: SeriesSnapshot) in series.labelValues } == [["nan"], ["up"], ["down"]]
        )
        #expect(families[0].series[0].value.value.isNaN)
        #expect(families[0].series[1].value.value == .infinity)
        #expect(families[0].series[2].value.value == -.infinity)
        #expect(families[1].series[0].value.sum == .infinity)
        #expect(families[2].series[0].value.count == 1)
    }

    /// A checkpoint of the release before the columns (format 2, each family's `series`, a
    /// summary's quantiles saved with it, keys sorted as `JSONEncoder` sorted them) is read and
    /// restored.
    @Test func theFormatBeforeTheColumnsIsRead() throws {
        let text = """
            {"files":[{"fileKey":{"device":2049,"inode":77},"offset":25,"path":"/var/log/app.log"}],\
            "metrics":{"countedOffsets":[{"fileKey":{"device":2049,"inode":77},"offset":25}],"families":[\
            {"family":{"buckets":[],"help":"","kind":"counter","labelNames":["method","path"],"name":"requests_total"},\
            "series":[{"labelValues":["GET","/a"],"value":{"bucketCounts":[],"count":0,\
            "created":1796068866.6972556,"sum":0,"value":7}}]},\
            {"family":{"buckets":[0.1,0.5,1],"help":"","kind":"histogram","labelNames":["endpoint"],\
            "name":"duration_seconds"},"series":[{"labelValues":["/chat"],"value":{"bucketCounts":[1,2,2,3],\
            "count":3,"created":1796068866.8825126,"sum":7.35,"value":0}}]},\
            {"family":{"ageBuckets":3,"buckets":[],"help":"","kind":"summary","labelNames":["endpoint"],\
            "maxAge":60,"name":"latency_seconds","quantiles":[0.5,0.99]},"series":[{"labelValues":["/chat"],\
            "value":{"bucketCounts":[],"count":2,"created":1796068866.9980917,"quantiles":[0.2,0.5],\
            "sum":0.7,"value":0,"window":{"sketches":[{"negative":[],"positive":[-80,1,-35,1],\
            "start":1796068866.9980917,"zero":0}]}}}]}]},"version":2}
            """
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let checkpoints = CheckpointStore(directory: directory.path)
        try Data(text.utf8).write(to: URL(fileURLWithPath: checkpoints.path))
        let loaded = try checkpoints.load()
        #expect(loaded.version == 2)
        let metrics = try #require(loaded.metrics)
        let clock = Clock(1_796_068_870)
        let store = makeStore(clock)
        #expect(store.restore(metrics).isEmpty)
        let restored = store.families()
        #expect(restored[0].series.map { (series: SeriesSnapshot) in series.value.value } == [7])
        #expect(restored[0].series.first?.value.created == 1_796_068_866.697_255_6)
        #expect(restored[2].series.first?.value.bucketCounts == [1, 2, 2, 3])
        #expect(restored[2].series.first?.value.sum == 7.35)
        #expect(restored[3].series.first?.value.count == 2)
        #expect(restored[3].series.first?.value.quantiles?.count == 2)
        // Saved again in columns, the same state but for the quantiles (computed when read).
        try checkpoints.save(loaded)
        var families = metrics.families
        for family in families.indices {
            for series in families[family].series.indices { families[family].series[series].value.quantiles = nil }
        }
        #expect(
            try checkpoints.load().metrics
                == MetricStoreSnapshot(families: families, countedOffsets: metrics.countedOffsets)
        )
        #expect(try checkpoints.load().version == 3)
    }

    /// Without metric series the format is the one asked for (a previous release can read it);
    /// the text is handed over in pieces of about the size asked for.
    @Test func theFormatAndThePieces() throws {
        let empty = CheckpointState(version: 1, metrics: MetricStoreSnapshot())
        let text = String(decoding: try CheckpointStore.encode(empty), as: UTF8.self)
        #expect(text == #"{"files":[],"metrics":{"countedOffsets":[],"families":[]},"version":1}"#)

        let clock = Clock(1_764_531_234)
        let store = makeStore(clock)
        store.apply((0..<80).map { update("requests_total", ["GET", "/path/\($0)"], .add(Double($0))) })
        let state = CheckpointState(version: 1, metrics: store.snapshot())
        var pieces: [[UInt8]] = []
        try CheckpointStore.encode(state, pieceSize: 512) { pieces.append($0) }
        #expect(pieces.count > 1)
        #expect(pieces.joined().elementsEqual(try CheckpointStore.encode(state)))
    }
}
