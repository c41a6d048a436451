// Temporary byte-level entry point over NSRegularExpression, until the PCRE2 engine lands.
extension LinePattern {
    /// Whether the pattern matches anywhere in the UTF-8 `bytes`.
    package func matches(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        matches(String(decoding: bytes, as: UTF8.self))
    }
}
