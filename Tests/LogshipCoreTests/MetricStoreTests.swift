import LogshipCore
import Testing

struct MetricStoreTests {
    let requests = MetricFamily(name: "requests_total", help: "Requests.", kind: .counter, labelNames: ["endpoint"])
    let duration = MetricFamily(
        name: "duration_seconds",
        help: "Duration.",
        kind: .histogram,
        labelNames: [],
        buckets: [0.1, 0.5, 1]
    )
    let key = FileKey(device: 2, inode: 3)

    func source(_ end: Int64) -> EventSource {
        EventSource(fileKey: key, startOffset: end - 1, endOffset: end)
    }

    func makeStore(limit: Int = 100) -> MetricStore {
        let store = MetricStore(maximumSeriesPerFamily: limit)
        store.register(requests)
        store.register(duration)
        return store
    }

    /// Runs of adds to one counter series are applied as one (`PendingAdd`): the events already
    /// counted are still skipped one by one, overflow counts every update, and another family's
    /// updates in between change nothing.
    @Test func mergedCounterRunsKeepTheCountedOffsetsAndTheOverflowCounts() {
        let store = makeStore(limit: 1)
        store.apply([
            (source(1), [MetricUpdate(family: "requests_total", labelValues: ["/chat"], operation: .add(1))]),
            (source(2), [MetricUpdate(family: "requests_total", labelValues: ["/chat"], operation: .add(1))]),
        ])
        // Read again from offset 1 after a restart: the event ending at 2 was counted, the
        // next three were not; two of them go to the overflow series.
        store.apply([
            (source(2), [MetricUpdate(family: "requests_total", labelValues: ["/chat"], operation: .add(1))]),
            (
                source(3),
                [
                    MetricUpdate(family: "requests_total", labelValues: ["/chat"], operation: .add(1)),
                    MetricUpdate(family: "duration_seconds", labelValues: [], operation: .observe(0.2)),
                ]
            ),
            (source(4), [MetricUpdate(family: "requests_total", labelValues: ["/api"], operation: .add(1))]),
            (source(5), [MetricUpdate(family: "requests_total", labelValues: ["/api"], operation: .add(2))]),
            (source(6), [MetricUpdate(family: "requests_total", labelValues: ["/chat"], operation: .add(1))]),
        ])
        let series = store.families()[0].series
        #expect(series.map(\.labelValues) == [["/chat"], [MetricStore.overflowLabelValue]])
        #expect(series.map(\.value.value) == [4, 3])
        #expect(store.overflowCounts().map(\.count) == [2])
        #expect(store.families()[1].series.first?.value.count == 1)
    }

    @Test func countersAndHistogramsAccumulate() throws {
        let store = makeStore()
        store.apply([
            MetricUpdate(family: "requests_total", labelValues: ["/chat"], operation: .add(1)),
            MetricUpdate(family: "requests_total", labelValues: ["/chat"], operation: .add(2)),
            MetricUpdate(family: "requests_total", labelValues: ["/health"], operation: .add(1)),
            MetricUpdate(family: "duration_seconds", labelValues: [], operation: .observe(0.05)),
            MetricUpdate(family: "duration_seconds", labelValues: [], operation: .observe(0.7)),
            MetricUpdate(family: "duration_seconds", labelValues: [], operation: .observe(3)),
        ])
        let families = store.families()
        #expect(families.map(\.family.name) == ["requests_total", "duration_seconds"])
        #expect(families[0].series.map(\.labelValues) == [["/chat"], ["/health"]])
        #expect(families[0].series.map(\.value.value) == [3, 1])
        let histogram = try #require(families[1].series.first?.value)
        #expect(histogram.bucketCounts == [1, 1, 2, 3])
        #expect(histogram.count == 3)
        #expect(abs(histogram.sum - 3.75) < 1e-9)
    }

    /// Thousands of series: the index grows many times and every series is found again.
    @Test func findsEverySeriesAgainAsTheIndexGrows() {
        let store = makeStore(limit: 5000)
        let endpoints = (0..<3000).map { "/endpoint/\($0)" }
        for round in 1...3 {
            store.apply(
                endpoints.map {
                    MetricUpdate(family: "requests_total", labelValues: [$0], operation: .add(Double(round)))
                }
            )
        }
        let series = store.families()[0].series
        #expect(series.count == 3000)
        #expect(series.allSatisfy { $0.value.value == 6 })
        #expect(Set(series.map(\.labelValues)) == Set(endpoints.map { [$0] }))
    }

    @Test func staysSortedAsSeriesArriveBetweenScrapes() {
        let store = makeStore()
        var expected: [String] = []
        for endpoint in ["/m", "/c", "/x", "/a", "/c", "/b"] {
            store.apply([MetricUpdate(family: "requests_total", labelValues: [endpoint], operation: .add(1))])
            if !expected.contains(endpoint) { expected.append(endpoint) }
            #expect(store.families()[0].series.map { $0.labelValues[0] } == expected.sorted())
        }
        #expect(store.families()[0].series.map(\.value.value) == [1, 1, 2, 1, 1])
    }

    @Test func invalidUpdatesAreDroppedAndCounted() {
        let store = makeStore()
        store.apply([
            MetricUpdate(family: "unknown_total", labelValues: [], operation: .add(1)),
            MetricUpdate(family: "requests_total", labelValues: [], operation: .add(1)),
            MetricUpdate(family: "requests_total", labelValues: ["/x"], operation: .add(-1)),
            MetricUpdate(family: "requests_total", labelValues: ["/x"], operation: .observe(1)),
        ])
        #expect(store.droppedUpdates == 4)
        #expect(store.seriesCount == 0)
    }

    /// New label sets beyond the limit go to one overflow series, counted: the family's total
    /// stays exact. After a restart with a lower limit, the series beyond it join the overflow
    /// series, their counts kept.
    @Test func seriesBeyondTheLimitGoToTheOverflowSeries() {
        let store = makeStore(limit: 2)
        for endpoint in ["/a", "/b", "/c", "/a", "/d", "/c"] {
            store.apply([MetricUpdate(family: "requests_total", labelValues: [endpoint], operation: .add(1))])
        }
        let series = store.families()[0].series
        #expect(series.map(\.labelValues) == [["/a"], ["/b"], ["__overflow__"]])
        #expect(series.map(\.value.value) == [2, 1, 3])
        #expect(store.droppedUpdates == 0)
        #expect(store.overflowCounts().map(\.family) == ["requests_total"])
        #expect(store.overflowCounts().map(\.count) == [3])

        // A family's own limit wins over the store's.
        let own = MetricStore(maximumSeriesPerFamily: 100)
        var limited = requests
        limited.maximumSeries = 1
        own.register(limited)
        for endpoint in ["/a", "/b", "/c"] {
            own.apply([MetricUpdate(family: "requests_total", labelValues: [endpoint], operation: .add(1))])
        }
        #expect(own.families()[0].series.map(\.labelValues) == [["/a"], ["__overflow__"]])

        let smaller = MetricStore(maximumSeriesPerFamily: 1)
        smaller.register(requests)
        smaller.restore(store.snapshot())
        let restored = smaller.families()[0].series
        #expect(restored.map(\.labelValues) == [["/a"], ["__overflow__"]])
        #expect(restored.map(\.value.value).reduce(0, +) == 6)
    }

    /// A label explosion: 200,000 distinct endpoints against a limit of 1,000 series. The family
    /// holds 1,001 series (the limit and the overflow series), and its total is every update.
    @Test func aLabelExplosionIsBoundedAndItsTotalExact() {
        let store = makeStore(limit: 1_000)
        var batch = MetricUpdateBatch()
        var sources: [EventSource?] = []
        for index in 0..<200_000 {
            batch.append(
                MetricUpdate(family: "requests_total", labelValues: ["/endpoint/\(index)"], operation: .add(1)),
                event: index
            )
            sources.append(source(Int64(index + 1)))
        }
        store.apply(batch, sources: sources)
        let series = store.families()[0].series
        #expect(series.count == 1_001)
        #expect(series.reduce(0) { $0 + $1.value.value } == 200_000)
        #expect(store.overflowCounts().first?.count == 199_000)
    }

    /// A state set: a state that holds (not 0) sets the others with the same other labels to 0;
    /// a state set to 0 leaves the others alone.
    @Test func aStateSetHoldsOneStateAtATime() {
        let store = MetricStore()
        store.register(MetricFamily(name: "healthy", help: "", kind: .gauge, labelNames: ["service", "status"]))
        func set(_ service: String, _ status: String, _ value: Double) {
            store.apply([
                MetricUpdate(family: "healthy", labelValues: [service, status], operation: .setState(value, label: 1))
            ])
        }
        set("hub", "active", 1)
        set("lyrixa", "active", 1)
        set("hub", "degraded", 1)
        set("hub", "stopped", 0)
        let values = Dictionary(
            uniqueKeysWithValues: store.families()[0].series.map {
                ($0.labelValues.joined(separator: "/"), $0.value.value)
            }
        )
        #expect(values == ["hub/active": 0, "hub/degraded": 1, "hub/stopped": 0, "lyrixa/active": 1])

        // Dropping the other states: only what holds now is there, and the index still finds it.
        let dropping = MetricStore()
        dropping.register(MetricFamily(name: "healthy", help: "", kind: .gauge, labelNames: ["service", "status"]))
        func drop(_ service: String, _ status: String, _ value: Double) {
            dropping.apply([
                MetricUpdate(
                    family: "healthy",
                    labelValues: [service, status],
                    operation: .setState(value, label: 1, dropsOthers: true)
                )
            ])
        }
        drop("hub", "active", 1)
        drop("lyrixa", "active", 1)
        drop("hub", "degraded", 1)
        drop("lyrixa", "active", 0)
        drop("hub", "degraded", 1)
        #expect(dropping.families()[0].series.map(\.labelValues) == [["hub", "degraded"]])
        #expect(dropping.families()[0].series.map(\.value.value) == [1])
    }

    @Test func eventsReadAgainAreNotCountedTwice() {
        let store = makeStore()
        let update = MetricUpdate(family: "requests_total", labelValues: ["/chat"], operation: .add(1))
        store.apply([(source(10), [update]), (source(20), [update])])
        // A restart re-reads from an older checkpoint: the first two are already counted.
        let restored = makeStore()
        restored.restore(store.snapshot())
        restored.apply([(source(10), [update]), (source(20), [update]), (source(30), [update])])
        #expect(restored.families()[0].series.first?.value.value == 3)
        // A truncated file is counted afresh.
        restored.resetCountedOffset(of: key)
        restored.apply([(source(10), [update])])
        #expect(restored.families()[0].series.first?.value.value == 4)
    }

    @Test func restoreSkipsFamiliesWhoseDefinitionChanged() {
        let store = makeStore()
        store.apply([MetricUpdate(family: "requests_total", labelValues: ["/chat"], operation: .add(5))])
        let changed = MetricStore()
        changed.register(MetricFamily(name: "requests_total", help: "", kind: .counter, labelNames: ["method"]))
        changed.restore(store.snapshot())
        #expect(changed.seriesCount == 0)
    }

    /// Two families saved, one redefined (kind, labels or buckets): the redefined one is dropped
    /// and reported with why, the other keeps its values; a family no longer declared is
    /// reported too.
    @Test(arguments: [
        (
            MetricFamily(name: "duration_seconds", help: "", kind: .summary),
            DroppedMetricState.Reason.kindChanged(saved: .histogram, declared: .summary),
            "its type changed from histogram to summary"
        ),
        (
            MetricFamily(name: "duration_seconds", help: "", kind: .histogram, labelNames: ["endpoint"]),
            .labelsChanged(saved: [], declared: ["endpoint"]),
            "its labels changed from [] to [endpoint]"
        ),
        (
            MetricFamily(name: "duration_seconds", help: "", kind: .histogram, buckets: [0.1, 1]),
            .bucketsChanged(saved: [0.1, 0.5, 1], declared: [0.1, 1]),
            "its buckets changed from [0.1, 0.5, 1.0] to [0.1, 1.0]"
        ),
    ])
    func aRedefinedFamilyIsDroppedAndReportedTheOthersKeepTheirValues(
        redefined: MetricFamily,
        reason: DroppedMetricState.Reason,
        text: String
    ) throws {
        let store = makeStore()
        store.apply([
            MetricUpdate(family: "requests_total", labelValues: ["/chat"], operation: .add(5)),
            MetricUpdate(family: "requests_total", labelValues: ["/health"], operation: .add(2)),
            MetricUpdate(family: "duration_seconds", labelValues: [], operation: .observe(0.3)),
        ])
        let restarted = MetricStore()
        restarted.register(requests)
        restarted.register(redefined)
        let dropped = restarted.restore(store.snapshot())
        #expect(dropped == [DroppedMetricState(family: "duration_seconds", seriesCount: 1, reason: reason)])
        #expect(
            dropped.first?.description == "metric 'duration_seconds': dropped the saved state of its 1 series: \(text)"
        )
        let families = restarted.families()
        #expect(families[0].series.map(\.labelValues) == [["/chat"], ["/health"]])
        #expect(families[0].series.map(\.value.value) == [5, 2])
        #expect(families[1].series.isEmpty)

        // Not declared any more.
        let without = MetricStore()
        without.register(requests)
        #expect(
            without.restore(store.snapshot()) == [
                DroppedMetricState(family: "duration_seconds", seriesCount: 1, reason: .notDeclared)
            ]
        )
        #expect(without.families()[0].series.map(\.value.value) == [5, 2])
    }

    /// A summary's quantiles, window and age buckets are not part of what its saved state means:
    /// it is kept when they change.
    @Test func aSummaryKeepsItsWindowWhenItsQuantilesOrMaxAgeChange() {
        let store = MetricStore(now: { 1_000 })
        store.register(MetricFamily(name: "latency", help: "", kind: .summary))
        store.apply([MetricUpdate(family: "latency", labelValues: [], operation: .observe(0.25))])
        let restarted = MetricStore(now: { 1_010 })
        restarted.register(
            MetricFamily(name: "latency", help: "", kind: .summary, quantiles: [0.9], maxAge: 60, ageBuckets: 2)
        )
        #expect(restarted.restore(store.snapshot()).isEmpty)
        let value = restarted.families()[0].series.first?.value
        #expect(value?.count == 1)
        #expect(value?.quantiles?.count == 1)
        #expect(abs((value?.quantiles?.first ?? 0) - 0.25) <= 0.25 * QuantileWindow.relativeAccuracy)
    }

    /// A snapshot shares the store's series (taken under the lock without copying them): the
    /// store's later updates, new series and removals do not change it.
    @Test func aSnapshotKeepsTheValuesItWasTakenWith() {
        let store = makeStore()
        let states = MetricFamily(name: "state", help: "", kind: .gauge, labelNames: ["service", "status"])
        store.register(states)
        func setState(_ status: String) {
            store.apply([
                MetricUpdate(
                    family: "state",
                    labelValues: ["hub", status],
                    operation: .setState(1, label: 1, dropsOthers: true)
                )
            ])
        }
        store.apply([
            MetricUpdate(family: "requests_total", labelValues: ["/chat"], operation: .add(1)),
            MetricUpdate(family: "duration_seconds", labelValues: [], operation: .observe(0.3)),
        ])
        setState("active")
        let snapshot = store.snapshot()
        store.apply([
            MetricUpdate(family: "requests_total", labelValues: ["/chat"], operation: .add(1)),
            MetricUpdate(family: "requests_total", labelValues: ["/new"], operation: .add(1)),
            MetricUpdate(family: "duration_seconds", labelValues: [], operation: .observe(3)),
        ])
        setState("stopped")
        let families = snapshot.families
        #expect(families.map(\.family.name) == ["requests_total", "duration_seconds", "state"])
        #expect(families[0].series.map(\.labelValues) == [["/chat"]])
        #expect(families[0].series.map(\.value.value) == [1])
        #expect(families[1].series.first?.value.bucketCounts == [0, 1, 1, 1])
        #expect(families[2].series.map(\.labelValues) == [["hub", "active"]])
        #expect(store.families()[0].series.map(\.value.value) == [2, 1])
        #expect(store.families()[2].series.map(\.labelValues) == [["hub", "stopped"]])
    }

    /// `created` is the store's clock at the series' first update, to the millisecond.
    @Test func createdIsKeptToTheMillisecond() {
        let store = MetricStore(now: { 1_764_531_234.567_891 })
        store.register(requests)
        store.apply([MetricUpdate(family: "requests_total", labelValues: ["/chat"], operation: .add(1))])
        #expect(store.families()[0].series.first?.value.created == 1_764_531_234.568)
    }
}
