import Glibc

/// Helpers around `errno`.
enum SystemError {
    /// The text of `strerror(code)`.
    static func message(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "unknown error" }
        return String(cString: text)
    }
}
