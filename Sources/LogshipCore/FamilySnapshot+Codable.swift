/// A family's series are saved in columns: `labelValues` (one array per series), then one array
/// per part of the value the family's kind uses, each with one entry per series:
///
/// - counter, gauge: `values`
/// - histogram: `bucketCounts` (one array per series, cumulative, `+Inf` last), `sums`, `counts`
/// - summary: `sums`, `counts`, `windows` (`QuantileWindow`, or `null`)
///
/// and when each series was made, for every kind: `createdMillisecondDeltas` when every series
/// has a `created` that is a whole number of milliseconds (as the store makes them), each the
/// difference in milliseconds from the series before (the first from 1970), mostly a digit or
/// two; otherwise `created`, in seconds (`null` for a series saved by a release before it).
/// Parts a kind
/// does not use are 0 or empty in every series of it (the store never sets them) and are not
/// saved; a summary's quantiles are not saved either (they are computed from the window when
/// read). Checkpoints before format 3 saved a `series` array of `SeriesSnapshot`s instead; it is
/// still read.
extension FamilySnapshot: Codable {
    enum CodingKeys: String, CodingKey {
        case bucketCounts
        case counts
        case created
        case createdMillisecondDeltas
        case family
        case labelValues
        case series
        case sums
        case values
        case windows
    }

    /// The columns a family of `kind` saves, besides `labelValues` and when series were made.
    static func columns(of kind: MetricKind) -> [CodingKeys] {
        switch kind {
        case .counter, .gauge: [.values]
        case .histogram: [.bucketCounts, .counts, .sums]
        case .summary: [.counts, .sums, .windows]
        }
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let family = try container.decode(MetricFamily.self, forKey: .family)
        if container.contains(.series) {
            self.init(family: family, series: try container.decode([SeriesSnapshot].self, forKey: .series))
            return
        }
        let labelValues = try container.decode([[String]].self, forKey: .labelValues)
        func column<Element: Decodable>(_ key: CodingKeys, _: Element.Type) throws -> [Element]? {
            guard let column = try container.decodeIfPresent([Element].self, forKey: key) else { return nil }
            guard column.count == labelValues.count else {
                throw DecodingError.dataCorruptedError(
                    forKey: key,
                    in: container,
                    debugDescription: "\(column.count) entries for \(labelValues.count) series"
                )
            }
            return column
        }
        let values = try column(.values, Double.self)
        let bucketCounts = try column(.bucketCounts, [UInt64].self)
        let sums = try column(.sums, Double.self)
        let counts = try column(.counts, UInt64.self)
        let windows = try column(.windows, QuantileWindow?.self)
        var created = try column(.created, Double?.self)
        if let deltas = try column(.createdMillisecondDeltas, Int64.self) {
            var milliseconds: Int64 = 0
            created = deltas.map { delta in
                milliseconds &+= delta
                return Double(milliseconds) / 1000
            }
        }
        let series = labelValues.indices.map { index in
            var value = SeriesValue(
                value: values?[index] ?? 0,
                bucketCounts: bucketCounts?[index] ?? [],
                sum: sums?[index] ?? 0,
                count: counts?[index] ?? 0
            )
            value.window = windows?[index] ?? nil
            value.created = created?[index] ?? nil
            return SeriesSnapshot(labelValues: labelValues[index], value: value)
        }
        self.init(family: family, series: series)
    }

    /// The columns `MetricStoreSnapshot.writeJSON(into:)` writes, through an `Encoder`.
    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(family, forKey: .family)
        try container.encode(series.map(\.labelValues), forKey: .labelValues)
        for column in Self.columns(of: family.kind) {
            switch column {
            case .values: try container.encode(series.map(\.value.value), forKey: column)
            case .bucketCounts: try container.encode(series.map(\.value.bucketCounts), forKey: column)
            case .sums: try container.encode(series.map(\.value.sum), forKey: column)
            case .counts: try container.encode(series.map(\.value.count), forKey: column)
            case .windows: try container.encode(series.map(\.value.window), forKey: column)
            default: break
            }
        }
        if let deltas = Self.createdMillisecondDeltas(series.map(\.value)) {
            try container.encode(deltas, forKey: .createdMillisecondDeltas)
        } else {
            try container.encode(series.map(\.value.created), forKey: .created)
        }
    }
}

extension FamilySnapshot {
    /// The milliseconds since 1970 of `created` (seconds), when it is exactly that many
    /// milliseconds (the double nearest to it, which reading it back gives).
    @inline(__always)
    static func createdMilliseconds(_ created: Double?) -> Int64? {
        guard let created, created.magnitude < 9_007_199_254_740.992 else { return nil }
        let milliseconds = (created * 1000).rounded()
        return milliseconds / 1000 == created ? Int64(milliseconds) : nil
    }

    /// The `createdMillisecondDeltas` column of `values`; `nil` when one of them has no
    /// `created`, or one that is not a whole number of milliseconds.
    static func createdMillisecondDeltas(_ values: some Collection<SeriesValue>) -> [Int64]? {
        var deltas: [Int64] = []
        deltas.reserveCapacity(values.count)
        var previous: Int64 = 0
        for value in values {
            guard let milliseconds = createdMilliseconds(value.created) else { return nil }
            deltas.append(milliseconds &- previous)
            previous = milliseconds
        }
        return deltas
    }
}
