package import struct Foundation.Date

/// A batch of events as they travel from the file input through the transforms to the outputs:
/// one byte buffer, one record per event, and one table of fields for all of them.
///
/// This is the event model of the hot path, built so that a line costs about one allocation:
/// - `bytes` holds the text the input read (valid UTF-8: invalid bytes were replaced) and the
///   keys and values that steps add. It only grows.
/// - An event (`Record`) is its timestamp, source, flags, the range of its text, and the head
///   and tail of a linked list of its top-level fields in `fields`.
/// - A field's value (`FieldSlot`) is a range in `bytes` (text, or JSON exactly as it was read),
///   a small inline value, or an object whose members are fields too. `parse_json` indexes an
///   object's members instead of decoding them; a member is decoded only when a step asks for
///   it, and an untouched one is copied into the bulk body as it was read.
///
/// Keys are unique within an object (`set` replaces, `appendField` is for callers that know the
/// key is new). Object members keep their insertion order, so documents are reproducible.
///
/// `public`, with `package` members: Swift 6.3 does not inline a `package` type's `@inlinable`
/// members into other modules (it ignores the attribute), and the few small members that
/// `log_to_metric` and the file input call per event or per field are worth inlining (4% of a
/// `--output null` run). Nothing outside the package can use it.
public struct EventBatch: Sendable {
    /// One event of the batch.
    public struct Record: Sendable, Equatable {
        /// The first and last top-level field (`-1` when there are none).
        package var first = -1
        package var last = -1
        /// Two bits per top-level key ever added (see `EventBatch.keyBits`): a key with a bit
        /// clear is not there, found without walking the list. Bits are never cleared.
        package var keyMask: UInt64 = 0
        /// When the event happened, once a parser found out; otherwise when it was read.
        package var timestamp: Date
        /// Where it was read from; `nil` for events that did not come from a file.
        package var source: EventSource?
        /// Flags set along the way.
        @usableFromInline package var flags: EventFlags
        /// The text the event was read as (its lines joined by `\n`), in `bytes`.
        package var text: Range<Int>
        /// `source.fingerprint` is still to be computed from `text` (see `source(of:)`).
        package var fingerprintsText = false
        /// The first and last field of a run of top-level fields that are all the members of a
        /// JSON object, in its order (`-1` when there is none; see `verbatimMembers(of:)`).
        package internal(set) var verbatimFirst = -1
        package internal(set) var verbatimLast = -1

        package init(timestamp: Date, source: EventSource?, flags: EventFlags, text: Range<Int>) {
            self.timestamp = timestamp
            self.source = source
            self.flags = flags
            self.text = text
        }
    }

    /// The batch's text: what was read, and keys and values steps added.
    @usableFromInline package internal(set) var bytes: [UInt8]
    /// The events, in read order.
    @usableFromInline package var records: [Record]
    /// Every field of every event.
    package internal(set) var fields: [Field]
    /// `links[i]` is the tag and the next field of `fields[i]`.
    package internal(set) var links: [FieldLink]
    /// Keys added with `key(_:)`, once each per batch.
    /// By bytes, not by `String`: two spellings of a key that `String` finds equal (composed and
    /// decomposed accents) are different keys in JSON.
    private var keys: [[UInt8]: Range<Int>] = [:]

    /// An empty batch with room for `bytes` bytes and `events` events.
    package init(reservingBytes bytes: Int = 0, events: Int = 0) {
        self.bytes = []
        self.bytes.reserveCapacity(bytes)
        self.records = []
        self.records.reserveCapacity(events)
        self.fields = []
        self.fields.reserveCapacity(events * 16)
        self.links = []
        self.links.reserveCapacity(events * 16)
    }

    /// Number of events.
    package var count: Int { records.count }

    /// Removes every event, field, byte and key, and keeps the capacity of the buffers (see
    /// `RecyclingPool`).
    package mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        records.removeAll(keepingCapacity: true)
        fields.removeAll(keepingCapacity: true)
        links.removeAll(keepingCapacity: true)
        keys.removeAll(keepingCapacity: true)
    }

    /// `true` when the batch holds no events.
    package var isEmpty: Bool { records.isEmpty }

    /// The sources of the events that have one, in order.
    package var sources: [EventSource] { records.compactMap(\.source) }

    // MARK: Building

    /// Appends `buffer` to the bytes and returns where it is.
    @discardableResult
    package mutating func append(bytes buffer: UnsafeBufferPointer<UInt8>) -> Range<Int> {
        let start = bytes.count
        bytes.append(contentsOf: buffer)
        return start..<bytes.count
    }

    /// Appends the UTF-8 of `text` to the bytes and returns where it is.
    @discardableResult
    package mutating func append(text: String) -> Range<Int> {
        let start = bytes.count
        bytes.append(contentsOf: text.utf8)
        return start..<bytes.count
    }

    /// The range of `name`'s UTF-8 in the bytes, appended the first time it is asked for.
    package mutating func key(_ name: String) -> Range<Int> {
        let utf8 = Array(name.utf8)
        if let range = keys[utf8] { return range }
        let range = append(text: name)
        keys[utf8] = range
        return range
    }

    /// `path` with each segment's key in the bytes, for `set(_:to:in:overwrite:)`.
    package mutating func resolve(_ path: FieldPath) -> ResolvedPath {
        ResolvedPath(path: path, keys: path.segments.map { key($0) })
    }

    /// Starts an event without fields; returns its index.
    @discardableResult
    package mutating func appendEvent(
        timestamp: Date,
        source: EventSource? = nil,
        flags: EventFlags = EventFlags(rawValue: 0),
        text: Range<Int> = 0..<0
    ) -> Int {
        records.append(Record(timestamp: timestamp, source: source, flags: flags, text: text))
        return records.count - 1
    }

    /// The source of `event`, with its fingerprint computed from the event's text when the
    /// input left that for later: the file input does not hash every line on its thread, and
    /// only the bulk encoder (for the document id) needs the hash. The bytes of `text` never
    /// change, so the fingerprint is the one the input would have computed.
    package func source(of event: Int) -> EventSource? {
        let record = records[event]
        guard var source = record.source else { return nil }
        if record.fingerprintsText {
            source.fingerprint = bytes.withUnsafeBufferPointer {
                EventSource.fingerprint(of: UnsafeBufferPointer(rebasing: $0[record.text]))
            }
        }
        return source
    }

    /// Computes every fingerprint the input left for later (see `source(of:)`), four events at
    /// a time (`EventSource.fingerprints(of:)`): the same values, in about a third of the time
    /// one by one took. The bulk encoder's workers call it before encoding a batch.
    package mutating func computeFingerprints() {
        var pending: [Int] = []
        pending.reserveCapacity(records.count)
        for event in records.indices where records[event].fingerprintsText && records[event].source != nil {
            pending.append(event)
        }
        bytes.withUnsafeBufferPointer { bytes in
            records.withUnsafeMutableBufferPointer { records in
                func text(_ event: Int) -> UnsafeBufferPointer<UInt8> {
                    UnsafeBufferPointer(rebasing: bytes[records[event].text])
                }
                func store(_ fingerprint: UInt32, _ event: Int) {
                    records[event].source!.fingerprint = fingerprint
                    records[event].fingerprintsText = false
                }
                var next = 0
                while next + 4 <= pending.count {
                    let (a, b, c, d) = (pending[next], pending[next + 1], pending[next + 2], pending[next + 3])
                    let hashes = EventSource.fingerprints(of: (text(a), text(b), text(c), text(d)))
                    store(hashes.0, a)
                    store(hashes.1, b)
                    store(hashes.2, c)
                    store(hashes.3, d)
                    next += 4
                }
                for event in pending[next...] { store(EventSource.fingerprint(of: text(event)), event) }
            }
        }
    }

    /// Appends a top-level field to `event` without looking for one with the same key: for
    /// callers that know the key is new. Returns the field's index.
    @discardableResult
    package mutating func appendField(_ key: Range<Int>, _ value: FieldSlot, toEvent event: Int) -> Int {
        let index = fields.count
        let tag = keyTag(key)
        // The record is updated through one buffer access: each `records[event]` write checked
        // the array's uniqueness again, and this runs for every field of every event.
        let last = records.withUnsafeMutableBufferPointer { records -> Int in
            let last = records[event].last
            if last < 0 { records[event].first = index }
            records[event].last = index
            records[event].keyMask |= Self.keyBits(tag: tag)
            return last
        }
        if last >= 0 { links[last].next = Int32(index) }
        fields.append(Field(key: key, value: value))
        links.append(FieldLink(tag: tag))
        return index
    }

    /// The field after `field` in its object, `-1` after the last.
    @inline(__always)
    package func next(after field: Int) -> Int { Int(links[field].next) }

    /// The bits of a key in `Record.keyMask`: two, from its tag (length, first and last bytes),
    /// so that with the dozen keys of a parsed event a lookup of an absent key finds a bit clear
    /// about 97 times in 100 instead of 85.
    @inline(__always)
    package func keyBits(_ key: Range<Int>) -> UInt64 {
        Self.keyBits(tag: keyTag(key))
    }

    /// `keyBits` of a key whose tag is known.
    @inline(__always)
    static func keyBits(tag: UInt32) -> UInt64 {
        let mixed = UInt64(tag) &* 0x9E37_79B9_7F4A_7C15
        return 1 << (mixed >> 58) | 1 << ((mixed >> 52) & 63)
    }

    /// A key's `FieldLink.tag`: its length (up to 65,535) and its first and last bytes. Keys with
    /// different tags differ; keys with the same tag are compared byte by byte.
    @inline(__always)
    package func keyTag(_ key: Range<Int>) -> UInt32 {
        bytes.withUnsafeBufferPointer { Self.keyTag(key, $0) }
    }

    /// `keyTag(_:)` with the batch's bytes in hand.
    @inline(__always)
    static func keyTag(_ key: Range<Int>, _ bytes: UnsafeBufferPointer<UInt8>) -> UInt32 {
        guard !key.isEmpty else { return 0 }
        return UInt32(truncatingIfNeeded: min(key.count, 0xFFFF)) << 16 | UInt32(bytes[key.lowerBound]) << 8
            | UInt32(bytes[key.upperBound - 1])
    }

    /// Appends a member to the object in field `parent` (which must hold `.object`) without
    /// looking for one with the same key. Returns the new field's index.
    @discardableResult
    package mutating func appendField(_ key: Range<Int>, _ value: FieldSlot, toObject parent: Int) -> Int {
        guard case .object(let first, let last) = fields[parent].value else { return -1 }
        let index = fields.count
        fields.append(Field(key: key, value: value))
        links.append(FieldLink(tag: keyTag(key)))
        if last >= 0 {
            links[last].next = Int32(index)
            fields[parent].value = .object(first: first, last: index)
        } else {
            fields[parent].value = .object(first: index, last: index)
        }
        return index
    }

    /// Replaces the value of field `index`.
    package mutating func setValue(_ value: FieldSlot, ofField index: Int) {
        fields[index].value = value
    }

    /// Sets a flag on `event`.
    package mutating func addFlag(_ flag: EventFlags, to event: Int) {
        records[event].flags.insert(flag)
    }

    /// Whether a `filter` dropped `event`: the steps after it and the output pass it by.
    @inlinable @inline(__always)
    package func isDropped(_ event: Int) -> Bool {
        records[event].flags.rawValue & EventFlags.dropped.rawValue != 0
    }
}

/// A field path whose keys are in an `EventBatch`'s bytes: resolved once per batch by a step,
/// so that reading or setting a field on each event neither looks its keys up again nor touches
/// reference-counted storage for paths of one or two segments (`first`, `second`).
package struct ResolvedPath: Sendable {
    /// The path.
    package let path: FieldPath
    /// The range of each segment's key in the batch.
    package let keys: [Range<Int>]
    /// The number of segments.
    package let count: Int
    /// The first and second keys (empty ranges when the path is shorter).
    package let first: Range<Int>
    package let second: Range<Int>

    package init(path: FieldPath, keys: [Range<Int>]) {
        self.path = path
        self.keys = keys
        self.count = keys.count
        self.first = keys.first ?? 0..<0
        self.second = keys.count > 1 ? keys[1] : 0..<0
    }

    /// The key of a one-segment path.
    package var singleKey: Range<Int>? { count == 1 ? first : nil }

    /// The path as plain values when it has one or two segments: a hot loop copies it without
    /// reference counting.
    package var short: ShortPath? {
        count <= 2 && count > 0 ? ShortPath(count: count, first: first, second: second) : nil
    }
}

/// A resolved path of one or two segments, as plain values (see `ResolvedPath.short`).
package struct ShortPath: Sendable, Equatable {
    package let count: Int
    package let first: Range<Int>
    package let second: Range<Int>
}
