package import LogshipCore

/// Errors of the Elasticsearch output: invalid configuration (found by `validate()` before anything
/// runs) and dead-letter file failures. Every case names what it is about.
package enum ElasticsearchOutputError: SettingError, Equatable {
    /// A configuration value is out of range; `key` is the pipeline file's key (`max_backoff`).
    case invalidConfiguration(outputID: String, key: String, reason: String)
    /// The index pattern cannot be parsed or would produce an invalid index name.
    case invalidIndexPattern(pattern: String, reason: String)
    /// A system call on the dead-letter file failed with `errno`.
    case deadLetterFile(path: String, operation: String, errno: Int32)

    package var description: String {
        switch self {
        case .invalidConfiguration(let outputID, let key, let reason):
            return "elasticsearch output '\(outputID)': invalid \(key): \(reason)"
        case .invalidIndexPattern(let pattern, let reason):
            return "invalid index pattern '\(pattern)': \(reason)"
        case .deadLetterFile(let path, let operation, let errno):
            return "dead-letter file \(path): \(operation) failed with errno \(errno)"
        }
    }

    package var setting: String? {
        switch self {
        case .invalidConfiguration(_, let key, _): return key
        case .invalidIndexPattern: return "index"
        case .deadLetterFile: return nil
        }
    }
}
