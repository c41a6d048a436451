/// Saved state of one metric family that `MetricStore.restore(_:)` did not take, and why: the
/// runtime logs it as a warning at startup. The family starts again from no series.
package struct DroppedMetricState: Sendable, Equatable, CustomStringConvertible {
    /// Why the saved series no longer fit the family as declared now.
    package enum Reason: Sendable, Equatable {
        /// The family is no longer declared.
        case notDeclared
        /// Its type changed (`counter`, `gauge`, `histogram`, `summary`).
        case kindChanged(saved: MetricKind, declared: MetricKind)
        /// Its label names changed, their order included.
        case labelsChanged(saved: [String], declared: [String])
        /// A histogram's bucket bounds changed.
        case bucketsChanged(saved: [Double], declared: [Double])

        /// Why the series of `saved` do not fit `declared` (same name); `nil` when they do. The
        /// first difference in the order above: a changed kind is reported as such, whatever
        /// else changed with it.
        init?(saved: MetricFamily, declared: MetricFamily) {
            if saved.kind != declared.kind {
                self = .kindChanged(saved: saved.kind, declared: declared.kind)
            } else if saved.labelNames != declared.labelNames {
                self = .labelsChanged(saved: saved.labelNames, declared: declared.labelNames)
            } else if saved.buckets != declared.buckets {
                self = .bucketsChanged(saved: saved.buckets, declared: declared.buckets)
            } else {
                return nil
            }
        }
    }

    /// The family's name.
    package var family: String
    /// How many series were saved for it.
    package var seriesCount: Int
    package var reason: Reason

    package init(family: String, seriesCount: Int, reason: Reason) {
        self.family = family
        self.seriesCount = seriesCount
        self.reason = reason
    }

    /// `metric 'requests_total': dropped the saved state of its 3 series: its labels changed
    /// from [endpoint] to [method]`.
    package var description: String {
        let why =
            switch reason {
            case .notDeclared: "it is no longer declared"
            case .kindChanged(let saved, let declared):
                "its type changed from \(saved.rawValue) to \(declared.rawValue)"
            case .labelsChanged(let saved, let declared):
                "its labels changed from \(Self.list(saved)) to \(Self.list(declared))"
            case .bucketsChanged(let saved, let declared):
                "its buckets changed from \(Self.list(saved.map { "\($0)" })) to \(Self.list(declared.map { "\($0)" }))"
            }
        return "metric '\(family)': dropped the saved state of its \(seriesCount) series: \(why)"
    }

    private static func list(_ items: [String]) -> String {
        "[" + items.joined(separator: ", ") + "]"
    }
}
