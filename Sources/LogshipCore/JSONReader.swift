/// The cursor of `JSONParser`: a recursive-descent reader over a byte buffer.
///
/// Recursion depth is bounded by `JSONParser.maximumDepth`. `scratch` is reused for strings that
/// contain escapes, so a document allocates one scratch buffer at most.
struct JSONReader {
    /// The whole input.
    let bytes: UnsafeBufferPointer<UInt8>
    /// The offset of the next byte to read.
    var index = 0
    /// How many arrays and objects enclose `index`.
    var depth = 0
    /// Bytes of the string being decoded, when it has escapes.
    var scratch: [UInt8] = []

    /// A reader at the start of `bytes`.
    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// Parses one value surrounded by optional whitespace and nothing else.
    mutating func parseDocument() throws(JSONParseError) -> FieldValue {
        let value = try parseValue()
        skipWhitespace()
        if index < bytes.count { throw failure(.trailingCharacters) }
        return value
    }

    /// An error at the current offset.
    func failure(_ reason: JSONParseError.Reason) -> JSONParseError {
        JSONParseError(offset: index, reason: reason)
    }

    /// Skips space, tab, CR and LF.
    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    /// Parses one value after optional whitespace.
    mutating func parseValue() throws(JSONParseError) -> FieldValue {
        skipWhitespace()
        guard index < bytes.count else { throw failure(.unexpectedEnd) }
        switch bytes[index] {
        case UInt8(ascii: "{"): return .object(try parseObject())
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw failure(.unexpectedCharacter)
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let count = literal.utf8CodeUnitCount
        let start = literal.utf8Start
        for offset in 0..<count {
            guard index < bytes.count else { throw failure(.unexpectedEnd) }
            guard bytes[index] == start[offset] else { throw failure(.invalidLiteral) }
            index += 1
        }
    }

    private mutating func enterContainer() throws(JSONParseError) {
        depth += 1
        if depth > JSONParser.maximumDepth { throw failure(.tooDeep) }
        index += 1
    }

    /// Parses an object; `index` is at its `{`.
    mutating func parseObject() throws(JSONParseError) -> FieldObject {
        try enterContainer()
        var object = FieldObject()
        skipWhitespace()
        if index < bytes.count && bytes[index] == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return object
        }
        while true {
            skipWhitespace()
            guard index < bytes.count else { throw failure(.unexpectedEnd) }
            guard bytes[index] == UInt8(ascii: "\"") else { throw failure(.expectedKey) }
            let key = try parseString()
            skipWhitespace()
            guard index < bytes.count else { throw failure(.unexpectedEnd) }
            guard bytes[index] == UInt8(ascii: ":") else { throw failure(.expectedColon) }
            index += 1
            object[key] = try parseValue()
            skipWhitespace()
            guard index < bytes.count else { throw failure(.unexpectedEnd) }
            switch bytes[index] {
            case UInt8(ascii: ","):
                index += 1
            case UInt8(ascii: "}"):
                index += 1
                depth -= 1
                return object
            default:
                throw failure(.expectedCommaOrEnd)
            }
        }
    }

    /// Parses an array; `index` is at its `[`.
    private mutating func parseArray() throws(JSONParseError) -> FieldValue {
        try enterContainer()
        var values: [FieldValue] = []
        skipWhitespace()
        if index < bytes.count && bytes[index] == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return .array(values)
        }
        while true {
            values.append(try parseValue())
            skipWhitespace()
            guard index < bytes.count else { throw failure(.unexpectedEnd) }
            switch bytes[index] {
            case UInt8(ascii: ","):
                index += 1
            case UInt8(ascii: "]"):
                index += 1
                depth -= 1
                return .array(values)
            default:
                throw failure(.expectedCommaOrEnd)
            }
        }
    }
}
