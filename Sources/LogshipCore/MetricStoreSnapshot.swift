/// The persisted form of a metric store: its families' series and the counted offsets.
///
/// Made by `MetricStore.snapshot()`, it holds the store's arrays by reference (no series is
/// copied under the store's lock) until `families` is read or it is written with
/// `writeJSON(into:)`, which reads them in place. Decoded from a checkpoint, it holds
/// `FamilySnapshot`s.
package struct MetricStoreSnapshot: Sendable, Equatable {
    package struct CountedOffset: Sendable, Codable, Equatable {
        package var fileKey: FileKey
        package var offset: Int64

        package init(fileKey: FileKey, offset: Int64) {
            self.fileKey = fileKey
            self.offset = offset
        }
    }

    /// One family's series as the store held them: identities and values at the same positions.
    struct CapturedFamily: Sendable {
        var family: MetricFamily
        var identities: [SeriesIdentity]
        var values: [SeriesValue]
    }

    private enum Storage: Sendable {
        case captured([CapturedFamily])
        case families([FamilySnapshot])
    }

    private var storage: Storage
    package var countedOffsets: [CountedOffset]

    package init(families: [FamilySnapshot] = [], countedOffsets: [CountedOffset] = []) {
        self.storage = .families(families)
        self.countedOffsets = countedOffsets
    }

    init(captured: [CapturedFamily], countedOffsets: [CountedOffset]) {
        self.storage = .captured(captured)
        self.countedOffsets = countedOffsets
    }

    /// Every family and its series (copied out of a captured store when read).
    package var families: [FamilySnapshot] {
        get {
            switch storage {
            case .families(let families):
                return families
            case .captured(let captured):
                return captured.map { family in
                    FamilySnapshot(
                        family: family.family,
                        series: zip(family.identities, family.values).map {
                            SeriesSnapshot(labelValues: $0.labelValues, value: $1)
                        }
                    )
                }
            }
        }
        set { storage = .families(newValue) }
    }

    /// The number of series over all families.
    package var seriesCount: Int {
        switch storage {
        case .families(let families): families.reduce(0) { $0 + $1.series.count }
        case .captured(let captured): captured.reduce(0) { $0 + $1.identities.count }
        }
    }

    /// Calls `body` with each family, its series' identities and values, and whether it is the
    /// first, without copying a captured store's series.
    func forEachFamily(
        _ body: (MetricFamily, UnsafeBufferPointer<SeriesIdentity>, UnsafeBufferPointer<SeriesValue>, Bool) throws ->
            Void
    ) rethrows {
        switch storage {
        case .families(let families):
            for (index, family) in families.enumerated() {
                let identities = family.series.map { SeriesIdentity(labelValues: $0.labelValues) }
                let values = family.series.map(\.value)
                try identities.withUnsafeBufferPointer { identities in
                    try values.withUnsafeBufferPointer { try body(family.family, identities, $0, index == 0) }
                }
            }
        case .captured(let captured):
            for (index, family) in captured.enumerated() {
                try family.identities.withUnsafeBufferPointer { identities in
                    try family.values.withUnsafeBufferPointer { try body(family.family, identities, $0, index == 0) }
                }
            }
        }
    }

    /// `forEachFamily(_:)`, letting go of each captured family's series once `body` returns:
    /// the snapshot holds no series after it.
    mutating func forEachFamilyLettingGo(
        _ body: (MetricFamily, UnsafeBufferPointer<SeriesIdentity>, UnsafeBufferPointer<SeriesValue>, Bool) throws ->
            Void
    ) rethrows {
        guard case .captured(var captured) = storage else { return try forEachFamily(body) }
        storage = .families([])  // `captured` now holds them alone
        for index in captured.indices {
            try captured[index].identities.withUnsafeBufferPointer { identities in
                try captured[index].values.withUnsafeBufferPointer {
                    try body(captured[index].family, identities, $0, index == 0)
                }
            }
            captured[index].identities = []
            captured[index].values = []
        }
    }

    package static func == (lhs: MetricStoreSnapshot, rhs: MetricStoreSnapshot) -> Bool {
        lhs.countedOffsets == rhs.countedOffsets && lhs.families == rhs.families
    }
}

extension MetricStoreSnapshot: Codable {
    private enum CodingKeys: String, CodingKey {
        case countedOffsets
        case families
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            families: try container.decode([FamilySnapshot].self, forKey: .families),
            countedOffsets: try container.decode([CountedOffset].self, forKey: .countedOffsets)
        )
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(countedOffsets, forKey: .countedOffsets)
        try container.encode(families, forKey: .families)
    }
}
