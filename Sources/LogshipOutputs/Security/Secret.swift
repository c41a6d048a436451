import Foundation

/// A password or an API key: kept in memory, sent in a header, never printed. Its description,
/// debug description and reflection are `<redacted>`, so logs, errors, `validate` output and
/// `/status` cannot show it by accident; only `reveal()` gives the text, where a header is made.
package struct Secret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    private let value: String

    package init(_ value: String) { self.value = value }

    /// The text itself, for the `Authorization` header.
    package func reveal() -> String { value }

    package var isEmpty: Bool { value.isEmpty }

    package var description: String { "<redacted>" }
    package var debugDescription: String { "<redacted>" }
    package var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }

    /// The secret in the file at `path`, without a trailing newline; throws naming the path.
    package static func read(file path: String) throws(SecretError) -> Secret {
        guard let data = FileManager.default.contents(atPath: path) else { throw .unreadable(path: path) }
        var text = String(decoding: data, as: UTF8.self)
        while text.last == "\n" || text.last == "\r" { text.removeLast() }
        guard !text.isEmpty else { throw .empty(path: path) }
        return Secret(text)
    }
}

/// Why a secret file could not be used.
package enum SecretError: Error, Equatable, CustomStringConvertible {
    case unreadable(path: String)
    case empty(path: String)

    package var description: String {
        switch self {
        case .unreadable(let path): "\(path): cannot read the secret file"
        case .empty(let path): "\(path): the secret file is empty"
        }
    }
}

/// How the output authenticates to Elasticsearch: basic auth or an API key, each given inline
/// (from the configuration or the environment) or in a file that is read again after a 401 (a
/// rotated password takes effect without a restart).
package enum Credentials: Sendable, Equatable, CustomStringConvertible {
    case basic(username: String, password: SecretSource)
    case apiKey(SecretSource)

    /// Where a secret comes from.
    package enum SecretSource: Sendable, Equatable, CustomStringConvertible {
        case inline(Secret)
        case file(String)

        package var description: String {
            switch self {
            case .inline: "<redacted>"
            case .file(let path): "file \(path)"
            }
        }

        /// The secret now (a file is read each time).
        package func load() throws(SecretError) -> Secret {
            switch self {
            case .inline(let secret): return secret
            case .file(let path): return try Secret.read(file: path)
            }
        }
    }

    package var description: String {
        switch self {
        case .basic(let username, let password): "basic auth as \(username) (password \(password))"
        case .apiKey(let key): "API key (\(key))"
        }
    }

    /// The `Authorization` header's value: `Basic base64(user:password)` or `ApiKey <key>`.
    package func authorization() throws(SecretError) -> String {
        switch self {
        case .basic(let username, let password):
            let pair = "\(username):\(try password.load().reveal())"
            return "Basic " + Data(pair.utf8).base64EncodedString()
        case .apiKey(let key):
            return "ApiKey " + (try key.load().reveal())
        }
    }
}
