#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension BulkReceiver {
    /// A parsed bulk body: its operations, and the text they refer to, each kept once.
    struct BulkRequest: Sendable {
        var operations: [Operation] = []
        /// The index names the operations use.
        var indexNames: [String] = []
        /// Decoded ids (those written with escapes) and generated ids.
        var texts: [String] = []
        /// Strict mode: the keys named twice in refused sources, with the 1-based column just
        /// past the second one.
        var duplicateKeys: [(key: String, column: Int)] = []
        /// The last index name met as bytes of the body: consecutive actions naming the same
        /// index (the usual case) cost one `memcmp`.
        private var lastIndex: (range: Range<Int>, number: Int)?

        /// The number of `name` in `indexNames`, added when new.
        mutating func intern(_ name: String) -> Int {
            if let number = indexNames.firstIndex(of: name) { return number }
            indexNames.append(name)
            return indexNames.count - 1
        }

        /// The number of the index name written (without escapes) at `range` of `body`.
        mutating func intern(range: Range<Int>, of body: UnsafeBufferPointer<UInt8>) -> Int {
            if let lastIndex, lastIndex.range.count == range.count,
                memcmp(
                    body.baseAddress! + lastIndex.range.lowerBound,
                    body.baseAddress! + range.lowerBound,
                    range.count
                )
                    == 0
            {
                return lastIndex.number
            }
            let number = intern(String(decoding: UnsafeBufferPointer(rebasing: body[range]), as: UTF8.self))
            lastIndex = (range, number)
            return number
        }

        /// Keeps `text` and returns the id that refers to it.
        mutating func add(_ text: String) -> Operation.ID {
            texts.append(text)
            return .text(texts.count - 1)
        }

        /// The id of `operation` as text; empty when it has none.
        func idText(_ operation: Operation, body: UnsafeBufferPointer<UInt8>) -> String {
            switch operation.id {
            case .none: ""
            case .raw(let range): String(decoding: UnsafeBufferPointer(rebasing: body[range]), as: UTF8.self)
            case .text(let number): texts[number]
            }
        }

        /// The source line of `operation` as text; empty when it has none.
        func sourceText(_ operation: Operation, body: UnsafeBufferPointer<UInt8>) -> String {
            operation.source.map { String(decoding: UnsafeBufferPointer(rebasing: body[$0]), as: UTF8.self) } ?? ""
        }

        /// The index name of `operation`; empty when it has none.
        func indexName(_ operation: Operation) -> String {
            operation.index.map { indexNames[$0] } ?? ""
        }
    }
}
