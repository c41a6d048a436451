import Foundation
import Glibc

package import struct Foundation.Date

extension CheckpointStore {
    /// What `recover()` found and did, for the startup log.
    package struct Recovery: Sendable, Equatable {
        /// The state to start from.
        package var state: CheckpointState
        /// What had to be done to get it, one sentence each, naming the files; empty when the
        /// checkpoint file was read as it was (or there was none: a first start).
        package var notices: [String] = []
        /// No checkpoint could be trusted although one existed: every file is read again from its
        /// start, whatever `read_from` says (nothing is skipped; documents keep their ids).
        package var startedOver = false

        package init(state: CheckpointState, notices: [String] = [], startedOver: Bool = false) {
            self.state = state
            self.notices = notices
            self.startedOver = startedOver
        }
    }

    /// Loads the state to start from, as `load()` does, but does not refuse to start over a
    /// checkpoint file it cannot read: logship says what it did and goes on from what it can
    /// trust.
    ///
    /// - Temporary files left by a `save` that was interrupted are removed.
    /// - A checkpoint file that cannot be decoded (truncated, edited, damaged) is moved aside to
    ///   `checkpoints.json.corrupt-<time>`, and the state before it (`checkpoints.json.prev`,
    ///   at most one checkpoint interval older) is used: lines after it are read again, under
    ///   the same document ids, and the metric counts saved with it match its offsets.
    /// - When neither can be read the state is empty and `startedOver` is set.
    ///
    /// - Throws: `TailError.unsupportedCheckpointVersion` (a newer logship wrote it: refusing is
    ///   safer than reading everything again after a downgrade) and `TailError.io` when a file
    ///   exists but cannot be read, moved or listed.
    package func recover(now: Date = Date()) throws -> Recovery {
        var notices: [String] = []
        let stale = removeTemporaryFiles()
        if stale > 0 {
            notices.append(
                "removed \(stale) temporary checkpoint file(s) left by an interrupted write in '\(directory)'"
            )
        }
        var corrupt: [String] = []
        for candidate in [path, previousPath] {
            do {
                guard let state = try load(from: candidate) else { continue }
                if candidate == previousPath {
                    let why = corrupt.isEmpty ? "'\(path)' is missing" : "it could not be read"
                    notices.append("resumed from '\(previousPath)' (the state before the last checkpoint) since \(why)")
                }
                return Recovery(state: state, notices: notices + corrupt)
            } catch TailError.corruptCheckpoint(let file, let reason) {
                let aside = try moveAside(file, now: now)
                corrupt.append("checkpoint file '\(file)' is corrupt (\(reason)); moved it to '\(aside)'")
            }
        }
        guard !corrupt.isEmpty else { return Recovery(state: CheckpointState(), notices: notices) }
        notices += corrupt
        notices.append(
            "no checkpoint could be trusted: every file is read again from its start (documents keep their ids, "
                + "so Elasticsearch keeps one copy of each; derived counters start again from what is read)"
        )
        return Recovery(state: CheckpointState(), notices: notices, startedOver: true)
    }

    /// Removes `checkpoints.json.tmp-*`; returns how many there were.
    private func removeTemporaryFiles() -> Int {
        let prefix = (path as NSString).lastPathComponent + ".tmp-"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return 0 }
        var removed = 0
        for name in names where name.hasPrefix(prefix) {
            if unlink(directory + "/" + name) == 0 { removed += 1 }
        }
        return removed
    }

    /// Renames `file` to `<file>.corrupt-<UTC time>`; returns the new path.
    private func moveAside(_ file: String, now: Date) throws -> String {
        let aside = path + ".corrupt-" + now.ISO8601Format() + (file == previousPath ? "-prev" : "")
        guard rename(file, aside) == 0 else {
            throw TailError.io(operation: "rename", path: file, offset: nil, errno: errno)
        }
        return aside
    }
}
