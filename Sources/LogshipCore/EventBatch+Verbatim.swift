/// Members shipped as they were read.
///
/// When `parse_json` merges every member of an object into an event as new top-level fields,
/// in order, those fields are a run of consecutive entries of the field table whose keys and
/// values are ranges in the object's text. As long as no step changes them, the bulk encoder
/// copies the text from the first member's key to the last member's value in one piece instead
/// of writing member after member (the whitespace between them, as the service wrote it, comes
/// along).
///
/// Nothing has to remember to give the run up: replacing a value clears the field's
/// `isVerbatim`, and removing a field breaks the chain of consecutive indices, which
/// `verbatimMembers(of:)` checks every time.
extension EventBatch {
    /// Marks top-level fields `first...last` of `event` as the members of one JSON object, in
    /// order, each key and value a range in that object's text (keys without escapes). The caller
    /// appended them one after the other, so they are consecutive in the field table.
    package mutating func markVerbatim(event: Int, fields run: ClosedRange<Int>) {
        for index in run { fields[index].isVerbatim = true }
        records[event].verbatimFirst = run.lowerBound
        records[event].verbatimLast = run.upperBound
    }

    /// Appends every member of a parsed JSON object (whose text starts at `base` in the bytes) to
    /// `event` as new top-level fields, in order, and marks them verbatim: `parse_json`'s common
    /// case in one pass, without looking each key up. Only when that is exactly what merging them
    /// one by one would do: no key written with escapes, none of `reserved`, none that may already
    /// be in the event (its key bits are not all in the event's mask). Otherwise changes nothing
    /// and returns `false`. The members' keys are unique (the caller's scan said so).
    package mutating func appendVerbatimMembers(
        _ members: [JSONMember],
        base: Int,
        toEvent event: Int,
        unlessKeys reserved: [Range<Int>]
    ) -> Bool {
        guard !members.isEmpty else { return false }
        let mask = records[event].keyMask
        var bits: UInt64 = 0
        for member in members {
            guard !member.keyHasEscapes else { return false }
            let key = (member.key.lowerBound + base)..<(member.key.upperBound + base)
            let memberBits = keyBits(key)
            guard mask & memberBits != memberBits else { return false }
            for other in reserved where bytesEqual(key, other) { return false }
            bits |= memberBits
        }
        appendVerbatimRun(members, base: base, toEvent: event, bits: bits)
        return true
    }

    /// The second half of `appendVerbatimMembers`, once the members are known to be new: fields
    /// and links written in place, with one capacity check each instead of one per member.
    private mutating func appendVerbatimRun(
        _ members: [JSONMember],
        base: Int,
        toEvent event: Int,
        bits: UInt64
    ) {
        let first = fields.count
        // Through buffers: closures that captured the arrays retained and released them per
        // call, and a link appended at a time checked the links' uniqueness per member.
        members.withUnsafeBufferPointer { members in
            fields.append(addingCapacity: members.count) { span in
                for member in members {
                    let value = (member.value.lowerBound + base)..<(member.value.upperBound + base)
                    let slot: FieldSlot =
                        member.kind == .string
                        ? .jsonString(value, escaped: member.valueHasEscapes) : .json(value, member.kind)
                    var field = Field(
                        key: (member.key.lowerBound + base)..<(member.key.upperBound + base),
                        value: slot
                    )
                    field.isVerbatim = true
                    span.append(field)
                }
            }
            bytes.withUnsafeBufferPointer { bytes in
                links.append(addingCapacity: members.count) { span in
                    for (position, member) in members.enumerated() {
                        let key = (member.key.lowerBound + base)..<(member.key.upperBound + base)
                        let next = position == members.count - 1 ? -1 : Int32(first + position + 1)
                        span.append(FieldLink(tag: Self.keyTag(key, bytes), next: next))
                    }
                }
            }
        }
        let last = first + members.count - 1
        let previous = records[event].last
        if previous >= 0 { links[previous].next = Int32(first) } else { records[event].first = first }
        records[event].last = last
        records[event].keyMask |= bits
        records[event].verbatimFirst = first
        records[event].verbatimLast = last
    }

    /// The verbatim run of `event`, if it is still intact: its last field (the walk of the
    /// event's fields goes on from that one's `next`) and the bytes from the first key's opening
    /// quote through the last value's end. `nil` when the event has none or a step changed it.
    package func verbatimMembers(of event: Int) -> (last: Int, text: Range<Int>)? {
        let first = records[event].verbatimFirst
        let last = records[event].verbatimLast
        guard first >= 0, last >= first, last < fields.count else { return nil }
        return fields.withUnsafeBufferPointer { fields -> (last: Int, text: Range<Int>)? in
            var index = first
            while true {
                guard fields[index].isVerbatim else { return nil }
                if index == last { break }
                guard links[index].next == index + 1 else { return nil }
                index += 1
            }
            let start = fields[first].key.lowerBound - 1
            let end: Int
            switch fields[last].value {
            case .jsonString(let range, _): end = range.upperBound + 1
            case .json(let range, _): end = range.upperBound
            default: return nil
            }
            guard start >= 0, end <= bytes.count, start < end else { return nil }
            return (last, start..<end)
        }
    }

    /// The text of `event`'s intact verbatim run, if any (for tests and logs).
    package func verbatimText(of event: Int) -> String? {
        guard let run = verbatimMembers(of: event) else { return nil }
        return bytes.withUnsafeBufferPointer {
            String(decoding: UnsafeBufferPointer(rebasing: $0[run.text]), as: UTF8.self)
        }
    }
}
