/// A value inside an event: the JSON data model, with integers kept apart from doubles so that
/// `42` is shipped as `42` and not `42.0`.
package enum FieldValue: Sendable, Equatable {
    case string(String)
    case integer(Int64)
    case double(Double)
    case bool(Bool)
    case null
    case array([FieldValue])
    case object(FieldObject)

    /// The value as a number, for metric values: integers, doubles, and strings that parse as a
    /// finite double. `nil` for anything else.
    package var numberValue: Double? {
        switch self {
        case .integer(let value): return Double(value)
        case .double(let value): return value.isFinite ? value : nil
        case .string(let text): return Double(text).flatMap { $0.isFinite ? $0 : nil }
        default: return nil
        }
    }

    /// The value as label text: strings as they are, numbers and booleans in their JSON spelling,
    /// `nil` for null, arrays and objects (they make no sensible label value).
    package var labelText: String? {
        switch self {
        case .string(let text): return text
        case .integer(let value): return String(value)
        case .double(let value):
            return value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(value)
        case .bool(let value): return value ? "true" : "false"
        case .null, .array, .object: return nil
        }
    }

    /// The string payload, if this is a string.
    package var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// The object payload, if this is an object.
    package var objectValue: FieldObject? {
        if case .object(let object) = self { return object }
        return nil
    }
}

extension FieldValue: ExpressibleByStringLiteral {
    package init(stringLiteral value: String) { self = .string(value) }
}

extension FieldValue: ExpressibleByIntegerLiteral {
    package init(integerLiteral value: Int64) { self = .integer(value) }
}
