package import LogshipCore

/// One step of the pipeline between reading and shipping: a pure, synchronous function over a
/// batch of events (`EventBatch`).
///
/// Transforms never drop events (the output acknowledges every event it was given, so that
/// checkpoints advance) and never fail on bad input: they flag the event, count the outcome in
/// `statistics` (once per batch, not per event) and carry on.
package protocol EventTransform: Sendable {
    /// The component id from the configuration, used as the `transform` label of self-metrics.
    var id: String { get }

    /// Transforms the events of `batch` in place and adds this batch's outcome counts to
    /// `statistics`.
    func apply(to batch: inout EventBatch, statistics: inout TransformStatistics)
}

extension EventTransform {
    /// Transforms `events` (the tree form, for tests and small inputs) through a batch.
    package func apply(to events: inout [Event], statistics: inout TransformStatistics) {
        var batch = EventBatch(events)
        apply(to: &batch, statistics: &statistics)
        events = batch.events
    }
}
