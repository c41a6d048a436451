import LogshipCore

/// Writes the `_bulk` answer straight into bytes, keys in Elasticsearch 8's order so that tests
/// can compare text, keeping only what the request's `filter_path` asks for.
///
/// A success item is `{"create":{"_index":…,"_id":…,"_version":1,"result":"created",
/// "_shards":{"total":2,"successful":1,"failed":0},"_seq_no":0,"_primary_term":1,"status":201}}`,
/// a failed one `{"create":{"_index":…,"_id":…,"status":409,"error":{"type":…,"reason":…,
/// "index":…,"shard":"0"}}}`. Which keys an item keeps is worked out once per action name and
/// request, not per item.
struct BulkResponseWriter {
    /// Which keys of one item are kept, for one action name.
    private struct ItemPlan {
        var everything: Bool
        var index, id, version, result, sequenceNumber, primaryTerm, status: Bool
        var shards: ResponseFilter?
        var error: ResponseFilter?

        init?(action: String, items: ResponseFilter) {
            guard let filter = items.child(action) else { return nil }
            everything = filter.includesAll
            index = filter.keepsScalar("_index")
            id = filter.keepsScalar("_id")
            version = filter.keepsScalar("_version")
            result = filter.keepsScalar("result")
            sequenceNumber = filter.keepsScalar("_seq_no")
            primaryTerm = filter.keepsScalar("_primary_term")
            status = filter.keepsScalar("status")
            shards = filter.child("_shards")
            error = filter.child("error")
        }
    }

    private(set) var bytes: [UInt8] = []
    private let filter: ResponseFilter

    init(filter: ResponseFilter) {
        self.filter = filter
    }

    /// Writes the whole answer to `request`, whose item results are `results` (in order).
    /// `body` is the request body the operations' ranges point into.
    mutating func write(
        request: BulkReceiver.BulkRequest,
        results: [BulkReceiver.ItemResult],
        body: UnsafeBufferPointer<UInt8>,
        tookMilliseconds: Int
    ) {
        bytes.reserveCapacity(16 + results.count * (filter.includesAll ? 200 : 40))
        bytes.append(UInt8(ascii: "{"))
        var fields = 0
        if filter.keepsScalar("errors") {
            append(#""errors":"#)
            append(results.contains { $0.isError } ? "true" : "false")
            fields += 1
        }
        if filter.keepsScalar("took") {
            if fields > 0 { bytes.append(UInt8(ascii: ",")) }
            append(#""took":"#)
            appendDecimal(tookMilliseconds)
            fields += 1
        }
        if let items = filter.child("items") {
            let mark = bytes.count
            if fields > 0 { bytes.append(UInt8(ascii: ",")) }
            append(#""items":["#)
            let quotedIndexNames = request.indexNames.map { name in
                var quoted: [UInt8] = []
                JSONText.appendString(name, to: &quoted)
                return quoted
            }
            var plans: [ItemPlan?] = [nil, nil, nil, nil]
            var planned: [Bool] = [false, false, false, false]
            var written = 0
            for (operation, result) in zip(request.operations, results) {
                let slot = Int(operation.action.rawValue)
                if !planned[slot] {
                    plans[slot] = ItemPlan(action: operation.action.name, items: items)
                    planned[slot] = true
                }
                guard let plan = plans[slot] else { continue }
                let itemMark = bytes.count
                if written > 0 { bytes.append(UInt8(ascii: ",")) }
                if plan.everything && !result.isError {
                    writeSuccess(operation, result, quotedIndex: quotedIndexNames, body: body, request: request)
                    written += 1
                } else if writeItem(operation, result, plan: plan, request: request, body: body) {
                    written += 1
                } else {
                    bytes.removeSubrange(itemMark...)
                }
            }
            if written == 0 && !items.includesAll {
                bytes.removeSubrange(mark...)
            } else {
                bytes.append(UInt8(ascii: "]"))
            }
        }
        bytes.append(UInt8(ascii: "}"))
    }

    /// Writes a whole success item with as few appends as possible (the common case without
    /// `filter_path`).
    private mutating func writeSuccess(
        _ operation: BulkReceiver.Operation,
        _ result: BulkReceiver.ItemResult,
        quotedIndex: [[UInt8]],
        body: UnsafeBufferPointer<UInt8>,
        request: BulkReceiver.BulkRequest
    ) {
        switch operation.action {
        case .create: append(#"{"create":{"_index":"#)
        case .index: append(#"{"index":{"_index":"#)
        case .delete: append(#"{"delete":{"_index":"#)
        case .update: append(#"{"update":{"_index":"#)
        }
        if let number = operation.index { bytes.append(contentsOf: quotedIndex[number]) } else { append(#""""#) }
        append(#","_id":"#)
        appendID(operation, request: request, body: body)
        append(#","_version":"#)
        appendDecimal(result.version)
        switch result.outcome {
        case .created: append(#","result":"created","_shards":{"total":2,"successful":1,"failed":0},"_seq_no":"#)
        case .updated: append(#","result":"updated","_shards":{"total":2,"successful":1,"failed":0},"_seq_no":"#)
        case .deleted: append(#","result":"deleted","_shards":{"total":2,"successful":1,"failed":0},"_seq_no":"#)
        default: append(#","result":"not_found","_shards":{"total":2,"successful":1,"failed":0},"_seq_no":"#)
        }
        appendDecimal(result.sequenceNumber)
        append(#","_primary_term":1,"status":"#)
        appendDecimal(result.status)
        append("}}")
    }

    /// Writes `{"action":{…}}`; returns false when the plan left it empty.
    private mutating func writeItem(
        _ operation: BulkReceiver.Operation,
        _ result: BulkReceiver.ItemResult,
        plan: ItemPlan,
        request: BulkReceiver.BulkRequest,
        body: UnsafeBufferPointer<UInt8>
    ) -> Bool {
        bytes.append(UInt8(ascii: "{"))
        appendQuoted(operation.action.name)
        append(":{")
        let start = bytes.count
        func separate() { if bytes.count > start { bytes.append(UInt8(ascii: ",")) } }
        let indexName = request.indexName(operation)
        if plan.index {
            append(#""_index":"#)
            appendQuoted(indexName)
        }
        if plan.id {
            separate()
            append(#""_id":"#)
            appendID(operation, request: request, body: body)
        }
        if result.isError {
            if plan.status {
                separate()
                append(#""status":"#)
                appendDecimal(result.status)
            }
            if let filter = plan.error {
                let mark = bytes.count
                separate()
                append(#""error":"#)
                if !writeError(operation, result, indexName: indexName, filter: filter, request: request, body: body) {
                    bytes.removeSubrange(mark...)
                }
            }
        } else {
            if plan.version {
                separate()
                append(#""_version":"#)
                appendDecimal(result.version)
            }
            if plan.result {
                separate()
                append(#""result":"#)
                appendQuoted(Self.resultName(result.outcome))
            }
            if let shards = plan.shards {
                let mark = bytes.count
                separate()
                if shards.includesAll {
                    append(#""_shards":{"total":2,"successful":1,"failed":0}"#)
                } else {
                    append(#""_shards":{"#)
                    let inner = bytes.count
                    for (name, value) in [("total", 2), ("successful", 1), ("failed", 0)] where shards.keepsScalar(name)
                    {
                        if bytes.count > inner { bytes.append(UInt8(ascii: ",")) }
                        appendQuoted(name)
                        bytes.append(UInt8(ascii: ":"))
                        appendDecimal(value)
                    }
                    if bytes.count == inner {
                        bytes.removeSubrange(mark...)
                    } else {
                        bytes.append(UInt8(ascii: "}"))
                    }
                }
            }
            if plan.sequenceNumber {
                separate()
                append(#""_seq_no":"#)
                appendDecimal(result.sequenceNumber)
            }
            if plan.primaryTerm {
                separate()
                append(#""_primary_term":1"#)
            }
            if plan.status {
                separate()
                append(#""status":"#)
                appendDecimal(result.status)
            }
        }
        guard bytes.count > start || plan.everything else { return false }
        append("}}")
        return true
    }

    /// Writes the `error` object; returns false when the filter left it empty.
    private mutating func writeError(
        _ operation: BulkReceiver.Operation,
        _ result: BulkReceiver.ItemResult,
        indexName: String,
        filter: ResponseFilter,
        request: BulkReceiver.BulkRequest,
        body: UnsafeBufferPointer<UInt8>
    ) -> Bool {
        let (type, reason) = Self.error(
            operation,
            result,
            indexName: indexName,
            id: request.idText(operation, body: body),
            request: request
        )
        bytes.append(UInt8(ascii: "{"))
        let start = bytes.count
        for (name, value) in [("type", type), ("reason", reason), ("index", indexName), ("shard", "0")]
        where filter.keepsScalar(name) {
            if bytes.count > start { bytes.append(UInt8(ascii: ",")) }
            appendQuoted(name)
            bytes.append(UInt8(ascii: ":"))
            appendQuoted(value)
        }
        bytes.append(UInt8(ascii: "}"))
        return bytes.count > start + 1
    }

    /// The Elasticsearch exception type and reason of a failed item.
    private static func error(
        _ operation: BulkReceiver.Operation,
        _ result: BulkReceiver.ItemResult,
        indexName: String,
        id: String,
        request: BulkReceiver.BulkRequest
    ) -> (type: String, reason: String) {
        switch result.outcome {
        case .conflict:
            return (
                "version_conflict_engine_exception",
                "[\(id)]: version conflict, document already exists (current version [\(result.version)])"
            )
        case .missingIndex:
            return ("action_request_validation_exception", "Validation Failed: 1: index is missing;")
        case .invalidIndexName:
            let problem = BulkReceiver.Store.indexNameProblem(indexName) ?? ""
            return ("invalid_index_name_exception", "Invalid index name [\(indexName)], \(problem)")
        case .updateUnsupported:
            return ("illegal_argument_exception", "the logship bulk receiver does not support update")
        case .missingID:
            return ("action_request_validation_exception", "Validation Failed: 1: id is missing;")
        case .sourceRejected:
            switch operation.sourceProblem {
            case .duplicateKey(let number):
                let (key, column) = request.duplicateKeys[number]
                return ("document_parsing_exception", "[1:\(column)] failed to parse: Duplicate field '\(key)'")
            default:
                return (
                    "document_parsing_exception",
                    "[1:1] failed to parse: the source on line [\(operation.line + 1)] is not a JSON object"
                )
            }
        case .injected:
            switch result.status {
            case 429:
                return (
                    "es_rejected_execution_exception",
                    "rejected execution of primary operation [injected by the bulk receiver]"
                )
            case 400: return ("document_parsing_exception", "[1:1] failed to parse: injected by the bulk receiver")
            case 403:
                return (
                    "cluster_block_exception",
                    "index [\(indexName)] blocked by: [FORBIDDEN/8/index write (api)]; injected by the bulk receiver"
                )
            case 404:
                return ("index_not_found_exception", "no such index [\(indexName)]; injected by the bulk receiver")
            case 409:
                return (
                    "version_conflict_engine_exception",
                    "[\(id)]: version conflict, document already exists (current version [1])"
                )
            default: return ("exception", "injected failure with status \(result.status)")
            }
        case .created, .updated, .deleted, .notFound:
            return ("", "")
        }
    }

    private static func resultName(_ outcome: BulkReceiver.ItemResult.Outcome) -> String {
        switch outcome {
        case .created: "created"
        case .updated: "updated"
        case .deleted: "deleted"
        case .notFound: "not_found"
        default: ""
        }
    }

    private mutating func appendID(
        _ operation: BulkReceiver.Operation,
        request: BulkReceiver.BulkRequest,
        body: UnsafeBufferPointer<UInt8>
    ) {
        if case .raw(let range) = operation.id {
            // Valid JSON string content already: no escapes, no control characters.
            bytes.append(UInt8(ascii: "\""))
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: body[range]))
            bytes.append(UInt8(ascii: "\""))
        } else {
            appendQuoted(request.idText(operation, body: body))
        }
    }

    private mutating func append(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    private mutating func appendQuoted(_ text: String) {
        JSONText.appendString(text, to: &bytes)
    }

    private mutating func appendDecimal(_ value: Int) {
        if value < 0 {
            bytes.append(UInt8(ascii: "-"))
            appendDecimal(-value)
            return
        }
        if value < 10 {
            bytes.append(UInt8(ascii: "0") + UInt8(value))
            return
        }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0
        )
        var count = 0
        var rest = value
        withUnsafeMutableBytes(of: &digits) { buffer in
            while rest > 0 && count < 10 {
                buffer[count] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
                count += 1
            }
        }
        if rest > 0 {
            bytes.append(contentsOf: String(value).utf8)
            return
        }
        withUnsafeBytes(of: &digits) { buffer in
            for index in stride(from: count - 1, through: 0, by: -1) { bytes.append(buffer[index]) }
        }
    }
}
