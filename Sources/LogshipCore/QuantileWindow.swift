import Glibc

/// The observations of a summary series over a sliding window of time, for quantiles.
///
/// The window is kept as `ageBuckets` sketches, each covering `maxAge / ageBuckets` of time in
/// turn; a quantile merges the sketches started within the last `maxAge`, so it covers between
/// `maxAge - maxAge / ageBuckets` and `maxAge` of observations (as the Prometheus clients' age
/// buckets do). Each sketch counts observations in logarithmic buckets (DDSketch's scheme): a
/// quantile is within `relativeAccuracy` (1%) of the value of that rank among the observations,
/// in memory that grows with the logarithm of the range of values, not with their number (about
/// 700 buckets cover 1 µs to 1 hour).
package struct QuantileWindow: Sendable, Codable, Equatable {
    /// The relative error bound of a quantile.
    package static let relativeAccuracy = 0.01
    private static let gamma = (1 + relativeAccuracy) / (1 - relativeAccuracy)
    private static let logGamma = log(gamma)
    /// Values closer to 0 than this count as 0.
    private static let smallest = 1e-12

    /// Observations made from `start` (seconds since 1970) for one age bucket's time.
    struct Sketch: Sendable, Codable, Equatable {
        var start: Double
        var positive: [Int32: UInt64] = [:]
        var negative: [Int32: UInt64] = [:]
        var zero: UInt64 = 0

        init(start: Double) { self.start = start }

        var count: UInt64 { positive.values.reduce(zero, +) + negative.values.reduce(0, +) }
    }

    /// Oldest first.
    private(set) var sketches: [Sketch] = []

    package init() {}

    /// Records `value` observed at `now` (seconds since 1970).
    package mutating func observe(_ value: Double, at now: Double, maxAge: Double, ageBuckets: Int) {
        sketches.removeAll { $0.start <= now - maxAge || $0.start > now }
        let span = maxAge / Double(max(1, ageBuckets))
        if sketches.last.map({ now >= $0.start + span }) ?? true {
            // Started at the millisecond (never after `now`): the checkpoint writes it in a few
            // digits (see `JSONWriter.writeNumber`).
            sketches.append(Sketch(start: min(now, (now * 1000).rounded(.down) / 1000)))
        }
        let last = sketches.count - 1
        if abs(value) < Self.smallest {
            sketches[last].zero += 1
        } else if value > 0 {
            sketches[last].positive[Self.index(of: value), default: 0] += 1
        } else {
            sketches[last].negative[Self.index(of: -value), default: 0] += 1
        }
    }

    /// The `quantiles` (each in 0...1, by nearest rank) of the observations of the last `maxAge` before `now`;
    /// NaN for each when there were none, as the Prometheus clients give.
    package func quantiles(_ quantiles: [Double], at now: Double, maxAge: Double) -> [Double] {
        var positive: [Int32: UInt64] = [:]
        var negative: [Int32: UInt64] = [:]
        var zero: UInt64 = 0
        for sketch in sketches where sketch.start > now - maxAge && sketch.start <= now {
            positive.merge(sketch.positive, uniquingKeysWith: +)
            negative.merge(sketch.negative, uniquingKeysWith: +)
            zero += sketch.zero
        }
        // In value order: negatives from the largest magnitude, zero, positives.
        let ordered: [(value: Double, count: UInt64)] =
            negative.sorted { $0.key > $1.key }.map { (-Self.value(of: $0.key), $0.value) }
            + (zero > 0 ? [(0, zero)] : [])
            + positive.sorted { $0.key < $1.key }.map { (Self.value(of: $0.key), $0.value) }
        let total = ordered.reduce(0) { $0 + $1.count }
        guard total > 0 else { return quantiles.map { _ in .nan } }
        return quantiles.map { quantile in
            // Nearest rank: the smallest observation with at least that share of them at or
            // below it.
            let rank = UInt64(max(0, (min(1, max(0, quantile)) * Double(total)).rounded(.up) - 1))
            var seen: UInt64 = 0
            for bucket in ordered {
                seen += bucket.count
                if seen > rank { return bucket.value }
            }
            return ordered.last!.value
        }
    }

    /// The bucket of a positive value: values in (γ^(i-1), γ^i] share bucket i.
    private static func index(of value: Double) -> Int32 {
        Int32(clamping: Int((log(value) / logGamma).rounded(.up)))
    }

    /// The value a bucket stands for: within `relativeAccuracy` of every value in it.
    private static func value(of index: Int32) -> Double {
        2 * pow(gamma, Double(index)) / (gamma + 1)
    }
}
