/// Counters of one file input since it started. Monotonic except `filesOpen`.
package struct FileInputStatistics: Sendable, Equatable {
    /// Complete lines read (a truncated line counts once).
    package var linesRead: UInt64 = 0
    /// Bytes read from files.
    package var bytesRead: UInt64 = 0
    /// Events handed to the delegate (counted when `fileInputEmit` returned).
    package var eventsEmitted: UInt64 = 0
    /// Lines cut at `maximumLineBytes`.
    package var truncatedLines: UInt64 = 0
    /// Multiline events that dropped lines or bytes over their limits.
    package var truncatedMultilineEvents: UInt64 = 0
    /// Lines and multiline events cut shorter than `maximumLineBytes` because the input's
    /// `maximumPendingBytes` was used up by other files.
    package var linesCutForMemory: UInt64 = 0
    /// Memory held now by partial lines and pending multiline events, all files together.
    package var pendingBytes: Int = 0
    /// Partial lines shipped without their newline after `partialLineTimeout`.
    package var partialLinesFlushed: UInt64 = 0
    /// Lines that held invalid UTF-8.
    package var invalidUTF8Lines: UInt64 = 0
    /// Files currently open (followed or being finished).
    package var filesOpen: Int = 0
    /// Files changed or new that the last scan could not open for want of a descriptor
    /// (`maximumOpenFiles`): they wait.
    package var filesQueued: Int = 0
    /// Times a file could not be opened (permissions, a file gone between the scan and the
    /// open): it is retried at the next scan.
    package var failedOpens: UInt64 = 0
    /// Files that were renamed (followed under a new path, or finished because they were rotated away)
    /// or deleted.
    package var rotations: UInt64 = 0
    /// Files that shrank and were read again from 0.
    package var truncations: UInt64 = 0
    /// Scans that could not see a followed file they did not find (its path could not be looked
    /// at): it was kept, not finished.
    package var failedScans: UInt64 = 0
    /// Files some of whose lines could not be read: truncated before they were read to their end
    /// with no rotated copy that has the rest, or rotated and compressed while logship was stopped.
    package var lostFiles: UInt64 = 0
    /// Bytes known to be lost that way (when the amount is known).
    package var lostBytes: UInt64 = 0
    /// Bytes not read yet in the files the last scan found (each file's size less its read
    /// offset).
    package var bytesBehind: UInt64 = 0
    /// The files furthest behind at the last scan (at most `maximumLaggingFiles`), most behind
    /// first.
    package var laggingFiles: [LaggingFile] = []
    /// How many files `laggingFiles` names: labels stay bounded.
    package static let maximumLaggingFiles = 5

    /// A file and how many of its bytes are not read yet.
    package struct LaggingFile: Sendable, Equatable {
        package var path: String
        package var bytes: UInt64

        package init(path: String, bytes: UInt64) {
            self.path = path
            self.bytes = bytes
        }
    }

    package init() {}
}
