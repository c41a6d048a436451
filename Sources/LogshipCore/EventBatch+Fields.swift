import Glibc

/// Reading, setting and removing fields by path.
///
/// A path walks objects kept as fields and objects kept as JSON text alike; setting a field
/// inside an object kept as JSON text first turns that object into fields (its members stay
/// references to the text). A non-object value in the middle of a path is replaced by an object
/// when setting, as `FieldObject` does; lookups through it find nothing.
extension EventBatch {
    /// Where a list of members lives: an event's top level, or an object field.
    private enum Parent {
        case event(Int)
        case field(Int)
    }

    /// The value at `path` in `event`, or `nil` when a segment is missing. The root path gives
    /// nothing (events are not values).
    package func value(at path: FieldPath, in event: Int) -> FieldSlot? {
        let segments = path.utf8Segments
        guard !segments.isEmpty else { return nil }
        return bytes.withUnsafeBufferPointer { bytes -> FieldSlot? in
            var list = records[event].first
            var slot: FieldSlot?
            for (position, segment) in segments.enumerated() {
                if let current = slot {
                    switch current {
                    case .object(let first, _): list = first
                    case .json(let range, .object):
                        return Self.member(segments: segments, from: position, in: range, bytes)
                    default: return nil
                    }
                }
                guard let found = findField(segment, from: list, bytes) else { return nil }
                slot = fields[found].value
            }
            return slot
        }
    }

    /// Looks `segments[start...]` up inside the JSON object at `range`.
    private static func member(
        segments: [[UInt8]],
        from start: Int,
        in range: Range<Int>,
        _ bytes: UnsafeBufferPointer<UInt8>
    ) -> FieldSlot? {
        var range = range
        var index = start
        while index < segments.count {
            let object = UnsafeBufferPointer(rebasing: bytes[range])
            let found = segments[index].withUnsafeBufferPointer { JSONScanner.member(named: $0, inObject: object) }
            guard let member = found else { return nil }
            let value = (member.value.lowerBound + range.lowerBound)..<(member.value.upperBound + range.lowerBound)
            if index == segments.count - 1 {
                return member.kind == .string
                    ? .jsonString(value, escaped: member.valueHasEscapes) : .json(value, member.kind)
            }
            guard member.kind == .object else { return nil }
            range = value
            index += 1
        }
        return nil
    }

    /// The first field from `list` on whose key is `key`.
    private func findField(_ key: [UInt8], from list: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var previous = -1
        return findField(key, from: list, previous: &previous, bytes)
    }

    /// The field named `key` in the list starting at `list`, and the one before it (`-1`).
    private func findField(
        _ key: [UInt8],
        from list: Int,
        previous: inout Int,
        _ bytes: UnsafeBufferPointer<UInt8>
    ) -> Int? {
        var index = list
        previous = -1
        while index >= 0 {
            if Self.equal(fields[index].key, key, bytes) { return index }
            previous = index
            index = next(after: index)
        }
        return nil
    }

    @inline(__always)
    package static func equal(_ range: Range<Int>, _ key: [UInt8], _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard range.count == key.count else { return false }
        return key.withUnsafeBufferPointer { key in
            guard let keyBase = key.baseAddress, let base = bytes.baseAddress else { return true }
            return memcmp(base + range.lowerBound, keyBase, key.count) == 0
        }
    }

    /// The value of the top-level field whose key has the bytes at `key` (a range in the bytes).
    package func value(atKey key: Range<Int>, in event: Int) -> FieldSlot? {
        findTopLevelField(keyRange: key, in: event).map { fields[$0].value }
    }

    /// `value(atKey:in:)`, looking first where the previous event's verbatim run had the key:
    /// `hint` (start with `-1`) is that place, and is updated, as `topLevelValues` does for
    /// several keys. For steps that read one field of every event.
    package func value(atKey key: Range<Int>, in event: Int, hint: inout Int) -> FieldSlot? {
        let record = records[event]
        let tag = keyTag(key)
        let bits = Self.keyBits(tag: tag)
        guard record.keyMask & bits == bits else { return nil }
        let runFirst = record.verbatimFirst
        if runFirst >= 0 && hint >= 0 && runFirst + hint <= record.verbatimLast {
            let guess = runFirst + hint
            let found =
                links[guess].tag == tag && bytes.withUnsafeBufferPointer { Self.keyMatches(fields[guess].key, key, $0) }
            if found { return fields[guess].value }
        }
        guard let index = findField(keyRange: key, from: record.first) else { return nil }
        if runFirst >= 0 && index >= runFirst && index <= record.verbatimLast { hint = index - runFirst }
        return fields[index].value
    }

    /// `value(at:in:)` with a `hint` for one-segment paths (see `value(atKey:in:hint:)`).
    package func value(at path: ResolvedPath, in event: Int, hint: inout Int) -> FieldSlot? {
        path.count == 1 ? value(atKey: path.first, in: event, hint: &hint) : value(at: path, in: event)
    }

    /// Whether the key at `candidate` is `key`, once their tags are known to be equal: the same
    /// range (interned keys), or the same bytes (a tag holds the length and first and last
    /// bytes, so keys of up to two bytes are equal when their tags are).
    @inline(__always)
    static func keyMatches(_ candidate: Range<Int>, _ key: Range<Int>, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        candidate == key || key.count <= 2
            || (candidate.count == key.count
                && sameBytes(
                    bytes.baseAddress! + candidate.lowerBound,
                    bytes.baseAddress! + key.lowerBound,
                    count: key.count
                ))
    }

    /// The value at a resolved path: one-segment paths without reference counting.
    package func value(at path: ResolvedPath, in event: Int) -> FieldSlot? {
        switch path.count {
        case 1: return value(atKey: path.first, in: event)
        case 2: return value(atKey: path.first, then: path.second, in: event)
        default: return value(at: path.path, in: event)
        }
    }

    /// The value at a short path.
    package func value(at path: ShortPath, in event: Int) -> FieldSlot? {
        path.count == 1 ? value(atKey: path.first, in: event) : value(atKey: path.first, then: path.second, in: event)
    }

    /// The value of member `second` of the top-level object `first` (ranges in the bytes).
    private func value(atKey first: Range<Int>, then second: Range<Int>, in event: Int) -> FieldSlot? {
        guard let outer = value(atKey: first, in: event) else { return nil }
        switch outer {
        case .object(let head, _):
            return findField(keyRange: second, from: head).map { fields[$0].value }
        case .json(let range, .object):
            return bytes.withUnsafeBufferPointer { bytes -> FieldSlot? in
                let object = UnsafeBufferPointer(rebasing: bytes[range])
                let key = UnsafeBufferPointer(rebasing: bytes[second])
                guard let member = JSONScanner.member(named: key, inObject: object) else { return nil }
                return Self.slot(of: member, inObjectAt: range.lowerBound)
            }
        default:
            return nil
        }
    }

    /// The value of a member found in JSON text that starts at `offset` of the bytes.
    private static func slot(of member: JSONMember, inObjectAt offset: Int) -> FieldSlot {
        let value = (member.value.lowerBound + offset)..<(member.value.upperBound + offset)
        return member.kind == .string ? .jsonString(value, escaped: member.valueHasEscapes) : .json(value, member.kind)
    }

    /// Reads the members named by `keys` (at most 64 ranges in the bytes) of the object held as
    /// JSON text at `range`, in one pass over it: sets `values[position]` for each key found
    /// (the first member of that name) and leaves the others as they were.
    package func members(
        _ keys: [Range<Int>],
        ofObjectAt range: Range<Int>,
        into values: inout [FieldSlot?]
    ) {
        keys.withUnsafeBufferPointer { members($0, ofObjectAt: range, into: &values) }
    }

    /// `members(_:ofObjectAt:into:)` with the keys in a buffer (a slice of a longer list).
    package func members(
        _ keys: UnsafeBufferPointer<Range<Int>>,
        ofObjectAt range: Range<Int>,
        into values: inout [FieldSlot?]
    ) {
        precondition(values.count >= keys.count, "room for every key")
        values.withUnsafeMutableBufferPointer { members(keys, ofObjectAt: range, into: $0.baseAddress!) }
    }

    /// `members(_:ofObjectAt:into:)` writing to `values`, which has room for every key (a
    /// reader's scratch: writing through an array checked its uniqueness per value).
    package func members(
        _ keys: UnsafeBufferPointer<Range<Int>>,
        ofObjectAt range: Range<Int>,
        into values: UnsafeMutablePointer<FieldSlot?>
    ) {
        precondition(keys.count <= 64, "at most 64 keys at a time")
        var remaining = keys.count
        var seen: UInt64 = 0
        bytes.withUnsafeBufferPointer { bytes in
            let object = UnsafeBufferPointer(rebasing: bytes[range])
            var reader = JSONMemberReader(object: object)
            while remaining > 0, let member = reader.next() {
                for position in keys.indices where seen & (1 << UInt64(position)) == 0 {
                    let key = UnsafeBufferPointer(rebasing: bytes[keys[position]])
                    guard JSONText.keyEquals(member, in: object, key) else { continue }
                    seen |= 1 << UInt64(position)
                    remaining -= 1
                    values[position] = Self.slot(of: member, inObjectAt: range.lowerBound)
                }
            }
        }
    }

    /// Appends the bytes at `range` to `output`.
    package func copyBytes(_ range: Range<Int>, to output: inout [UInt8]) {
        bytes.withUnsafeBufferPointer { output.append(contentsOf: UnsafeBufferPointer(rebasing: $0[range])) }
    }

    /// Whether the bytes at `first` and at `second` are the same.
    package func bytesEqual(_ first: Range<Int>, _ second: Range<Int>) -> Bool {
        guard first.count == second.count else { return false }
        if first == second { return true }
        return bytes.withUnsafeBufferPointer { bytes in
            guard let base = bytes.baseAddress else { return true }
            return Self.sameBytes(base + first.lowerBound, base + second.lowerBound, count: first.count)
        }
    }

    /// Whether `count` bytes at `first` and `second` are equal. Keys are short: up to 16 bytes
    /// they are compared as two (overlapping) words instead of calling `memcmp`, whose call was
    /// a fifth of the time spent finding fields.
    @inlinable @inline(__always)
    package static func sameBytes(_ first: UnsafePointer<UInt8>, _ second: UnsafePointer<UInt8>, count: Int) -> Bool {
        let a = UnsafeRawPointer(first)
        let b = UnsafeRawPointer(second)
        switch count {
        case 0: return true
        case 1...3:
            for index in 0..<count where first[index] != second[index] { return false }
            return true
        case 4...7:
            return a.loadUnaligned(as: UInt32.self) == b.loadUnaligned(as: UInt32.self)
                && a.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)
                    == b.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)
        case 8...16:
            return a.loadUnaligned(as: UInt64.self) == b.loadUnaligned(as: UInt64.self)
                && a.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
                    == b.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
        default:
            return sameLongBytes(first, second, count: count)
        }
    }

    /// `sameBytes` for more than 16 bytes: `memcmp`, out of line (the inlined part stays small).
    @usableFromInline
    static func sameLongBytes(_ first: UnsafePointer<UInt8>, _ second: UnsafePointer<UInt8>, count: Int) -> Bool {
        memcmp(first, second, count) == 0
    }

    /// Removes the value at a resolved path; one-segment paths without reference counting.
    @discardableResult
    package mutating func remove(_ path: ResolvedPath, in event: Int) -> Bool {
        guard let key = path.singleKey else { return remove(path.path, in: event) }
        guard let index = findTopLevelField(keyRange: key, in: event) else { return false }
        removeField(index, from: event)
        return true
    }

    /// Whether the key at `range` is `key`.
    package func keyEquals(_ range: Range<Int>, _ key: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { Self.equal(range, key, $0) }
    }

    /// Sets the value at `path` in `event`, creating objects on the way. With `overwrite` false an
    /// existing value is left alone. Returns whether the value was set.
    @discardableResult
    package mutating func set(
        _ path: ResolvedPath,
        to value: FieldSlot,
        in event: Int,
        overwrite: Bool = true
    ) -> Bool {
        if let key = path.singleKey {
            if let existing = findTopLevelField(keyRange: key, in: event) {
                guard overwrite else { return false }
                fields[existing].value = value
            } else {
                appendField(key, value, toEvent: event)
            }
            return true
        }
        let segments = path.path.utf8Segments
        guard !segments.isEmpty else { return false }
        var parent = Parent.event(event)
        for (position, segment) in segments.enumerated() {
            let list = firstField(of: parent)
            let found = bytes.withUnsafeBufferPointer { findField(segment, from: list, $0) }
            let isLast = position == segments.count - 1
            if let found {
                if isLast {
                    guard overwrite else { return false }
                    fields[found].value = value
                    return true
                }
                switch fields[found].value {
                case .object: break
                case .json(let range, .object): expandObject(found, range: range)
                default: fields[found].value = .emptyObject
                }
                parent = .field(found)
            } else {
                let index = append(path.keys[position], isLast ? value : .emptyObject, to: parent)
                if isLast { return true }
                parent = .field(index)
            }
        }
        return true
    }

    /// Removes the value at `path` in `event`; returns whether there was one.
    @discardableResult
    package mutating func remove(_ path: FieldPath, in event: Int) -> Bool {
        let segments = path.utf8Segments
        guard !segments.isEmpty else { return false }
        var parent = Parent.event(event)
        for (position, segment) in segments.enumerated() {
            var previous = -1
            let list = firstField(of: parent)
            guard let found = bytes.withUnsafeBufferPointer({ findField(segment, from: list, previous: &previous, $0) })
            else { return false }
            if position == segments.count - 1 {
                unlink(found, previous: previous, from: parent)
                return true
            }
            switch fields[found].value {
            case .object: break
            case .json(let range, .object): expandObject(found, range: range)
            default: return false
            }
            parent = .field(found)
        }
        return false
    }

    /// Removes top-level field `index` (found by the caller) from `event`.
    package mutating func removeField(_ index: Int, from event: Int) {
        var previous = -1
        var current = records[event].first
        while current >= 0 && current != index {
            previous = current
            current = next(after: current)
        }
        guard current == index else { return }
        unlink(index, previous: previous, from: .event(event))
    }

    private func firstField(of parent: Parent) -> Int {
        switch parent {
        case .event(let event): return records[event].first
        case .field(let field):
            if case .object(let first, _) = fields[field].value { return first }
            return -1
        }
    }

    private mutating func append(_ key: Range<Int>, _ value: FieldSlot, to parent: Parent) -> Int {
        switch parent {
        case .event(let event): return appendField(key, value, toEvent: event)
        case .field(let field): return appendField(key, value, toObject: field)
        }
    }

    private mutating func unlink(_ index: Int, previous: Int, from parent: Parent) {
        let next = next(after: index)
        if previous >= 0 { links[previous].next = Int32(next) }
        switch parent {
        case .event(let event):
            if records[event].first == index { records[event].first = next }
            if records[event].last == index { records[event].last = previous }
            // A run with a gap is no run: lookups guess positions in it (`topLevelValues`).
            if index >= records[event].verbatimFirst && index <= records[event].verbatimLast {
                records[event].verbatimFirst = -1
                records[event].verbatimLast = -1
            }
        case .field(let field):
            guard case .object(var first, var last) = fields[field].value else { return }
            if first == index { first = next }
            if last == index { last = previous }
            fields[field].value = .object(first: first, last: last)
        }
        links[index].next = -1
    }

    /// Turns the JSON object text of field `index` into member fields (values stay references to
    /// the text; keys written with escapes are decoded into the bytes).
    mutating func expandObject(_ index: Int, range: Range<Int>) {
        var members: [JSONMember] = []
        bytes.withUnsafeBufferPointer { bytes in
            var scanner = JSONScanner(bytes: UnsafeBufferPointer(rebasing: bytes[range]))
            _ = scanner.scanObjectMembers(into: &members)
        }
        fields[index].value = .emptyObject
        for member in members {
            let value =
                (member.value.lowerBound + range.lowerBound)..<(member.value.upperBound + range.lowerBound)
            let slot: FieldSlot =
                member.kind == .string ? .jsonString(value, escaped: member.valueHasEscapes) : .json(value, member.kind)
            var key = (member.key.lowerBound + range.lowerBound)..<(member.key.upperBound + range.lowerBound)
            if member.keyHasEscapes {
                let text = bytes.withUnsafeBufferPointer {
                    JSONText.decodeString(UnsafeBufferPointer(rebasing: $0[key]))
                }
                key = append(text: text ?? "")
            }
            appendField(key, slot, toObject: index)
        }
    }
}

extension EventBatch {
    /// Sets the top-level member `key` (UTF-8 in the bytes) of `event`: appended when new,
    /// replaced only with `overwrite` when present. Returns the new field's index when it was
    /// appended.
    @discardableResult
    package mutating func mergeMember(key: Range<Int>, value: FieldSlot, intoEvent event: Int, overwrite: Bool) -> Int?
    {
        if let existing = findTopLevelField(keyRange: key, in: event) {
            if overwrite { fields[existing].value = value }
            return nil
        }
        return appendField(key, value, toEvent: event)
    }

    /// Sets member `key` of the object in field `object` (which holds `.object`), as
    /// `mergeMember(key:value:intoEvent:overwrite:)` does at the top level.
    package mutating func mergeMember(key: Range<Int>, value: FieldSlot, intoObject object: Int, overwrite: Bool) {
        guard case .object(let first, _) = fields[object].value else { return }
        if let existing = findField(keyRange: key, from: first) {
            if overwrite { fields[existing].value = value }
        } else {
            appendField(key, value, toObject: object)
        }
    }

    /// The index of the field holding the object at `path` in `event`, its JSON text turned into
    /// fields if need be; `nil` when there is no object there.
    package mutating func objectField(at path: ResolvedPath, in event: Int) -> Int? {
        var list = records[event].first
        var found: Int?
        for segment in path.path.utf8Segments {
            if let current = found {
                switch fields[current].value {
                case .object(let first, _): list = first
                case .json(let range, .object):
                    expandObject(current, range: range)
                    guard case .object(let first, _) = fields[current].value else { return nil }
                    list = first
                default: return nil
                }
            }
            guard let next = bytes.withUnsafeBufferPointer({ findField(segment, from: list, $0) }) else { return nil }
            found = next
        }
        guard let found else { return nil }
        if case .json(let range, .object) = fields[found].value { expandObject(found, range: range) }
        guard case .object = fields[found].value else { return nil }
        return found
    }

    /// Several top-level keys of `event` at once, given as `TopLevelKeys`: one walk of the
    /// event's fields for all of them instead of one per key. Sets `values[position]` for each
    /// key that is there and leaves the others as they were (`values` has room for every key).
    /// Results go into an array rather than a closure: a closure that captured the caller's batch
    /// retained its buffers on every call.
    ///
    /// Events of one service have the same shape: a key found in an event's verbatim run (the
    /// members `parse_json` added) is looked for at the same place in the next event's run first
    /// (`keys` learns where), and only a miss walks the list. The walk is a chase through the
    /// field table that stalls on every field: it was 7% of a `--output null` run's CPU.
    /// Keys whose bit is set in `skipping` (looked up before) are not looked for.
    package func topLevelValues(
        _ keys: inout TopLevelKeys,
        in event: Int,
        into values: inout [FieldSlot?],
        skipping: UInt64 = 0
    ) {
        precondition(values.count >= keys.ranges.count, "room for every key")
        values.withUnsafeMutableBufferPointer {
            topLevelValues(&keys, in: event, into: $0.baseAddress!, skipping: skipping)
        }
    }

    /// `topLevelValues(_:in:into:skipping:)` writing to `values`, which has room for every key.
    package func topLevelValues(
        _ keys: inout TopLevelKeys,
        in event: Int,
        into values: UnsafeMutablePointer<FieldSlot?>,
        skipping: UInt64 = 0
    ) {
        let record = records[event]
        var wanted: UInt64 = 0
        for position in 0..<keys.ranges.count where record.keyMask & keys.bits[position] == keys.bits[position] {
            wanted |= 1 << UInt64(position)
        }
        wanted &= ~skipping
        guard wanted != 0 else { return }
        let runFirst = record.verbatimFirst
        let runLast = record.verbatimLast
        bytes.withUnsafeBufferPointer { bytes in
            fields.withUnsafeBufferPointer { fields in
                links.withUnsafeBufferPointer { links in
                    func matches(_ index: Int, _ position: Int) -> Bool {
                        keys.tags[position] == links[index].tag
                            && Self.keyMatches(fields[index].key, keys.ranges[position], bytes)
                    }
                    if runFirst >= 0 {
                        var candidates = wanted
                        while candidates != 0 {
                            let position = candidates.trailingZeroBitCount
                            candidates &= candidates - 1
                            let hint = keys.hints[position]
                            guard hint >= 0, runFirst + hint <= runLast, matches(runFirst + hint, position) else {
                                continue
                            }
                            values[position] = fields[runFirst + hint].value
                            wanted &= ~(1 << UInt64(position))
                        }
                    }
                    var index = record.first
                    while index >= 0 && wanted != 0 {
                        var candidates = wanted
                        while candidates != 0 {
                            let position = candidates.trailingZeroBitCount
                            candidates &= candidates - 1
                            guard matches(index, position) else { continue }
                            values[position] = fields[index].value
                            wanted &= ~(1 << UInt64(position))
                            if runFirst >= 0 && index >= runFirst && index <= runLast {
                                keys.hints[position] = index - runFirst
                            }
                            break
                        }
                        index = Int(links[index].next)
                    }
                }
            }
        }
    }

    /// Keys prepared for `topLevelValues(_:in:into:)`: at most 64.
    package func topLevelKeys(_ ranges: [Range<Int>]) -> TopLevelKeys {
        precondition(ranges.count <= 64, "at most 64 keys at a time")
        return TopLevelKeys(
            ranges: ranges,
            tags: ranges.map { keyTag($0) },
            bits: ranges.map { keyBits($0) },
            hints: Array(repeating: -1, count: ranges.count)
        )
    }

    /// The top-level field of `event` whose key has the bytes at `key`; a key whose bit is not in
    /// the event's mask is absent without a walk.
    @inline(__always)
    func findTopLevelField(keyRange key: Range<Int>, in event: Int) -> Int? {
        let bits = keyBits(key)
        guard records[event].keyMask & bits == bits else { return nil }
        return findField(keyRange: key, from: records[event].first)
    }

    func findField(keyRange key: Range<Int>, from list: Int) -> Int? {
        let tag = keyTag(key)
        return bytes.withUnsafeBufferPointer { bytes in
            links.withUnsafeBufferPointer { links in
                var index = list
                while index >= 0 {
                    // Interned keys share their range; others are told apart by their tags
                    // before their bytes are compared.
                    if links[index].tag == tag && Self.keyMatches(fields[index].key, key, bytes) { return index }
                    index = Int(links[index].next)
                }
                return nil
            }
        }
    }
}

/// Top-level keys looked up together (`EventBatch.topLevelValues(_:in:into:)`): their ranges in the
/// batch and, computed once, their tags and key-mask bits; and where in a verbatim run each was
/// last found (`-1`: not yet).
package struct TopLevelKeys: Sendable {
    package let ranges: [Range<Int>]
    let tags: [UInt32]
    let bits: [UInt64]
    var hints: [Int]
}
