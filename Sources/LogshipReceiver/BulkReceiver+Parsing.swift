#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension BulkReceiver {
    /// Splits an NDJSON bulk body into operations.
    ///
    /// Rules, after Elasticsearch 8: the body must end with a newline; blank action lines are
    /// skipped; an action line must be a JSON object with exactly one key, `create`, `index`,
    /// `delete` or `update`, whose value is an object (`_index` and `_id` are read, other
    /// metadata is ignored); every action but `delete` is followed by a source line. A malformed
    /// action line fails the whole request with 400 `illegal_argument_exception` (or
    /// `x_content_parse_exception` when it is not JSON at all). A source line that cannot be
    /// indexed is only marked, to become an item error: without `strict`, one whose first and last
    /// non-blank bytes are not `{` and `}`; with `strict`, one that is not a valid JSON object
    /// with unique keys.
    ///
    /// Cost without `strict`: a `memchr` per line, a validating scan of each (short) action line,
    /// two byte checks per source line; nothing is allocated per document.
    static func parse(
        _ body: UnsafeBufferPointer<UInt8>,
        defaultIndex: String?,
        strict: Bool
    ) throws(RequestError) -> BulkRequest {
        guard !body.isEmpty else {
            throw RequestError(
                status: 400,
                type: "action_request_validation_exception",
                reason: "Validation Failed: 1: no requests added;"
            )
        }
        guard body[body.count - 1] == UInt8(ascii: "\n") else {
            throw RequestError(
                status: 400,
                type: "illegal_argument_exception",
                reason: "The bulk request must be terminated by a newline [\\n]"
            )
        }
        var request = BulkRequest()
        let defaultIndexNumber = defaultIndex.map { request.intern($0) }
        var lines = LineIterator(body: body)
        var number = 0
        while let line = lines.next() {
            number += 1
            if isBlank(line, in: body) { continue }
            var operation = try parseAction(body, line: line, number: number, request: &request)
            if operation.index == nil { operation.index = defaultIndexNumber }
            if operation.action != .delete {
                guard let source = lines.next() else {
                    throw RequestError(
                        status: 400,
                        type: "action_request_validation_exception",
                        reason:
                            "Validation Failed: 1: the \(operation.action.name) action on line [\(number)] has no source line;"
                    )
                }
                number += 1
                operation.source = source
                operation.sourceProblem =
                    strict ? strictProblem(body, source, request: &request) : quickProblem(body, source)
            }
            request.operations.append(operation)
        }
        guard !request.operations.isEmpty else {
            throw RequestError(
                status: 400,
                type: "action_request_validation_exception",
                reason: "Validation Failed: 1: no requests added;"
            )
        }
        return request
    }

    /// The lines of a body that ends with a newline, without their `\n`, found with `memchr`.
    private struct LineIterator {
        let body: UnsafeBufferPointer<UInt8>
        var start = 0

        mutating func next() -> Range<Int>? {
            guard start < body.count, let base = body.baseAddress else { return nil }
            guard let found = memchr(base + start, Int32(UInt8(ascii: "\n")), body.count - start) else { return nil }
            let end = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(found))
            defer { start = end + 1 }
            return start..<end
        }
    }

    private static func isBlank(_ line: Range<Int>, in body: UnsafeBufferPointer<UInt8>) -> Bool {
        for index in line {
            let byte = body[index]
            if byte != UInt8(ascii: " ") && byte != UInt8(ascii: "\t") && byte != UInt8(ascii: "\r") { return false }
        }
        return true
    }

    private static func quickProblem(_ body: UnsafeBufferPointer<UInt8>, _ line: Range<Int>) -> Operation.SourceProblem?
    {
        var first = line.lowerBound
        var last = line.upperBound - 1
        while first <= last, isWhitespace(body[first]) { first += 1 }
        while last >= first, isWhitespace(body[last]) { last -= 1 }
        guard first < last, body[first] == UInt8(ascii: "{"), body[last] == UInt8(ascii: "}") else {
            return .notObject
        }
        return nil
    }

    private static func strictProblem(
        _ body: UnsafeBufferPointer<UInt8>,
        _ line: Range<Int>,
        request: inout BulkRequest
    ) -> Operation.SourceProblem? {
        var scanner = JSONScanner(UnsafeBufferPointer(rebasing: body[line]))
        scanner.rejectsDuplicateKeys = true
        scanner.skipWhitespace()
        guard scanner.current == UInt8(ascii: "{") else { return .notObject }
        do {
            try scanner.skipValue()
            scanner.skipWhitespace()
            return scanner.isAtEnd ? nil : .notObject
        } catch .duplicateKey(let key, let offset) {
            request.duplicateKeys.append((key, offset + 1))
            return .duplicateKey(request.duplicateKeys.count - 1)
        } catch {
            return .notObject
        }
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A
    }
}
