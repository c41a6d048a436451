import Foundation
import LogshipCore
import Synchronization
import Testing

/// Quantiles within the stated relative error, over a window that slides with the given time.
struct QuantileWindowTests {
    @Test func quantilesAreWithinTheRelativeErrorBound() {
        var window = QuantileWindow()
        // 1 ms to 10 s, evenly in logarithm, plus zeros and negatives.
        var values: [Double] = (0..<10_000).map { 0.001 * pow(10_000, Double($0) / 9_999) }
        values += [0, 0, -0.5, -2]
        for value in values { window.observe(value, at: 1_000, maxAge: 600, ageBuckets: 5) }
        let sorted = values.sorted()
        let quantiles = [0, 0.01, 0.5, 0.9, 0.95, 0.99, 1]
        let answers = window.quantiles(quantiles, at: 1_000, maxAge: 600)
        for (quantile, answer) in zip(quantiles, answers) {
            let exact = sorted[max(0, Int((quantile * Double(sorted.count)).rounded(.up)) - 1)]
            #expect(abs(answer - exact) <= abs(exact) * QuantileWindow.relativeAccuracy, "q\(quantile)")
        }
    }

    @Test func theWindowSlidesByAgeBucket() {
        var window = QuantileWindow()
        // 600 s in 5 buckets of 120 s: a value observed at 0 counts until a bucket started at
        // or after 600 - 120 would be the oldest one.
        window.observe(10, at: 0, maxAge: 600, ageBuckets: 5)
        window.observe(1, at: 300, maxAge: 600, ageBuckets: 5)
        #expect(window.quantiles([1], at: 300, maxAge: 600)[0] > 9)
        #expect(window.quantiles([1], at: 599, maxAge: 600)[0] > 9)
        // At 600 the first bucket (started at 0) is out of the window.
        let later = window.quantiles([1], at: 600, maxAge: 600)[0]
        #expect(abs(later - 1) <= QuantileWindow.relativeAccuracy)
        #expect(window.quantiles([0.5], at: 1_000, maxAge: 600)[0].isNaN)
    }
}

/// A summary in the store: `_sum` and `_count` of every observation, quantiles of the window at
/// the store's clock.
struct SummaryStoreTests {
    @Test func aSummaryServesQuantilesOfItsWindow() {
        let clock = Mutex<Double>(1_000)
        let store = MetricStore(now: { clock.withLock { $0 } })
        store.register(MetricFamily(name: "response_time", help: "", kind: .summary, maxAge: 60, ageBuckets: 2))
        for value in [0.1, 0.2, 0.3] {
            store.apply([MetricUpdate(family: "response_time", labelValues: [], operation: .observe(value))])
        }
        var series = store.families()[0].series[0].value
        #expect(series.count == 3)
        #expect(abs(series.sum - 0.6) < 1e-12)
        #expect(abs((series.quantiles?[0] ?? 0) - 0.2) <= 0.2 * QuantileWindow.relativeAccuracy)
        clock.withLock { $0 += 61 }
        series = store.families()[0].series[0].value
        #expect(series.count == 3)
        #expect(series.quantiles?.allSatisfy(\.isNaN) == true)
        // Saved and restored with the checkpoints.
        let restored = MetricStore(now: { clock.withLock { $0 } })
        restored.register(store.families()[0].family)
        restored.restore(store.snapshot())
        #expect(restored.families()[0].series[0].value.count == 3)
    }
}
