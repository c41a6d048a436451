package import LogshipCore

/// `filter`: drops the events that match `drop`, or those that do not match `keep` (exactly one
/// of the two), as Filebeat's `drop_event` and Vector's `filter` do.
///
/// A dropped event is flagged `dropped`, not removed: later steps pass it by (`log_to_metric`
/// counts nothing for it), the output does not ship it, and it is acknowledged with the rest of
/// its batch, so that checkpoints move past it. Dropped events count as `dropped`, kept ones as
/// `success`; an event dropped by an earlier filter is not counted again.
package struct Filter: EventTransform {
    /// The YAML type name.
    package static let typeName = "filter"

    /// Which events go.
    package enum Rule: Sendable {
        /// Keep the events that match; drop the others.
        case keep(Condition)
        /// Drop the events that match.
        case drop(Condition)
    }

    /// The component id, used in errors and as the `transform` label of statistics.
    package let id: String
    /// Which events go.
    package let rule: Rule
    private let condition: PreparedCondition

    package init(id: String = Filter.typeName, rule: Rule) {
        self.id = id
        self.rule = rule
        switch rule {
        case .keep(let condition), .drop(let condition): self.condition = PreparedCondition(condition)
        }
    }

    package func apply(to batch: inout EventBatch, statistics: inout TransformStatistics) {
        let matched = condition.matches(in: &batch)
        let dropsMatches: Bool
        switch rule {
        case .keep: dropsMatches = false
        case .drop: dropsMatches = true
        }
        var dropped = 0
        var kept = 0
        for event in 0..<batch.count where !batch.isDropped(event) {
            if matched[event] == dropsMatches {
                batch.addFlag(.dropped, to: event)
                dropped += 1
            } else {
                kept += 1
            }
        }
        statistics.add(dropped, transform: id, outcome: .dropped)
        statistics.add(kept, transform: id, outcome: .success)
    }
}
