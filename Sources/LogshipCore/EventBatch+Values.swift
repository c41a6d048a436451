import Glibc

/// Reading values: as text, as numbers, as label text, or decoded into a `FieldValue`.
extension EventBatch {
    /// Calls `body` with the UTF-8 text of a string value (text, or a JSON string, decoded when it
    /// has escapes); `nil` for other values.
    package func withText<Result>(
        _ slot: FieldSlot,
        _ body: (UnsafeBufferPointer<UInt8>) -> Result
    ) -> Result? {
        switch slot {
        case .text(let range), .jsonString(let range, escaped: false):
            return bytes.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[range])) }
        case .jsonString(let range, escaped: true):
            guard
                var text = bytes.withUnsafeBufferPointer({
                    JSONText.decodeString(UnsafeBufferPointer(rebasing: $0[range]))
                })
            else { return nil }
            return text.withUTF8 { body($0) }
        default:
            return nil
        }
    }

    /// The range of a string value's UTF-8 text in the bytes: where it already is (text, a JSON
    /// string without escapes), or appended decoded (a JSON string with escapes); `nil` for
    /// other values. For steps that search the text and refer to parts of it.
    package mutating func textRange(_ slot: FieldSlot) -> Range<Int>? {
        switch slot {
        case .text(let range), .jsonString(let range, escaped: false): return range
        case .jsonString(_, escaped: true): return string(slot).map { append(text: $0) }
        default: return nil
        }
    }

    /// The text of a string value; `nil` for other values.
    package func string(_ slot: FieldSlot) -> String? {
        withText(slot) { String(decoding: $0, as: UTF8.self) }
    }

    /// The value as a number, for metric values: integers, doubles, JSON numbers, and strings
    /// that parse as a finite double (as `FieldValue.numberValue`). `nil` for anything else.
    package func number(_ slot: FieldSlot) -> Double? {
        switch slot {
        case .integer(let value): return Double(value)
        case .double(let value): return value.isFinite ? value : nil
        case .json(let range, .number):
            return bytes.withUnsafeBufferPointer { Self.parseDouble(UnsafeBufferPointer(rebasing: $0[range])) }
        case .text, .jsonString:
            return withText(slot) { Self.parseDouble($0) } ?? nil
        default: return nil
        }
    }

    /// `Double(text)` without making a `String`: plain decimals directly, anything else with
    /// `strtod` on a copy on the stack.
    package static func parseDouble(_ text: UnsafeBufferPointer<UInt8>) -> Double? {
        if let value = parseSimpleDecimal(text) { return value }
        guard !text.isEmpty, text.count < 64 else {
            return text.isEmpty ? nil : Double(String(decoding: text, as: UTF8.self)).flatMap { $0.isFinite ? $0 : nil }
        }
        // Swift's Double(String) accepts exactly what strtod accepts over the whole text, minus
        // leading whitespace and hexadecimal forms it also takes; be as strict: the first byte
        // must start a decimal number, and every byte must be used.
        let first = text[0]
        guard
            first == UInt8(ascii: "-") || first == UInt8(ascii: "+") || first == UInt8(ascii: ".")
                || (first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9")) || first == UInt8(ascii: "i")
                || first == UInt8(ascii: "I") || first == UInt8(ascii: "n") || first == UInt8(ascii: "N")
        else { return nil }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { buffer -> Double? in
            for index in 0..<text.count { buffer[index] = CChar(bitPattern: text[index]) }
            buffer[text.count] = 0
            var end: UnsafeMutablePointer<CChar>?
            let value = strtod(buffer.baseAddress!, &end)
            guard let end, buffer.baseAddress!.distance(to: end) == text.count, value.isFinite else { return nil }
            return value
        }
    }

    /// A decimal without exponent, sign `-` at most, digits before the point and, with a point,
    /// after it, at most 15 digits in all; `nil` for anything else. The integer of its digits and
    /// the power of ten dividing it are both exact in a `Double`, so one division gives the
    /// correctly rounded value, the one `strtod` gives (Clinger's fast path), at a fraction of
    /// `strtod`'s cost: metric values (`0.234`) are parsed once per event.
    private static func parseSimpleDecimal(_ text: UnsafeBufferPointer<UInt8>) -> Double? {
        // The integer digits, then the fraction's, each in a loop of its own over the bytes
        // without bound checks (a value and a label per metric line come through here).
        guard let base = text.baseAddress, !text.isEmpty else { return nil }
        let end = text.count
        let negative = base[0] == UInt8(ascii: "-")
        var index = negative ? 1 : 0
        var mantissa: UInt64 = 0
        let integerStart = index
        while index < end {
            let digit = base[index] &- UInt8(ascii: "0")
            guard digit < 10 else { break }
            mantissa = mantissa &* 10 &+ UInt64(digit)
            index += 1
        }
        let integerDigits = index - integerStart
        guard integerDigits > 0 else { return nil }
        var fractionDigits = 0
        if index < end {
            guard base[index] == UInt8(ascii: ".") else { return nil }
            index += 1
            let fractionStart = index
            while index < end {
                let digit = base[index] &- UInt8(ascii: "0")
                guard digit < 10 else { break }
                mantissa = mantissa &* 10 &+ UInt64(digit)
                index += 1
            }
            fractionDigits = index - fractionStart
            guard fractionDigits > 0, index == end else { return nil }
        }
        // At most 15 digits: the mantissa is then exact in a Double (and did not wrap).
        guard integerDigits + fractionDigits <= 15 else { return nil }
        let value = Double(mantissa) / powersOfTen[fractionDigits]
        return negative ? -value : value
    }

    /// 10⁰ through 10¹⁵, each exact in a `Double`.
    private static let powersOfTen: [Double] = (0...15).map { exponent in
        (0..<exponent).reduce(1.0) { value, _ in value * 10 }
    }

    /// Appends the value as label text to `output` (strings as they are, numbers and booleans in
    /// their JSON spelling, as `FieldValue.labelText`); returns `false`, appending nothing, for
    /// null, arrays and objects.
    @inlinable @inline(__always)
    package func appendLabelText(_ slot: FieldSlot, to output: inout [UInt8]) -> Bool {
        switch slot {
        case .text(let range), .jsonString(let range, escaped: false):
            // The common case inline, in the caller's loop (`log_to_metric`, per label).
            bytes.withUnsafeBufferPointer { output.append(contentsOf: UnsafeBufferPointer(rebasing: $0[range])) }
            return true
        default:
            return appendOtherLabelText(slot, to: &output)
        }
    }

    /// `appendLabelText` for everything but plain text.
    @usableFromInline
    func appendOtherLabelText(_ slot: FieldSlot, to output: inout [UInt8]) -> Bool {
        switch slot {
        case .text, .jsonString:
            return withText(slot) { output.append(contentsOf: $0) } != nil
        case .json(_, .true), .bool(true):
            output.append(contentsOf: "true".utf8)
            return true
        case .json(_, .false), .bool(false):
            output.append(contentsOf: "false".utf8)
            return true
        case .integer, .double, .json(_, .number):
            guard let text = value(slot).labelText else { return false }
            output.append(contentsOf: text.utf8)
            return true
        default:
            return false
        }
    }

    /// The value decoded into a `FieldValue` (slow: for tests, conditions on non-string values
    /// and materialising events).
    package func value(_ slot: FieldSlot) -> FieldValue {
        switch slot {
        case .text(let range):
            return .string(
                bytes.withUnsafeBufferPointer {
                    String(decoding: UnsafeBufferPointer(rebasing: $0[range]), as: UTF8.self)
                }
            )
        case .jsonString:
            return .string(string(slot) ?? "")
        case .json(let range, _):
            return bytes.withUnsafeBufferPointer {
                (try? JSONParser.parse(UnsafeBufferPointer(rebasing: $0[range]))) ?? .null
            }
        case .integer(let value): return .integer(value)
        case .double(let value): return .double(value)
        case .bool(let value): return .bool(value)
        case .null: return .null
        case .object(let first, _):
            var object = FieldObject()
            var index = first
            while index >= 0 {
                let field = fields[index]
                object[keyString(field.key)] = value(field.value)
                index = next(after: index)
            }
            return .object(object)
        }
    }

    /// The text of a key in the bytes.
    package func keyString(_ range: Range<Int>) -> String {
        bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[range]), as: UTF8.self) }
    }

    /// Whether the value equals the UTF-8 text `expected` (string values only).
    package func textEquals(_ slot: FieldSlot, _ expected: UnsafeBufferPointer<UInt8>) -> Bool {
        switch slot {
        case .text(let range), .jsonString(let range, escaped: false):
            guard range.count == expected.count else { return false }
            return bytes.withUnsafeBufferPointer { bytes in
                guard let base = bytes.baseAddress, let expectedBase = expected.baseAddress else { return true }
                return Self.sameBytes(base + range.lowerBound, expectedBase, count: range.count)
            }
        case .jsonString(_, escaped: true):
            return withText(slot) { $0.elementsEqual(expected) } ?? false
        default:
            return false
        }
    }
}
