#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Why TLS settings could not be used: the key (`tls.ca_file`, …), the file and the reason.
package enum TLSFileError: Error, Equatable, CustomStringConvertible {
    case unreadable(key: String, path: String, reason: String)
    case incomplete(key: String, reason: String)

    /// The setting at fault, relative to the component (`tls.ca_file`).
    package var key: String {
        switch self {
        case .unreadable(let key, _, _), .incomplete(let key, _): key
        }
    }

    package var description: String {
        switch self {
        case .unreadable(_, let path, let reason): "\(path): \(reason)"
        case .incomplete(_, let reason): reason
        }
    }

    /// Opens `path` for reading (and closes it) so that a missing or unreadable file is reported
    /// in the system's words (BoringSSL only says it failed to load).
    static func checkReadable(_ path: String, key: String) throws(TLSFileError) {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw .unreadable(key: key, path: path, reason: String(cString: strerror(errno)))
        }
        close(descriptor)
    }
}
