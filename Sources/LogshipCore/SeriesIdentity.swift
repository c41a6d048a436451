/// Who a series of the metric store is: its label values as strings (for exposition) and as
/// bytes (for lookups, and the checkpoint's text), with the hash of the bytes. Set when the series
/// is made and never changed, so that snapshots share it.
struct SeriesIdentity: Sendable {
    /// The label values laid out as `MetricUpdateBatch` lays them out: each value's UTF-8
    /// followed by 0xFF (a byte UTF-8 never has).
    var key: [UInt8]
    var labelValues: [String]
    /// `MetricUpdateBatch.hash` of `key`.
    var hash: UInt64

    init(key: [UInt8], labelValues: [String], hash: UInt64) {
        self.key = key
        self.labelValues = labelValues
        self.hash = hash
    }

    /// The identity of a series with `labelValues`.
    init(labelValues: [String]) {
        let key = Self.key(of: labelValues)
        self.init(key: key.bytes, labelValues: labelValues, hash: key.hash)
    }

    /// The lookup key of a series with `labelValues` and its hash.
    static func key(of labelValues: [String]) -> (bytes: [UInt8], hash: UInt64) {
        var bytes: [UInt8] = []
        for value in labelValues {
            bytes.append(contentsOf: value.utf8)
            bytes.append(0xFF)
        }
        return (bytes, bytes.withUnsafeBufferPointer { MetricUpdateBatch.hash($0) })
    }
}
