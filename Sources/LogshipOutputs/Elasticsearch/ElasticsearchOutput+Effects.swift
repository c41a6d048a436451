import LogshipCore

extension ElasticsearchOutput {
    /// What is left to do outside the lock after `DeliveryStateMachine` decided: tasks to resume,
    /// sources to acknowledge, dead letters to write, retries to log, bodies to recycle.
    struct Effects {
        var workers: [(CheckedContinuation<DeliveryStateMachine.Request?, Never>, DeliveryStateMachine.Request?)] = []
        var senders: [CheckedContinuation<Void, Never>] = []
        var timer: CheckedContinuation<Void, Never>?
        var finish: (waiter: CheckedContinuation<Bool, Never>, cancel: Bool)?
        var acknowledgements: [[EventSource]] = []
        /// Dead letters to write, with the sources to acknowledge once written.
        var deadLetters:
            [(letters: DeliveryStateMachine.DeadLetters, records: [DeadLetterRecord], sources: [EventSource])] = []
        var retries: [DeliveryStateMachine.Retry] = []
        var recycled: [Batch] = []
        /// Disk buffer segments whose batch was delivered: to delete.
        var segmentsDelivered: [(sequence: UInt64, documents: Int)] = []
        /// The delivery finished with requests to cancel (logged once).
        var cancelledAtDeadline = false

        mutating func merge(_ other: Effects) {
            workers += other.workers
            senders += other.senders
            if let timer = other.timer { self.timer = timer }
            if let finish = other.finish { self.finish = finish }
            acknowledgements += other.acknowledgements
            deadLetters += other.deadLetters
            retries += other.retries
            recycled += other.recycled
            segmentsDelivered += other.segmentsDelivered
            cancelledAtDeadline = cancelledAtDeadline || other.cancelledAtDeadline
        }

        /// Wakes the timer task (a deadline appeared or moved).
        mutating func wakeTimer(_ state: inout State) {
            if let waiter = state.timerWaiter {
                timer = waiter
                state.timerWaiter = nil
            }
        }
    }
}

extension ElasticsearchOutput.State {
    /// Hands a closed batch to the delivery; `segment`: the disk buffer segment it was read from.
    mutating func close(
        _ batch: Batch,
        now: ContinuousClock.Instant,
        segments: [(sequence: UInt64, documents: Int)] = []
    ) -> ElasticsearchOutput.Effects {
        statistics.bufferedBatches += 1
        statistics.bufferedBatchBytes += batch.bytes.count
        let (id, actions) = delivery.onBatchClosed(documentCount: batch.count, now: now)
        closed[id] = batch
        if !segments.isEmpty { spooled[id] = segments }
        return apply(actions)
    }

    /// Does the bookkeeping part of `actions` under the lock and returns the rest.
    mutating func apply(_ actions: DeliveryStateMachine.Actions) -> ElasticsearchOutput.Effects {
        var effects = ElasticsearchOutput.Effects()
        for acknowledgement in actions.acknowledge {
            let documents = closed[acknowledgement.batch]?.documents ?? []
            effects.acknowledgements.append(acknowledgement.documents.compactMap { documents[$0].source })
            statistics.documentsAcknowledged += acknowledgement.documents.count
            statistics.documentsConflicted += acknowledgement.conflicts
            statistics.bufferedEvents -= acknowledgement.documents.count
            statistics.lastAcknowledgedAt = .now
        }
        for letters in actions.deadLetter {
            guard let batch = closed[letters.batch] else { continue }
            let records = zip(letters.documents, letters.errors).map { document, error in
                DeadLetterRecord(
                    error: error,
                    index: batch.indexName(at: document),
                    id: batch.documents[document].id ?? batch.actionID(at: document),
                    document: batch.documentJSON(at: document)
                )
            }
            effects.deadLetters.append((letters, records, letters.documents.compactMap { batch.documents[$0].source }))
        }
        requests += actions.send
        for retry in actions.retried {
            statistics.documentsRetried += retry.documents
            statistics.lastError = retry.reason
        }
        effects.retries = actions.retried
        for id in actions.released {
            compressed[id] = nil
            if let segments = spooled.removeValue(forKey: id) { effects.segmentsDelivered += segments }
            guard let batch = closed.removeValue(forKey: id) else { continue }
            statistics.bufferedBatches -= 1
            statistics.bufferedBatchBytes -= batch.bytes.count
            effects.recycled.append(batch)
        }
        if actions.timer != deliveryTimer {
            deliveryTimer = actions.timer
            effects.wakeTimer(&self)
        }
        if actions.finished {
            finished = actions.cancelInFlight
            effects.cancelledAtDeadline = actions.cancelInFlight
            if let waiter = finishWaiter {
                effects.finish = (waiter, actions.cancelInFlight)
                finishWaiter = nil
            }
            effects.wakeTimer(&self)
        }
        // Requests to idle workers; once finished, idle workers stop.
        while !idleWorkers.isEmpty && !requests.isEmpty {
            effects.workers.append((idleWorkers.removeFirst(), requests.removeFirst()))
        }
        if finished != nil {
            effects.workers += idleWorkers.map { ($0, nil) }
            idleWorkers = []
        }
        return effects
    }

    /// The suspended senders, when there is room again.
    mutating func sendersToWake(_ configuration: ElasticsearchOutputConfiguration) -> [CheckedContinuation<Void, Never>]
    {
        guard hasRoom(configuration) || phase == .stopped, !senders.isEmpty else { return [] }
        defer { senders = [] }
        return senders.map(\.continuation)
    }
}
