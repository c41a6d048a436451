/// A histogram of logship's own measurements (request latencies, batch sizes): fixed bounds,
/// cumulative bucket counts as `SeriesValue` keeps them (one per bound, then `+Inf`), sum and
/// count. A plain value: the owner keeps it under its own lock.
package struct ObservedHistogram: Sendable, Equatable {
    /// The upper bounds, increasing.
    package let bounds: [Double]
    /// Observations at or below each bound, then all of them.
    package private(set) var cumulativeCounts: [UInt64]
    package private(set) var sum: Double = 0
    package private(set) var count: UInt64 = 0

    package init(bounds: [Double]) {
        self.bounds = bounds
        self.cumulativeCounts = Array(repeating: 0, count: bounds.count + 1)
    }

    package mutating func observe(_ value: Double) {
        for index in bounds.indices where value <= bounds[index] { cumulativeCounts[index] += 1 }
        cumulativeCounts[bounds.count] += 1
        sum += value
        count += 1
    }

    /// As a series value of a histogram family with these `bounds` as its buckets.
    package var seriesValue: SeriesValue {
        SeriesValue(bucketCounts: cumulativeCounts, sum: sum, count: count)
    }
}
