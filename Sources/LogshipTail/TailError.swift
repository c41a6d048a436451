/// Errors of the file input and the checkpoint store. Each names the file or setting involved.
package enum TailError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A setting is out of range.
    case invalidConfiguration(inputID: String, reason: String)
    /// The multiline pattern does not compile.
    case invalidMultilinePattern(inputID: String, pattern: String, reason: String)
    /// A system call on a file failed; `offset` is the read position when it applies.
    case io(operation: String, path: String, offset: Int64?, errno: Int32)
    /// The checkpoint file exists but cannot be decoded.
    case corruptCheckpoint(path: String, reason: String)
    /// The checkpoint file was written by a newer logship, in a format this one does not know.
    case unsupportedCheckpointVersion(path: String, version: Int)
    /// The checkpoint file cannot be encoded or written.
    case checkpointWriteFailed(path: String, reason: String)

    package var description: String {
        switch self {
        case .invalidConfiguration(let inputID, let reason):
            return "file input '\(inputID)': \(reason)"
        case .invalidMultilinePattern(let inputID, let pattern, let reason):
            return "file input '\(inputID)': multiline pattern '\(pattern)' does not compile: \(reason)"
        case .io(let operation, let path, let offset, let errno):
            let at = offset.map { " at offset \($0)" } ?? ""
            return "\(operation) failed for '\(path)'\(at): \(SystemError.message(errno)) (errno \(errno))"
        case .corruptCheckpoint(let path, let reason):
            return "checkpoint file '\(path)' is corrupt (\(reason)); move it aside to start without checkpoints"
        case .unsupportedCheckpointVersion(let path, let version):
            return "checkpoint file '\(path)' has format version \(version), newer than this logship reads "
                + "(\(CheckpointState.currentVersion)): run the release that wrote it, or move the file aside to "
                + "read every file again from its start"
        case .checkpointWriteFailed(let path, let reason):
            return "cannot write checkpoint file '\(path)': \(reason)"
        }
    }
}
