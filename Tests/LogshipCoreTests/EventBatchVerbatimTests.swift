import Foundation
import LogshipCore
import Testing

/// `markVerbatim` / `verbatimMembers(of:)`: the run holds only while no step changes it.
struct EventBatchVerbatimTests {
    /// An event whose fields are the three members of `{"a": 1, "b": "x", "c": [2]}`, marked
    /// verbatim, and one more field (`after`) appended behind them.
    private func makeBatch() -> EventBatch {
        var batch = EventBatch()
        let text = batch.append(text: #"{"a": 1, "b": "x", "c": [2]}"#)
        let event = batch.appendEvent(timestamp: Date(timeIntervalSince1970: 0), text: text)
        let base = text.lowerBound
        let a = batch.appendField(base + 2..<base + 3, .json(base + 6..<base + 7, .number), toEvent: event)
        batch.appendField(base + 10..<base + 11, .jsonString(base + 15..<base + 16, escaped: false), toEvent: event)
        let c = batch.appendField(base + 20..<base + 21, .json(base + 24..<base + 27, .array), toEvent: event)
        batch.markVerbatim(event: event, fields: a...c)
        batch.appendField(batch.key("after"), .integer(1), toEvent: event)
        return batch
    }

    @Test func anUntouchedRunIsTheMembersText() {
        let batch = makeBatch()
        #expect(batch.verbatimText(of: 0) == #""a": 1, "b": "x", "c": [2]"#)
        #expect(batch.verbatimMembers(of: 0)?.last == 2)
        #expect(batch.next(after: 2) == 3)
    }

    @Test func replacingAValueEndsTheRun() {
        var batch = makeBatch()
        batch.set(batch.resolve(FieldPath("b")), to: .integer(7), in: 0)
        #expect(batch.verbatimMembers(of: 0) == nil)
        #expect(batch.jsonText(of: 0) == #"{"a":1,"b":7,"c":[2],"after":1}"#)
    }

    @Test(arguments: ["a", "b", "c"])
    func removingAMemberEndsTheRun(key: String) {
        var batch = makeBatch()
        let removed = batch.remove(batch.resolve(FieldPath(key)), in: 0)
        #expect(removed)
        #expect(batch.verbatimMembers(of: 0) == nil)
        #expect(!batch.jsonText(of: 0).contains("\"\(key)\""))
    }

    @Test func settingInsideAMemberEndsTheRun() {
        var batch = makeBatch()
        batch.set(batch.resolve(FieldPath("c.d")), to: .integer(1), in: 0)
        #expect(batch.verbatimMembers(of: 0) == nil)
    }

    @Test func addingFieldsBehindTheRunKeepsIt() {
        var batch = makeBatch()
        batch.set(batch.resolve(FieldPath("later")), to: .bool(true), in: 0)
        #expect(batch.verbatimText(of: 0) == #""a": 1, "b": "x", "c": [2]"#)
    }

    /// `topLevelValues` looks for a key where the previous event's run had it, and must not take
    /// what it finds there on trust: another key (or one with the same tag) may sit there, the
    /// run may be shorter, or broken by a removal.
    @Test func keysGuessedFromThePreviousRunAreChecked() throws {
        var batch = EventBatch()
        let objects = [
            #"{"abc": 1, "m": 2}"#,
            #"{"m": 3, "axc": 4, "abc": 5}"#,
            #"{"axc": 6, "abc": 7}"#,
            #"{"abc": 8, "m": 9}"#,
            #"{"m": 10}"#,
            #"{"abc": 11, "m": 12}"#,
        ]
        for object in objects {
            let text = batch.append(text: object)
            let event = batch.appendEvent(timestamp: Date(timeIntervalSince1970: 0), text: text)
            var members: [JSONMember] = []
            let scanned = batch.bytes.withUnsafeBufferPointer {
                JSONScanner.scanObject(UnsafeBufferPointer(rebasing: $0[text]), from: 0, into: &members)
            }
            #expect(scanned != nil)
            let appended = batch.appendVerbatimMembers(members, base: text.lowerBound, toEvent: event, unlessKeys: [])
            #expect(appended)
        }
        let removed = batch.remove(batch.resolve(FieldPath("abc")), in: 3)
        #expect(removed)
        let names = ["abc", "m", "axc"]
        let ranges = names.map { batch.key($0) }
        var keys = batch.topLevelKeys(ranges)
        for event in 0..<batch.count {
            var found = [FieldSlot?](repeating: nil, count: names.count)
            batch.topLevelValues(&keys, in: event, into: &found)
            for (position, name) in names.enumerated() {
                let expected = batch.value(at: FieldPath(segments: [name]), in: event)
                #expect(found[position] == expected, "event \(event), \(name)")
            }
        }
        #expect(batch.value(at: FieldPath("abc"), in: 3) == nil)
        #expect(batch.value(at: FieldPath("abc"), in: 2).flatMap { batch.number($0) } == 7)
    }

    @Test func anEventWithoutARunHasNone() {
        let batch = EventBatch([Event(message: "plain", timestamp: Date(timeIntervalSince1970: 0))])
        #expect(batch.verbatimMembers(of: 0) == nil)
    }
}
