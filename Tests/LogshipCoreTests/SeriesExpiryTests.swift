import LogshipCore
import Synchronization
import Testing

/// `expire_after`: a series idle for that long is removed; one updated in time stays; without
/// the setting nothing expires. Driven by the store's injected clock.
struct SeriesExpiryTests {
    @Test func idleSeriesAreRemovedAndBusyOnesStay() {
        let clock = Mutex<Double>(1_000)
        let store = MetricStore(now: { clock.withLock { $0 } })
        var connections = MetricFamily(name: "connections", help: "", kind: .gauge, labelNames: ["host"])
        connections.expireAfter = 600
        store.register(connections)
        store.register(MetricFamily(name: "requests_total", help: "", kind: .counter, labelNames: ["host"]))
        func update(_ host: String) {
            store.apply([
                MetricUpdate(family: "connections", labelValues: [host], operation: .set(1)),
                MetricUpdate(family: "requests_total", labelValues: [host], operation: .add(1)),
            ])
        }
        update("a")
        update("b")
        clock.withLock { $0 += 500 }
        update("b")
        clock.withLock { $0 += 200 }  // a idle for 700 s, b for 200 s
        let families = Dictionary(uniqueKeysWithValues: store.families().map { ($0.family.name, $0.series) })
        #expect(families["connections"]?.map(\.labelValues) == [["b"]])
        #expect(families["requests_total"]?.map(\.labelValues) == [["a"], ["b"]], "no expiry without the setting")
        // A series that comes back starts again.
        update("a")
        #expect(store.families()[0].series.map(\.labelValues) == [["a"], ["b"]])
    }

    @Test func restoredSeriesWithoutAnUpdateTimeStartTheirIdleTimeThen() {
        let clock = Mutex<Double>(1_000)
        var family = MetricFamily(name: "connections", help: "", kind: .gauge)
        let old = MetricStore(now: { clock.withLock { $0 } })
        old.register(family)
        old.apply([MetricUpdate(family: "connections", labelValues: [], operation: .set(3))])
        family.expireAfter = 600
        let store = MetricStore(now: { clock.withLock { $0 } })
        store.register(family)
        store.restore(old.snapshot())
        clock.withLock { $0 += 10_000 }
        #expect(store.families()[0].series.count == 1, "idle from the first read after the restore")
        clock.withLock { $0 += 601 }
        #expect(store.families()[0].series.isEmpty)
    }
}
