extension JSONReader {
    /// Parses a number; `index` is at its `-` or first digit. Integers that fit `Int64` are
    /// accumulated directly; everything else is handed to `Double(_:)` once the grammar is checked.
    mutating func parseNumber() throws(JSONParseError) -> FieldValue {
        let start = index
        let negative = bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        guard index < bytes.count else { throw failure(.unexpectedEnd) }
        // Accumulated as a negative number so that Int64.min fits.
        var accumulator: Int64 = 0
        var overflow = false
        let first = bytes[index]
        if first == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, isDigit(bytes[index]) { throw failure(.invalidNumber) }
        } else if isDigit(first) {
            while index < bytes.count, isDigit(bytes[index]) {
                if !overflow {
                    let (times10, o1) = accumulator.multipliedReportingOverflow(by: 10)
                    let (next, o2) = times10.subtractingReportingOverflow(Int64(bytes[index] - UInt8(ascii: "0")))
                    accumulator = next
                    overflow = o1 || o2
                }
                index += 1
            }
        } else {
            throw failure(.invalidNumber)
        }
        var isInteger = true
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            try skipDigits()
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            isInteger = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            try skipDigits()
        }
        if isInteger && !overflow {
            if negative { return .integer(accumulator) }
            if accumulator != Int64.min { return .integer(-accumulator) }
        }
        // Short numbers make small (inline) strings: no allocation.
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        guard let value = Double(text) else {
            throw JSONParseError(offset: start, reason: .invalidNumber)
        }
        return .double(value)
    }

    /// Skips one or more digits; none is an error.
    private mutating func skipDigits() throws(JSONParseError) {
        guard index < bytes.count else { throw failure(.unexpectedEnd) }
        guard isDigit(bytes[index]) else { throw failure(.invalidNumber) }
        while index < bytes.count, isDigit(bytes[index]) { index += 1 }
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }
}
