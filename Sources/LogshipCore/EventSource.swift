/// Where an event came from: the file, and the bytes it was made of. Plain values only (the
/// path is in the event's `log.file.path`): records of a batch are copied without reference
/// counting.
package struct EventSource: Sendable, Hashable {
    /// The file's identity at the time it was read.
    package var fileKey: FileKey
    /// Offset of the event's first byte.
    package var startOffset: Int64
    /// Offset just past the event's last line, including its line end: once this event is
    /// acknowledged, reading can resume here.
    package var endOffset: Int64
    /// A hash of the event's text (`EventSource.fingerprint(of:)`), 0 when unknown. It keeps
    /// document ids apart when different text appears at the same offset of the same inode: a
    /// file truncated by copytruncate and written again, an inode reused by a new file, a
    /// multiline event regrouped with more lines after a restart.
    package var fingerprint: UInt32

    package init(fileKey: FileKey, startOffset: Int64, endOffset: Int64, fingerprint: UInt32 = 0) {
        self.fileKey = fileKey
        self.startOffset = startOffset
        self.endOffset = endOffset
        self.fingerprint = fingerprint
    }

    /// A document id that is the same every time these bytes are read and differs when other
    /// bytes are read at the same place: `<device>-<inode>-<offset>-<fingerprint>` in
    /// hexadecimal. Re-sending after a restart then hits `409 Conflict` on a `create` action
    /// instead of duplicating the document, and new text at an old offset is not mistaken for it.
    package var documentID: String {
        String(fileKey.device, radix: 16) + "-" + String(fileKey.inode, radix: 16) + "-"
            + String(startOffset, radix: 16) + "-" + String(fingerprint, radix: 16)
    }

    /// FNV-1a (32 bits) of `text`'s UTF-8: cheap, stable across runs and machines.
    package static func fingerprint(of text: String) -> UInt32 {
        var text = text
        return text.withUTF8 { fingerprint(of: $0) }
    }

    /// FNV-1a (32 bits) of `bytes`.
    package static func fingerprint(of bytes: UnsafeBufferPointer<UInt8>) -> UInt32 {
        var hash: UInt32 = 2_166_136_261
        for byte in bytes {
            hash ^= UInt32(byte)
            hash &*= 16_777_619
        }
        return hash
    }
}
