import LogshipCore
import LogshipOutputs

extension AetherraSample {
    /// The batches of the sample after every step of the pipeline.
    func transformedBatches() throws -> [EventBatch] {
        let (events, text) = try joinedEvents()
        var batches = makeBatches(events, text: text)
        Self.run(steps, on: &batches, store: makeStore())
        return batches
    }

    /// The bulk request bodies of the sample, as the output's `Batcher` closes them.
    func bulkBodies() throws -> [Batch] {
        var batcher = try makeBatcher()
        var bodies: [Batch] = []
        let now = ContinuousClock.now
        for batch in try transformedBatches() { bodies += batcher.append(batch, now: now) }
        if let last = batcher.flush() { bodies.append(last) }
        return bodies
    }

    /// A metric store with the pipeline's families and `count` series of
    /// `aetherra_api_requests_total` (`method` × `endpoint` × `status`; a multiple of 10).
    static func storeWithSeries(_ count: Int) throws -> MetricStore {
        let sample = try AetherraSample(lines: 0)
        let store = sample.makeStore()
        let statuses = ["200", "201", "404", "500", "503"]
        var updates: [MetricUpdate] = []
        for number in 0..<(count / 10) {
            for method in ["GET", "POST"] {
                for status in statuses {
                    updates.append(
                        MetricUpdate(
                            family: "aetherra_api_requests_total",
                            labelValues: [method, "/api/items/\(number)", status],
                            operation: .add(Double(number % 7 + 1))
                        )
                    )
                }
            }
        }
        store.apply(updates)
        guard store.seriesCount == count else {
            throw SampleError("the store holds \(store.seriesCount) series instead of \(count)")
        }
        return store
    }
}
