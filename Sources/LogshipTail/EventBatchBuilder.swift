package import LogshipCore

package import struct Foundation.Date

/// Builds the batches the file input hands on, one event per line or multiline event.
///
/// Each event gets its text, then the fields `message` (the text), `log` with `file` (the value
/// from `fileValue(path:)`, `{"path":"..."}`) and `offset`, then the static fields: under
/// `fields`, or at the root (where they replace `message` or `log` if they have those keys).
/// The keys and the static values are written into a batch once.
///
/// A batch is full (`isFull`) at `maximumEvents` events or `maximumBytes` bytes of text; the
/// caller then takes it with `finishBatch()`. One event may exceed `maximumBytes` on its own.
package struct EventBatchBuilder {
    /// The most bytes of text a batch collects before it is full.
    package static let maximumBytes = 4 << 20

    /// Static fields added to every event.
    package let fields: FieldObject
    /// Whether the static fields go at the root instead of under `fields`.
    package let fieldsUnderRoot: Bool
    /// The most events in one batch, at least 1.
    package let maximumEvents: Int
    /// The batch being built.
    package private(set) var batch = EventBatch()
    /// Counts finished batches, so that a caller caching `fileValue(path:)` knows it is stale.
    package private(set) var batchNumber = 0
    /// The keys of the fields and the static values, in `batch`; nil until its first event.
    private var keys: Keys?
    /// Where the next batch's buffers come from: batches the pipeline has emptied.
    private let batches: RecyclingPool<EventBatch>?

    /// The keys of the fields the input sets and its static fields, written into a batch once.
    private struct Keys {
        var message: Range<Int>
        var log: Range<Int>
        var file: Range<Int>
        var offset: Range<Int>
        /// `fields` and its value when the static fields go under `fields`.
        var fields: (key: Range<Int>, value: FieldSlot)?
        /// The static fields when they go at the root.
        var rootFields: [(key: Range<Int>, value: FieldSlot)]
    }

    /// - Parameters:
    ///   - fields: static fields added to every event.
    ///   - fieldsUnderRoot: whether they go at the root instead of under `fields`.
    ///   - maximumEvents: the most events in one batch; values below 1 are treated as 1.
    ///   - batches: where the next batch is taken from when one is there.
    package init(
        fields: FieldObject = [:],
        fieldsUnderRoot: Bool = false,
        maximumEvents: Int,
        batches: RecyclingPool<EventBatch>? = nil
    ) {
        self.fields = fields
        self.fieldsUnderRoot = fieldsUnderRoot
        self.maximumEvents = max(1, maximumEvents)
        self.batches = batches
    }

    /// Number of events in the batch being built.
    package var count: Int { batch.count }

    /// `true` when the batch being built holds no events.
    package var isEmpty: Bool { batch.isEmpty }

    /// Whether the batch being built has reached `maximumEvents` or `maximumBytes`.
    package var isFull: Bool { batch.count >= maximumEvents || batch.bytes.count >= Self.maximumBytes }

    /// The value of `log.file` for events of the file at `path`, `{"path":"..."}`, written into
    /// the batch being built. Valid until `finishBatch()`: callers keep it per `batchNumber`.
    package mutating func fileValue(path: String) -> FieldSlot {
        if keys == nil { keys = makeKeys() }
        return batch.store(.object(["path": .string(path)]))
    }

    /// Adds an event made of `text` (valid UTF-8) read from the file `fileKey`, whose `log.file`
    /// value is `file` (from `fileValue(path:)` in this batch). The event's fingerprint is left
    /// to be hashed from its text by whoever makes its document id (`EventBatch.source(of:)`).
    /// Returns `isFull`: reading that property of a builder held in a class copies the builder
    /// (its batch's buffers retained and released), which showed in profiles once per line.
    @discardableResult
    package mutating func append(
        _ text: UnsafeBufferPointer<UInt8>,
        _ span: EventSpan,
        fileKey: FileKey,
        generation: UInt32 = 0,
        file: FieldSlot,
        timestamp: Date
    ) -> Bool {
        if keys == nil { keys = makeKeys() }
        // Field by field: copying the whole of `keys` retained and released its arrays.
        let message = keys!.message
        let logKey = keys!.log
        let fileKeyName = keys!.file
        let offsetKey = keys!.offset
        let range = batch.append(bytes: text)
        let source = EventSource(
            fileKey: fileKey,
            startOffset: span.startOffset,
            endOffset: span.endOffset,
            generation: generation
        )
        let event = batch.appendEvent(timestamp: timestamp, source: source, flags: span.flags, text: range)
        batch.records[event].fingerprintsText = true
        batch.appendField(message, .text(range), toEvent: event)
        let log = batch.appendField(logKey, .emptyObject, toEvent: event)
        batch.appendField(fileKeyName, file, toObject: log)
        batch.appendField(offsetKey, .integer(span.startOffset), toObject: log)
        if let fields = keys!.fields {
            batch.appendField(fields.key, fields.value, toEvent: event)
        } else {
            for field in keys!.rootFields {
                batch.mergeMember(key: field.key, value: field.value, intoEvent: event, overwrite: true)
            }
        }
        return isFull
    }

    /// Returns the batch built so far and starts the next one: a recycled batch when there is one,
    /// otherwise one with room for a quarter more bytes than this one had (up to `maximumBytes`). Values from `fileValue(path:)` are stale
    /// from now on.
    package mutating func finishBatch() -> EventBatch {
        let finished = batch
        batch =
            batches?.take()
            ?? EventBatch(
                reservingBytes: min(finished.bytes.count + finished.bytes.count / 4, Self.maximumBytes),
                events: finished.count
            )
        keys = nil
        batchNumber += 1
        return finished
    }

    private mutating func makeKeys() -> Keys {
        var keys = Keys(
            message: batch.key("message"),
            log: batch.key("log"),
            file: batch.key("file"),
            offset: batch.key("offset"),
            fields: nil,
            rootFields: []
        )
        if !fields.isEmpty {
            if fieldsUnderRoot {
                keys.rootFields = fields.entries.map { (batch.key($0.key), batch.store($0.value)) }
            } else {
                keys.fields = (batch.key("fields"), batch.store(.object(fields)))
            }
        }
        return keys
    }
}
