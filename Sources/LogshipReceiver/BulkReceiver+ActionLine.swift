extension BulkReceiver {
    /// Parses one action line, `{"create":{"_index":"logs","_id":"a1"}}`, without building a
    /// tree: the whole line is validated as JSON first (so a broken line is always
    /// `x_content_parse_exception`), then its shape is checked in Elasticsearch's order.
    ///
    /// `_index` and `_id` may be strings, numbers or booleans (their text is used); `null`, an
    /// array or an object counts as absent. A key given twice keeps its last value.
    static func parseAction(
        _ body: UnsafeBufferPointer<UInt8>,
        line: Range<Int>,
        number: Int,
        request: inout BulkRequest
    ) throws(RequestError) -> Operation {
        func malformed(_ reason: String) -> RequestError {
            RequestError(
                status: 400,
                type: "illegal_argument_exception",
                reason: "Malformed action/metadata line [\(number)], \(reason)"
            )
        }
        let bytes = UnsafeBufferPointer(rebasing: body[line])
        if let operation = canonicalCreate(bytes, body: body, line: line, number: number, request: &request) {
            return operation
        }
        var scanner = JSONScanner(bytes)
        do {
            try scanner.skipValue()
            scanner.skipWhitespace()
            guard scanner.isAtEnd else { throw JSONScanner.Failure.syntax(offset: scanner.position) }
        } catch {
            throw RequestError(
                status: 400,
                type: "x_content_parse_exception",
                reason: "[\(number):1] Unexpected character: action/metadata line [\(number)] is not valid JSON"
            )
        }
        // Valid JSON from here on: the scanner cannot fail below.
        scanner.position = 0
        scanner.skipWhitespace()
        guard scanner.current == UInt8(ascii: "{") else {
            throw malformed("expected START_OBJECT but found [\(tokenName(bytes, at: scanner.position))]")
        }
        scanner.position += 1
        if scanner.consume(UInt8(ascii: "}")) { throw malformed("expected FIELD_NAME but found [END_OBJECT]") }
        scanner.skipWhitespace()
        let key = (try? scanner.readString()) ?? JSONScanner.StringToken(range: 0..<0, hasEscapes: false)
        _ = scanner.consume(UInt8(ascii: ":"))
        scanner.skipWhitespace()
        let valueStart = scanner.position
        try? scanner.skipValue()
        if scanner.consume(UInt8(ascii: ",")) { throw malformed("expected END_OBJECT but found [FIELD_NAME]") }
        let keyBytes = scanner.unescaped(key)
        guard let action = Self.action(named: keyBytes) else {
            let name = String(decoding: keyBytes, as: UTF8.self)
            throw malformed("expected field [create], [delete], [index] or [update] but found [\(name)]")
        }
        guard bytes[valueStart] == UInt8(ascii: "{") else {
            throw malformed("expected START_OBJECT but found [\(tokenName(bytes, at: valueStart))]")
        }
        var operation = Operation(action: action, index: nil, id: .none, key: nil, line: number)
        scanner.position = valueStart + 1
        if scanner.consume(UInt8(ascii: "}")) { return operation }
        repeat {
            scanner.skipWhitespace()
            guard let name = try? scanner.readString() else { break }
            _ = scanner.consume(UInt8(ascii: ":"))
            scanner.skipWhitespace()
            let isIndex = matches(bytes, name, "_index")
            let isID = !isIndex && matches(bytes, name, "_id")
            guard isIndex || isID else {
                try? scanner.skipValue()
                continue
            }
            let value = scalar(&scanner)
            if isIndex {
                switch value {
                case .none: operation.index = nil
                case .raw(let range):
                    operation.index = request.intern(range: range.offset(by: line.lowerBound), of: body)
                case .text(let text): operation.index = request.intern(text)
                }
            } else {
                switch value {
                case .none:
                    operation.id = .none
                    operation.key = nil
                case .raw(let range):
                    operation.id = .raw(range.offset(by: line.lowerBound))
                    operation.key = DocumentKey(UnsafeBufferPointer(rebasing: bytes[range]))
                case .text(let text):
                    operation.id = request.add(text)
                    operation.key = DocumentKey(text)
                }
            }
        } while scanner.consume(UInt8(ascii: ","))
        return operation
    }

    /// The action line logship writes, `{"create":{"_index":"…","_id":"…"}}` (or without `_id`),
    /// with plain ASCII values: read by comparing its fixed parts instead of scanning it as JSON,
    /// which was a fifth of the receiver's CPU in `logship bench`. Anything else (other spacing,
    /// escapes, non-ASCII bytes, other keys) goes the general way; the result is the same.
    private static func canonicalCreate(
        _ bytes: UnsafeBufferPointer<UInt8>,
        body: UnsafeBufferPointer<UInt8>,
        line: Range<Int>,
        number: Int,
        request: inout BulkRequest
    ) -> Operation? {
        var position = 0
        func literal(_ text: StaticString) -> Bool {
            let count = text.utf8CodeUnitCount
            guard position + count <= bytes.count else { return false }
            for index in 0..<count where bytes[position + index] != text.utf8Start[index] { return false }
            position += count
            return true
        }
        /// Plain ASCII string content up to the closing quote; nil when there is none or the
        /// content needs the general parser.
        func plainString() -> Range<Int>? {
            let start = position
            while position < bytes.count {
                let byte = bytes[position]
                if byte == UInt8(ascii: "\"") { return start..<position }
                guard byte >= 0x20, byte < 0x80, byte != UInt8(ascii: "\\") else { return nil }
                position += 1
            }
            return nil
        }
        guard literal(#"{"create":{"_index":""#), let index = plainString() else { return nil }
        position += 1
        var id: Range<Int>?
        if literal(#","_id":""#) {
            guard let found = plainString() else { return nil }
            id = found
            position += 1
        }
        guard literal("}}"), position == bytes.count else { return nil }
        var operation = Operation(action: .create, index: nil, id: .none, key: nil, line: number)
        operation.index = request.intern(range: index.offset(by: line.lowerBound), of: body)
        if let id {
            operation.id = .raw(id.offset(by: line.lowerBound))
            operation.key = DocumentKey(UnsafeBufferPointer(rebasing: bytes[id]))
        }
        return operation
    }

    /// A scalar value of an action line.
    private enum Scalar {
        case none
        /// Bytes of the line that are valid JSON string content as they are.
        case raw(Range<Int>)
        /// A string that had escapes, decoded.
        case text(String)
    }

    /// The value at the scanner as `_index`/`_id` text (ranges relative to the line).
    private static func scalar(_ scanner: inout JSONScanner) -> Scalar {
        let start = scanner.position
        guard let first = scanner.current else { return .none }
        switch first {
        case UInt8(ascii: "\""):
            guard let token = try? scanner.readString() else { return .none }
            if token.hasEscapes { return .text(String(decoding: scanner.unescaped(token), as: UTF8.self)) }
            return .raw(token.range)
        case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            try? scanner.skipValue()
            return .raw(start..<scanner.position)
        default:
            try? scanner.skipValue()
            return .none
        }
    }

    private static func action(named name: [UInt8]) -> Operation.Action? {
        switch name.count {
        case 5 where name.elementsEqual("index".utf8): .index
        case 6 where name.elementsEqual("create".utf8): .create
        case 6 where name.elementsEqual("delete".utf8): .delete
        case 6 where name.elementsEqual("update".utf8): .update
        default: nil
        }
    }

    private static func matches(
        _ bytes: UnsafeBufferPointer<UInt8>,
        _ token: JSONScanner.StringToken,
        _ name: StaticString
    ) -> Bool {
        guard !token.hasEscapes, token.range.count == name.utf8CodeUnitCount else { return false }
        let start = name.utf8Start
        for index in 0..<token.range.count where bytes[token.range.lowerBound + index] != start[index] {
            return false
        }
        return true
    }

    /// The Jackson token name Elasticsearch reports for the value starting at `position`.
    private static func tokenName(_ bytes: UnsafeBufferPointer<UInt8>, at position: Int) -> String {
        guard position < bytes.count else { return "null" }
        switch bytes[position] {
        case UInt8(ascii: "{"): return "START_OBJECT"
        case UInt8(ascii: "\""): return "VALUE_STRING"
        case UInt8(ascii: "["): return "START_ARRAY"
        case UInt8(ascii: "t"): return "VALUE_TRUE"
        case UInt8(ascii: "f"): return "VALUE_FALSE"
        case UInt8(ascii: "n"): return "VALUE_NULL"
        default:
            var scanner = JSONScanner(bytes, position: position)
            let number = (try? scanner.readNumber()) ?? position..<position
            let isFloat = number.contains {
                bytes[$0] == UInt8(ascii: ".") || bytes[$0] == UInt8(ascii: "e") || bytes[$0] == UInt8(ascii: "E")
            }
            return isFloat ? "VALUE_NUMBER_FLOAT" : "VALUE_NUMBER_INT"
        }
    }
}

extension Range<Int> {
    fileprivate func offset(by amount: Int) -> Range<Int> { (lowerBound + amount)..<(upperBound + amount) }
}
