extension MetricStoreSnapshot {
    /// Appends the snapshot as the JSON object `JSONDecoder` reads back into it: the counted
    /// offsets, and each family in columns (see `FamilySnapshot+Codable.swift`), keys sorted.
    ///
    /// Written by hand, not by `JSONEncoder`, which took 2.8 s for 200,000 series (building a
    /// tree of every value first); this takes about 22 ms for them, reading a captured store's
    /// series in place. Numbers are exact (`JSONWriter.writeNumber`), NaN and infinities as
    /// strings.
    ///
    /// Whenever `bytes` holds `pieceSize` bytes or more (checked every few hundred series),
    /// `flush` is called with them and they are removed: the text can go to a file a piece at a
    /// time instead of being held whole (about 11 MB for 200,000 series).
    ///
    /// Consuming: a snapshot of a store lets go of each family's series once they are written.
    /// When it held the only other reference to them, the store's next update of that family
    /// does not copy them (see `MetricStore.snapshot()`).
    package consuming func writeJSON(
        into bytes: inout [UInt8],
        pieceSize: Int = .max,
        flush: ([UInt8]) throws -> Void = { _ in }
    ) rethrows {
        var output = Output(bytes: [], pieceSize: pieceSize)
        swap(&output.bytes, &bytes)
        defer { swap(&output.bytes, &bytes) }
        output.append(#"{"countedOffsets":["#)
        let offsetBound = { (_: Int) in 80 }
        try output.elements(countedOffsets.count, bound: offsetBound, flush: flush) { index, writer in
            let entry = countedOffsets[index]
            writer.write(#"{"fileKey":{"device":"#)
            writer.writeUnsigned(entry.fileKey.device)
            writer.write(#","inode":"#)
            writer.writeUnsigned(entry.fileKey.inode)
            writer.write(#"},"offset":"#)
            writer.writeSigned(entry.offset)
            writer.write(UInt8(ascii: "}"))
        }
        output.append(#"],"families":["#)
        try forEachFamilyLettingGo { family, identities, values, first in
            if !first { output.append(",") }
            try Self.writeFamily(family, identities: identities, values: values, into: &output, flush: flush)
        }
        output.append("]}")
    }

    /// The text written so far, and when to hand it on.
    private struct Output {
        var bytes: [UInt8]
        let pieceSize: Int

        mutating func append(_ text: StaticString) {
            bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
        }

        mutating func flushIfFull(_ flush: ([UInt8]) throws -> Void) rethrows {
            guard bytes.count >= pieceSize else { return }
            try flush(bytes)
            bytes.removeAll(keepingCapacity: true)
        }

        /// `count` elements separated by commas, written a few hundred at a time, each at most
        /// `bound(index)` bytes long.
        mutating func elements(
            _ count: Int,
            bound: (Int) -> Int,
            flush: ([UInt8]) throws -> Void,
            element: (Int, inout JSONWriter) -> Void
        ) rethrows {
            var start = 0
            while start < count {
                let end = min(count, start + 256)
                var chunkBound = 0
                for index in start..<end { chunkBound += bound(index) + 1 }
                bytes.appendJSON(atMost: chunkBound) { writer in
                    for index in start..<end {
                        if index > 0 { writer.write(UInt8(ascii: ",")) }
                        element(index, &writer)
                    }
                }
                try flushIfFull(flush)
                start = end
            }
        }
    }

    private static func writeFamily(
        _ family: MetricFamily,
        identities: UnsafeBufferPointer<SeriesIdentity>,
        values: UnsafeBufferPointer<SeriesValue>,
        into output: inout Output,
        flush: ([UInt8]) throws -> Void
    ) rethrows {
        let count = values.count
        let number = { (_: Int) in JSONWriter.numberBound }
        let integer = { (_: Int) in 21 }
        let bucketCounts = { (index: Int) in values[index].bucketCounts.count * 21 + 2 }
        let window = { (index: Int) in values[index].window?.jsonBound ?? 4 }
        let columns = FamilySnapshot.columns(of: family.kind)
        output.append("{")
        // In the order of their keys.
        if columns.contains(.bucketCounts) {
            output.append(#""bucketCounts":["#)
            try output.elements(count, bound: bucketCounts, flush: flush) { index, writer in
                writer.write(UInt8(ascii: "["))
                for (position, count) in values[index].bucketCounts.enumerated() {
                    if position > 0 { writer.write(UInt8(ascii: ",")) }
                    writer.writeUnsigned(count)
                }
                writer.write(UInt8(ascii: "]"))
            }
            output.append("],")
        }
        if columns.contains(.counts) {
            output.append(#""counts":["#)
            try output.elements(count, bound: integer, flush: flush) { $1.writeUnsigned(values[$0].count) }
            output.append("],")
        }
        // Whole milliseconds (as the store makes them): as steps from the series before.
        if values.indices.allSatisfy({ FamilySnapshot.createdMilliseconds(values[$0].created) != nil }) {
            output.append(#""createdMillisecondDeltas":["#)
            var previous: Int64 = 0
            try output.elements(count, bound: integer, flush: flush) { index, writer in
                let milliseconds = FamilySnapshot.createdMilliseconds(values[index].created) ?? 0
                writer.writeSigned(milliseconds &- previous)
                previous = milliseconds
            }
        } else {
            output.append(#""created":["#)
            try output.elements(count, bound: number, flush: flush) { index, writer in
                if let created = values[index].created { writer.writeNumber(created) } else { writer.write("null") }
            }
        }
        output.append(#"],"family":"#)
        writeDefinition(family, into: &output.bytes)
        output.append(#","labelValues":["#)
        // A series at a time, from its lookup key: its label values' bytes in one array, each
        // followed by 0xFF (`JSONWriter.writeStringArray`; no string is touched).
        var start = 0
        while start < count {
            let end = min(count, start + 256)
            for index in start..<end {
                identities[index].key.withUnsafeBufferPointer { key in
                    output.bytes.appendJSON(atMost: JSONWriter.escapedBound(key.count) + 4) { writer in
                        if index > 0 { writer.write(UInt8(ascii: ",")) }
                        writer.writeStringArray(key)
                    }
                }
            }
            try output.flushIfFull(flush)
            start = end
        }
        output.append("]")
        if columns.contains(.sums) {
            output.append(#","sums":["#)
            try output.elements(count, bound: number, flush: flush) { $1.writeNumber(values[$0].sum) }
            output.append("]")
        }
        if columns.contains(.values) {
            output.append(#","values":["#)
            try output.elements(count, bound: number, flush: flush) { $1.writeNumber(values[$0].value) }
            output.append("]")
        }
        if columns.contains(.windows) {
            output.append(#","windows":["#)
            try output.elements(count, bound: window, flush: flush) { index, writer in
                if let window = values[index].window { window.writeJSON(into: &writer) } else { writer.write("null") }
            }
            output.append("]")
        }
        output.append("}")
    }

    /// A family's definition, as `MetricFamily`'s `Codable` conformance has it.
    private static func writeDefinition(_ family: MetricFamily, into bytes: inout [UInt8]) {
        let strings = [family.name, family.help] + family.labelNames
        let bound =
            300 + strings.reduce(0) { $0 + JSONWriter.escapedBound($1.utf8.count) + 3 }
            + (family.buckets.count + (family.quantiles?.count ?? 0)) * (JSONWriter.numberBound + 1)
        bytes.appendJSON(atMost: bound) { writer in
            writer.write(UInt8(ascii: "{"))
            if let ageBuckets = family.ageBuckets {
                writer.write(#""ageBuckets":"#)
                writer.writeSigned(Int64(ageBuckets))
                writer.write(UInt8(ascii: ","))
            }
            writer.write(#""buckets":"#)
            writeNumbers(family.buckets, into: &writer)
            writer.write(#","help":""#)
            writeEscaped(family.help, into: &writer)
            writer.write(#"","kind":""#)
            writeEscaped(family.kind.rawValue, into: &writer)
            writer.write(#"","labelNames":"#)
            writeStrings(family.labelNames, into: &writer)
            if let maxAge = family.maxAge {
                writer.write(#","maxAge":"#)
                writer.writeNumber(maxAge)
            }
            if let maximumSeries = family.maximumSeries {
                writer.write(#","maximumSeries":"#)
                writer.writeSigned(Int64(maximumSeries))
            }
            writer.write(#","name":""#)
            writeEscaped(family.name, into: &writer)
            writer.write(UInt8(ascii: "\""))
            if let quantiles = family.quantiles {
                writer.write(#","quantiles":"#)
                writeNumbers(quantiles, into: &writer)
            }
            writer.write(UInt8(ascii: "}"))
        }
    }

    private static func writeStrings(_ strings: [String], into writer: inout JSONWriter) {
        writer.write(UInt8(ascii: "["))
        for (index, string) in strings.enumerated() {
            if index > 0 { writer.write(UInt8(ascii: ",")) }
            writer.write(UInt8(ascii: "\""))
            writeEscaped(string, into: &writer)
            writer.write(UInt8(ascii: "\""))
        }
        writer.write(UInt8(ascii: "]"))
    }

    private static func writeNumbers(_ numbers: [Double], into writer: inout JSONWriter) {
        writer.write(UInt8(ascii: "["))
        for (index, number) in numbers.enumerated() {
            if index > 0 { writer.write(UInt8(ascii: ",")) }
            writer.writeNumber(number)
        }
        writer.write(UInt8(ascii: "]"))
    }

    private static func writeEscaped(_ string: String, into writer: inout JSONWriter) {
        if string.utf8.withContiguousStorageIfAvailable({ writer.writeEscaped($0) }) == nil {
            var string = string
            string.withUTF8 { writer.writeEscaped($0) }
        }
    }
}

extension QuantileWindow {
    /// The most bytes `writeJSON(into:)` writes.
    var jsonBound: Int {
        sketches.reduce(16) { $0 + 80 + JSONWriter.numberBound + ($1.positive.count + $1.negative.count) * 33 }
    }

    /// The window as its `Codable` conformance has it: `{"sketches":[…]}`, each sketch's buckets
    /// as `[index, count, index, count, …]` (how `JSONEncoder` writes a dictionary with `Int32`
    /// keys).
    func writeJSON(into writer: inout JSONWriter) {
        writer.write(#"{"sketches":["#)
        for index in sketches.indices {
            if index > 0 { writer.write(UInt8(ascii: ",")) }
            writer.write(#"{"negative":"#)
            Self.writeBuckets(sketches[index].negative, into: &writer)
            writer.write(#","positive":"#)
            Self.writeBuckets(sketches[index].positive, into: &writer)
            writer.write(#","start":"#)
            writer.writeNumber(sketches[index].start)
            writer.write(#","zero":"#)
            writer.writeUnsigned(sketches[index].zero)
            writer.write(UInt8(ascii: "}"))
        }
        writer.write("]}")
    }

    private static func writeBuckets(_ buckets: [Int32: UInt64], into writer: inout JSONWriter) {
        writer.write(UInt8(ascii: "["))
        var first = true
        for (index, count) in buckets {
            if !first { writer.write(UInt8(ascii: ",")) }
            first = false
            writer.writeSigned(Int64(index))
            writer.write(UInt8(ascii: ","))
            writer.writeUnsigned(count)
        }
        writer.write(UInt8(ascii: "]"))
    }
}
