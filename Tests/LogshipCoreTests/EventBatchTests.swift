import Foundation
import LogshipCore
import Testing

struct EventBatchTests {
    private static let time = Date(timeIntervalSince1970: 1_800_000_000)

    /// A batch with one event whose only field is `doc`, JSON text indexed as `parse_json` does.
    private func batch(json: String) -> EventBatch {
        var batch = EventBatch()
        let range = batch.append(text: json)
        let event = batch.appendEvent(timestamp: Self.time, text: range)
        batch.appendField(batch.key("doc"), .json(range, .object), toEvent: event)
        return batch
    }

    @Test func roundTripsEventsThroughTheBatchForm() {
        let event = Event(
            fields: [
                "message": "hi \"there\"", "n": 3, "d": .double(2.5), "ok": .bool(false), "none": .null,
                "list": .array([1, "x"]), "obj": .object(["a": .object(["b": "c"])]),
            ],
            timestamp: Self.time,
            source: EventSource(fileKey: FileKey(device: 1, inode: 2), startOffset: 0, endOffset: 9),
            flags: ["truncated"]
        )
        let batch = EventBatch([event, event])
        #expect(batch.events == [event, event])
        #expect(
            batch.jsonText(of: 1)
                == #"{"message":"hi \"there\"","n":3,"d":2.5,"ok":false,"none":null,"list":[1,"x"],"obj":{"a":{"b":"c"}}}"#
        )
    }

    @Test func findsSeveralTopLevelKeysInOneWalk() {
        // "abc" and "axc" share a tag (length, first and last byte): told apart by their bytes.
        var batch = EventBatch([
            Event(fields: ["axc": 1, "abc": 2, "m": "x", "": 4], timestamp: Self.time),
            Event(fields: ["other": 5], timestamp: Self.time),
        ])
        let ranges = ["abc", "m", "missing", "axc", ""].map { batch.key($0) }
        var keys = batch.topLevelKeys(ranges)
        for event in 0..<batch.count {
            var found = [FieldSlot?](repeating: nil, count: ranges.count)
            batch.topLevelValues(&keys, in: event, into: &found)
            for (position, name) in ["abc", "m", "missing", "axc", ""].enumerated() {
                #expect(found[position] == batch.value(at: FieldPath(segments: [name]), in: event), "\(name)")
            }
        }
    }

    @Test func looksIntoJSONTextWithoutDecodingIt() {
        let batch = batch(json: #"{"labels": {"endpoint": "/chat", "code": 500}, "v": 0.25}"#)
        #expect(batch.value(at: FieldPath("doc.labels.endpoint"), in: 0).flatMap { batch.string($0) } == "/chat")
        #expect(batch.value(at: FieldPath("doc.labels.code"), in: 0).flatMap { batch.number($0) } == 500)
        #expect(batch.value(at: FieldPath("doc.v"), in: 0).flatMap { batch.number($0) } == 0.25)
        #expect(batch.value(at: FieldPath("doc.labels.missing"), in: 0) == nil)
        #expect(batch.value(at: FieldPath("doc.v.deeper"), in: 0) == nil)
        #expect(batch.value(at: FieldPath("nothing"), in: 0) == nil)
    }

    @Test func settingInsideJSONTextTurnsItIntoFieldsAndKeepsTheRest() {
        var batch = batch(json: #"{"labels": {"endpoint": "/chat"}, "v": 1.50}"#)
        let path = batch.resolve(FieldPath("doc.labels.region"))
        let region = batch.append(text: "eu")
        let setRegion = batch.set(path, to: .text(region), in: 0)
        #expect(setRegion)
        #expect(batch.jsonText(of: 0) == #"{"doc":{"labels":{"endpoint":"/chat","region":"eu"},"v":1.50}}"#)
        let existing = batch.resolve(FieldPath("doc.v"))
        let kept = batch.set(existing, to: .integer(2), in: 0, overwrite: false)
        #expect(!kept)
        let replaced = batch.set(existing, to: .integer(2), in: 0)
        #expect(replaced)
        #expect(batch.jsonText(of: 0) == #"{"doc":{"labels":{"endpoint":"/chat","region":"eu"},"v":2}}"#)
    }

    @Test func removesFieldsAnywhereInTheList() {
        var batch = EventBatch([Event(fields: ["a": 1, "b": 2, "c": .object(["x": 1, "y": 2])], timestamp: Self.time)])
        let removed = [batch.remove(FieldPath("b"), in: 0), batch.remove(FieldPath("c.y"), in: 0)]
        #expect(removed == [true, true])
        let missing = batch.remove(FieldPath("zz"), in: 0)
        #expect(!missing)
        #expect(batch.jsonText(of: 0) == #"{"a":1,"c":{"x":1}}"#)
        let both = [batch.remove(FieldPath("a"), in: 0), batch.remove(FieldPath("c"), in: 0)]
        #expect(both == [true, true])
        #expect(batch.jsonText(of: 0) == "{}")
        // The list still works after removing its first and last field.
        let new = batch.resolve(FieldPath("new"))
        batch.set(new, to: .bool(true), in: 0)
        #expect(batch.jsonText(of: 0) == #"{"new":true}"#)
    }

    @Test func labelTextMatchesFieldValueLabelText() {
        let values: [FieldValue] = ["x", 500, .double(1.0), .double(0.5), .bool(true), .null, .array([1])]
        let batch = EventBatch([Event(fields: ["v": .array(values)], timestamp: Self.time)])
        for value in values {
            var single = EventBatch([Event(fields: ["v": value], timestamp: Self.time)])
            var bytes: [UInt8] = []
            let slot = single.value(at: FieldPath("v"), in: 0)!
            let written = single.appendLabelText(slot, to: &bytes)
            #expect(written == (value.labelText != nil))
            #expect(String(decoding: bytes, as: UTF8.self) == (value.labelText ?? ""))
            _ = single.key("unused")
        }
        #expect(batch.count == 1)
    }

    @Test(arguments: ["0.234", "-1e3", "12", " 5", "5 ", "0x10", "abc", "1e999", ""])
    func numbersFromTextMatchDouble(text: String) {
        let batch = EventBatch([Event(fields: ["v": .string(text)], timestamp: Self.time)])
        let slot = batch.value(at: FieldPath("v"), in: 0)!
        #expect(batch.number(slot) == FieldValue.string(text).numberValue)
    }
}

struct SameBytesTests {
    /// Every length from 0 to 40, equal and with one byte changed at every position.
    @Test func comparesEveryLengthAndPosition() {
        for count in 0...40 {
            let first = (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            #expect(
                first.withUnsafeBufferPointer { a in
                    Array(first).withUnsafeBufferPointer { b in
                        EventBatch.sameBytes(
                            a.baseAddress ?? UnsafePointer(bitPattern: 1)!,
                            b.baseAddress ?? UnsafePointer(bitPattern: 1)!,
                            count: count
                        )
                    }
                }
            )
            for position in 0..<count {
                var second = first
                second[position] ^= 0x20
                let same = first.withUnsafeBufferPointer { a in
                    second.withUnsafeBufferPointer { b in
                        EventBatch.sameBytes(a.baseAddress!, b.baseAddress!, count: count)
                    }
                }
                #expect(!same, "length \(count), byte \(position)")
            }
        }
    }
}

struct ParseDoubleTests {
    private func parse(_ text: String) -> Double? {
        Array(text.utf8).withUnsafeBufferPointer { EventBatch.parseDouble($0) }
    }

    /// Plain decimals take a shortcut; they must come out exactly as `Double(String)` reads them.
    @Test func plainDecimalsMatchSwiftsParser() {
        var generator = SystemRandomNumberGenerator()
        var texts = [
            "0", "-0", "0.0", "-0.0", "7", "007", "0.1", "0.234", "2.678", "-1.5", "999999999999999",
            "0.000000000000001", "123456789.012345", "1.7976931348623157", "4.35", "0.3",
        ]
        for _ in 0..<20_000 {
            let integer = UInt64.random(in: 0..<1_000_000_000, using: &generator)
            let fraction = UInt64.random(in: 0..<1_000_000, using: &generator)
            let places = Int.random(in: 1...6, using: &generator)
            let fractionText = String(String(fraction).prefix(places))
            texts.append("\(integer).\(fractionText)")
            texts.append("-\(integer % 1000).\(fractionText)")
        }
        for text in texts {
            let expected = Double(text)
            let parsed = parse(text)
            #expect(parsed?.bitPattern == expected?.bitPattern, "\(text)")
        }
    }

    @Test(arguments: [
        "", "-", ".", "5.", ".5", "1e3", "+1", "1.2.3", "1,5", "0x10", "nan", "inf", " 1", "1 ", "--1", "-.5",
        "1234567890123456", "0.12345678901234567", "99999999999999999999", "1234567890.1234567",
    ])
    func otherTextGoesTheGeneralWay(text: String) {
        // The general way accepts some of these (as Double(String) does) and refuses the others.
        let expected = Double(text).flatMap { $0.isFinite ? $0 : nil }
        #expect(parse(text)?.bitPattern == expected?.bitPattern, "\(text)")
    }
}

struct FingerprintTests {
    /// Four at a time gives what one at a time gives, for texts of every length up to 40 in
    /// groups of four with the common part anywhere from empty to all, and for a remainder.
    @Test func fourAtATimeEqualsOneAtATime() {
        var batch = EventBatch()
        let key = FileKey(device: 1, inode: 2)
        var expected: [UInt32] = []
        var offset: Int64 = 0
        for length in 0..<43 {
            let text = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ length) }
            let range = text.withUnsafeBufferPointer { batch.append(bytes: $0) }
            let source = EventSource(fileKey: key, startOffset: offset, endOffset: offset + Int64(length))
            offset += Int64(length)
            let event = batch.appendEvent(timestamp: Date(timeIntervalSince1970: 0), source: source, text: range)
            batch.records[event].fingerprintsText = true
            expected.append(text.withUnsafeBufferPointer { EventSource.fingerprint(of: $0) })
        }
        // One event without a source and one with its fingerprint already known are left alone.
        batch.appendEvent(timestamp: Date(timeIntervalSince1970: 0))
        var known = EventSource(fileKey: key, startOffset: offset, endOffset: offset + 1)
        known.fingerprint = 7
        batch.appendEvent(timestamp: Date(timeIntervalSince1970: 0), source: known)
        let lazily = (0..<43).map { batch.source(of: $0)?.fingerprint }
        batch.computeFingerprints()
        #expect(lazily == expected)
        #expect((0..<43).map { batch.records[$0].source?.fingerprint } == expected)
        #expect((0..<43).allSatisfy { !batch.records[$0].fingerprintsText })
        #expect(batch.records[43].source == nil)
        #expect(batch.records[44].source?.fingerprint == 7)
        #expect(batch.source(of: 44)?.fingerprint == 7)
    }
}
