/// Validates JSON text and finds the members of objects without building values: the parser of
/// the hot path. `parse_json` indexes a line's object with it, and values are decoded only when a
/// step asks for them (see `EventBatch`); an unchanged value is copied into the bulk body as it
/// was read.
///
/// It accepts exactly what `JSONParser` accepts (RFC 8259, strict: no comments, trailing commas,
/// leading zeros, `NaN`; strings must be valid UTF-8 without unescaped control characters;
/// escapes must be valid; arrays and objects nest at most `JSONParser.maximumDepth` levels), so a
/// value it validated is valid JSON wherever it is copied. It never allocates.
package struct JSONScanner {
    /// The bytes scanned.
    package let bytes: UnsafeBufferPointer<UInt8>
    /// The offset of the next byte to look at.
    package var index: Int
    private var depth = 0
    /// Set when some object may hold the same key twice: two keys with the same hash, a key with
    /// escapes, or more keys than are tracked. `JSONParser` keeps one value per key; a caller that
    /// copies text verbatim must not copy such an object (Elasticsearch rejects repeated keys).
    package private(set) var mayHaveRepeatedKeys = false
    /// Keys tracked per object for `mayHaveRepeatedKeys`.
    private static let trackedKeys = 32

    /// A scanner at `index` of `bytes`.
    package init(bytes: UnsafeBufferPointer<UInt8>, index: Int = 0) {
        self.bytes = bytes
        self.index = index
    }

    /// Validates that `bytes[start...]` is one JSON object followed by nothing but whitespace, and
    /// appends its members, in order, to `members`. Returns the offset just past the object's `}`
    /// and whether any object in it may repeat a key (see `mayHaveRepeatedKeys`), or `nil` when
    /// the text is not such an object (then `members` may hold some members: the caller
    /// truncates it).
    package static func scanObject(
        _ bytes: UnsafeBufferPointer<UInt8>,
        from start: Int,
        into members: inout [JSONMember]
    ) -> (end: Int, mayHaveRepeatedKeys: Bool)? {
        var scanner = JSONScanner(bytes: bytes, index: start)
        scanner.skipWhitespace()
        guard scanner.index < bytes.count, bytes[scanner.index] == UInt8(ascii: "{") else { return nil }
        guard scanner.scanObjectMembers(into: &members) else { return nil }
        let end = scanner.index
        scanner.skipWhitespace()
        return scanner.index == bytes.count ? (end, scanner.mayHaveRepeatedKeys) : nil
    }

    /// Finds the member named `key` (unescaped UTF-8) in the object that `bytes` holds exactly
    /// (already validated). The first member with that key is returned, as `JSONParser` would keep
    /// the last value at the first position only when keys repeat; `EventBatch` never keeps
    /// objects with repeated keys raw.
    package static func member(
        named key: UnsafeBufferPointer<UInt8>,
        inObject bytes: UnsafeBufferPointer<UInt8>
    ) -> JSONMember? {
        var reader = JSONMemberReader(object: bytes)
        while let member = reader.next() {
            if JSONText.keyEquals(member, in: bytes, key) { return member }
        }
        return nil
    }

    /// Scans the object at `index` (at its `{`) and appends its members.
    package mutating func scanObjectMembers(into members: inout [JSONMember]) -> Bool {
        forEachMember { member in
            members.append(member)
            return true
        }
    }

    /// Scans the object at `index` (at its `{`), calling `body` with each member until it returns
    /// `false`. Returns whether the object (or the part before the stop) is valid.
    mutating func forEachMember(_ body: (JSONMember) -> Bool) -> Bool {
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: Self.trackedKeys) { hashes in
            forEachMember(hashes: hashes, body)
        }
    }

    private mutating func noteKey(
        _ key: Range<Int>,
        escaped: Bool,
        hashes: UnsafeMutableBufferPointer<UInt64>,
        count: inout Int
    ) {
        guard !mayHaveRepeatedKeys else { return }
        guard !escaped, count < hashes.count else {
            mayHaveRepeatedKeys = true
            return
        }
        let hash = Self.keyHash(key, bytes)
        for slot in 0..<count where hashes[slot] == hash {
            mayHaveRepeatedKeys = true
            return
        }
        hashes[count] = hash
        count += 1
    }

    /// A hash of the key at `key` from its length and its first and last eight bytes (all of
    /// them for keys of up to 16 bytes): equal keys hash equal, and different keys that hash
    /// equal only make the caller take the slower path. A byte-by-byte hash of every key was a
    /// fifth of `parse_json`'s time.
    @inline(__always)
    private static func keyHash(_ key: Range<Int>, _ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        let base = UnsafeRawPointer(bytes.baseAddress! + key.lowerBound)
        let count = key.count
        var head: UInt64 = 0
        var tail: UInt64 = 0
        if count >= 8 {
            head = base.loadUnaligned(as: UInt64.self)
            tail = base.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
        } else if count >= 4 {
            head = UInt64(base.loadUnaligned(as: UInt32.self))
            tail = UInt64(base.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self))
        } else {
            for offset in 0..<count { head = head << 8 | UInt64(bytes[key.lowerBound + offset]) }
        }
        let mixed = (head &* 0x9E37_79B9_7F4A_7C15) ^ (tail &* 0xC2B2_AE3D_27D4_EB4F) ^ UInt64(count)
        return mixed ^ (mixed >> 29)
    }

    private mutating func forEachMember(
        hashes: UnsafeMutableBufferPointer<UInt64>,
        _ body: (JSONMember) -> Bool
    ) -> Bool {
        var keyCount = 0
        guard enter() else { return false }
        skipWhitespace()
        if index < bytes.count && bytes[index] == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return true
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return false }
            let keyStart = index + 1
            guard let keyEscaped = skipString() else { return false }
            let key = keyStart..<(index - 1)
            noteKey(key, escaped: keyEscaped, hashes: hashes, count: &keyCount)
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return false }
            index += 1
            skipWhitespace()
            guard index < bytes.count else { return false }
            let valueStart = index
            let member: JSONMember
            if bytes[index] == UInt8(ascii: "\"") {
                guard let escaped = skipString() else { return false }
                member = JSONMember(
                    key: key,
                    keyHasEscapes: keyEscaped,
                    value: (valueStart + 1)..<(index - 1),
                    kind: .string,
                    valueHasEscapes: escaped
                )
            } else {
                guard let kind = skipValue() else { return false }
                member = JSONMember(
                    key: key,
                    keyHasEscapes: keyEscaped,
                    value: valueStart..<index,
                    kind: kind,
                    valueHasEscapes: false
                )
            }
            if !body(member) { return true }
            skipWhitespace()
            guard index < bytes.count else { return false }
            switch bytes[index] {
            case UInt8(ascii: ","):
                index += 1
            case UInt8(ascii: "}"):
                index += 1
                depth -= 1
                return true
            default:
                return false
            }
        }
    }

    /// Skips space, tab, CR and LF.
    @inline(__always)
    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private mutating func enter() -> Bool {
        depth += 1
        index += 1
        return depth <= JSONParser.maximumDepth
    }

    /// Validates one value at `index` (after whitespace) and steps past it; `nil` when invalid.
    package mutating func skipValue() -> JSONKind? {
        skipWhitespace()
        guard index < bytes.count else { return nil }
        switch bytes[index] {
        case UInt8(ascii: "\""): return skipString() == nil ? nil : .string
        case UInt8(ascii: "{"): return forEachMember { _ in true } ? .object : nil
        case UInt8(ascii: "["): return skipArray() ? .array : nil
        case UInt8(ascii: "t"): return skipLiteral("true") ? .true : nil
        case UInt8(ascii: "f"): return skipLiteral("false") ? .false : nil
        case UInt8(ascii: "n"): return skipLiteral("null") ? .null : nil
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return skipNumber() ? .number : nil
        default: return nil
        }
    }

    private mutating func skipArray() -> Bool {
        guard enter() else { return false }
        skipWhitespace()
        if index < bytes.count && bytes[index] == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return true
        }
        while true {
            guard skipValue() != nil else { return false }
            skipWhitespace()
            guard index < bytes.count else { return false }
            switch bytes[index] {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"):
                index += 1
                depth -= 1
                return true
            default: return false
            }
        }
    }

    private mutating func skipLiteral(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        let start = literal.utf8Start
        for offset in 0..<count where bytes[index + offset] != start[offset] { return false }
        index += count
        return true
    }

    /// Steps over a string at `index` (its opening quote); returns whether it has escapes, or
    /// `nil` when it is invalid. Eight bytes at a time, jumping to the first byte that is not
    /// plain ASCII (`JSONByteScan.firstRunEnd`); the last few bytes of the text one at a time.
    mutating func skipString() -> Bool? {
        index += 1
        var escaped = false
        while true {
            if index + 8 <= bytes.count {
                let plain = JSONByteScan.firstRunEnd(JSONByteScan.word(bytes, at: index))
                index += plain
                if plain == 8 { continue }
            } else {
                guard index < bytes.count else { return nil }
            }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return escaped
            } else if byte == UInt8(ascii: "\\") {
                escaped = true
                guard skipEscape() else { return nil }
            } else if byte < 0x20 {
                return nil
            } else if byte < 0x80 {
                index += 1
            } else {
                guard let length = UTF8Validation.multiByteScalarLength(bytes, at: index) else { return nil }
                index += length
            }
        }
    }

    private mutating func skipEscape() -> Bool {
        guard index + 1 < bytes.count else { return false }
        switch bytes[index + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
            UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            index += 2
            return true
        case UInt8(ascii: "u"):
            guard index + 6 <= bytes.count else { return false }
            for offset in 2..<6 where !Self.isHexDigit(bytes[index + offset]) { return false }
            index += 6
            return true
        default:
            return false
        }
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"),
            UInt8(ascii: "A")...UInt8(ascii: "F"):
            return true
        default: return false
        }
    }

    private mutating func skipNumber() -> Bool {
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count else { return false }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, Self.isDigit(bytes[index]) { return false }
        } else if Self.isDigit(bytes[index]) {
            while index < bytes.count, Self.isDigit(bytes[index]) { index += 1 }
        } else {
            return false
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard skipDigits() else { return false }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            guard skipDigits() else { return false }
        }
        return true
    }

    private mutating func skipDigits() -> Bool {
        guard index < bytes.count, Self.isDigit(bytes[index]) else { return false }
        while index < bytes.count, Self.isDigit(bytes[index]) { index += 1 }
        return true
    }

    @inline(__always)
    private static func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }
}
