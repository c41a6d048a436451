/// Where an event came from: the file, and the bytes it was made of.
package struct EventSource: Sendable, Hashable {
    /// The file's identity at the time it was read.
    package var fileKey: FileKey
    /// The path the file was read under (it may have been renamed since).
    package var path: String
    /// Offset of the event's first byte.
    package var startOffset: Int64
    /// Offset just past the event's last line, including its line end: once this event is
    /// acknowledged, reading can resume here.
    package var endOffset: Int64

    package init(fileKey: FileKey, path: String, startOffset: Int64, endOffset: Int64) {
        self.fileKey = fileKey
        self.path = path
        self.startOffset = startOffset
        self.endOffset = endOffset
    }

    /// A document id that is the same every time these bytes are read: file identity and start
    /// offset, `<device>-<inode>-<offset>` in hexadecimal. Re-sending after a restart then hits
    /// `409 Conflict` on a `create` action instead of duplicating the document.
    package var documentID: String {
        String(fileKey.device, radix: 16) + "-" + String(fileKey.inode, radix: 16) + "-"
            + String(startOffset, radix: 16)
    }
}
