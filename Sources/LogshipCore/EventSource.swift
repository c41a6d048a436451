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
    /// The file's generation: 0 for the file as logship first read it, one more each time it
    /// was found truncated (copytruncate) and read again from 0. Acknowledgements of an older
    /// generation never move the newer one's checkpoint, and each generation has its own document
    /// ids, so a line that comes back at the same offset after a truncation is a new document.
    package var generation: UInt32

    package init(
        fileKey: FileKey,
        startOffset: Int64,
        endOffset: Int64,
        fingerprint: UInt32 = 0,
        generation: UInt32 = 0
    ) {
        self.fileKey = fileKey
        self.startOffset = startOffset
        self.endOffset = endOffset
        self.fingerprint = fingerprint
        self.generation = generation
    }

    /// A document id that is the same every time these bytes are read and differs when other
    /// bytes are read at the same place: `<device>-<inode>-<offset>-<fingerprint>` in
    /// hexadecimal, and `-g<generation>` after it from the first truncation on (generation 0
    /// keeps the ids of the releases before generations). Re-sending after a restart then hits
    /// `409 Conflict` on a `create` action instead of duplicating the document, and new text at
    /// an old offset is not mistaken for it.
    package var documentID: String {
        String(fileKey.device, radix: 16) + "-" + String(fileKey.inode, radix: 16) + "-"
            + String(startOffset, radix: 16) + "-" + String(fingerprint, radix: 16)
            + (generation == 0 ? "" : "-g" + String(generation, radix: 16))
    }

    /// FNV-1a (32 bits) of `text`'s UTF-8: cheap, stable across runs and machines.
    package static func fingerprint(of text: String) -> UInt32 {
        var text = text
        return text.withUTF8 { fingerprint(of: $0) }
    }

    /// FNV-1a (32 bits) of `bytes`.
    package static func fingerprint(of bytes: UnsafeBufferPointer<UInt8>) -> UInt32 {
        fingerprint(continuing: 2_166_136_261, over: bytes[...])
    }

    /// FNV-1a of four texts at once, the same values as `fingerprint(of:)` of each.
    ///
    /// FNV-1a waits for each multiplication before the next byte (about four cycles a byte); four
    /// independent hashes stepped together in one loop keep the multiplier busy instead, so the
    /// four cost little more than one. Over their common length they go in step; the rest of each
    /// is finished alone.
    package static func fingerprints(
        of texts: (
            UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>,
            UnsafeBufferPointer<UInt8>
        )
    ) -> (UInt32, UInt32, UInt32, UInt32) {
        let common = min(texts.0.count, texts.1.count, texts.2.count, texts.3.count)
        var hashes: (UInt32, UInt32, UInt32, UInt32) = (2_166_136_261, 2_166_136_261, 2_166_136_261, 2_166_136_261)
        for index in 0..<common {
            hashes.0 = (hashes.0 ^ UInt32(texts.0[index])) &* 16_777_619
            hashes.1 = (hashes.1 ^ UInt32(texts.1[index])) &* 16_777_619
            hashes.2 = (hashes.2 ^ UInt32(texts.2[index])) &* 16_777_619
            hashes.3 = (hashes.3 ^ UInt32(texts.3[index])) &* 16_777_619
        }
        return (
            fingerprint(continuing: hashes.0, over: texts.0[common...]),
            fingerprint(continuing: hashes.1, over: texts.1[common...]),
            fingerprint(continuing: hashes.2, over: texts.2[common...]),
            fingerprint(continuing: hashes.3, over: texts.3[common...])
        )
    }

    private static func fingerprint(continuing hash: UInt32, over bytes: Slice<UnsafeBufferPointer<UInt8>>) -> UInt32 {
        var hash = hash
        for byte in bytes {
            hash ^= UInt32(byte)
            hash &*= 16_777_619
        }
        return hash
    }
}
