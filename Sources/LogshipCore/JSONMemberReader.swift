/// Reads the members of an object that `JSONScanner` has validated, one at a time, without a
/// closure and without noting keys for repeats: for lookups into JSON kept as text (the members
/// of `labels` that `log_to_metric` reads for every event). A closure-based walk retained and
/// released what it captured on every call, and hashed every key to detect repeats that a
/// validated object kept as text cannot have.
///
/// On text that is not such an object it stops early (`next()` returns `nil`); it never reads
/// out of `bytes`.
package struct JSONMemberReader {
    private var scanner: JSONScanner
    private var finished = false

    /// A reader of the object that `bytes` holds (from its `{`).
    package init(object bytes: UnsafeBufferPointer<UInt8>) {
        scanner = JSONScanner(bytes: bytes)
        scanner.skipWhitespace()
        guard scanner.index < bytes.count, bytes[scanner.index] == UInt8(ascii: "{") else {
            finished = true
            return
        }
        scanner.index += 1
        scanner.skipWhitespace()
        if scanner.index < bytes.count, bytes[scanner.index] == UInt8(ascii: "}") { finished = true }
    }

    /// The next member, or `nil` after the last.
    package mutating func next() -> JSONMember? {
        guard !finished else { return nil }
        finished = true
        let bytes = scanner.bytes
        scanner.skipWhitespace()
        guard scanner.index < bytes.count, bytes[scanner.index] == UInt8(ascii: "\"") else { return nil }
        let keyStart = scanner.index + 1
        guard let keyEscaped = scanner.skipString() else { return nil }
        let key = keyStart..<(scanner.index - 1)
        scanner.skipWhitespace()
        guard scanner.index < bytes.count, bytes[scanner.index] == UInt8(ascii: ":") else { return nil }
        scanner.index += 1
        scanner.skipWhitespace()
        guard scanner.index < bytes.count else { return nil }
        let valueStart = scanner.index
        let member: JSONMember
        if bytes[valueStart] == UInt8(ascii: "\"") {
            guard let escaped = scanner.skipString() else { return nil }
            member = JSONMember(
                key: key,
                keyHasEscapes: keyEscaped,
                value: (valueStart + 1)..<(scanner.index - 1),
                kind: .string,
                valueHasEscapes: escaped
            )
        } else {
            guard let kind = scanner.skipValue() else { return nil }
            member = JSONMember(
                key: key,
                keyHasEscapes: keyEscaped,
                value: valueStart..<scanner.index,
                kind: kind,
                valueHasEscapes: false
            )
        }
        scanner.skipWhitespace()
        if scanner.index < bytes.count, bytes[scanner.index] == UInt8(ascii: ",") {
            scanner.index += 1
            finished = false
        }
        return member
    }
}
