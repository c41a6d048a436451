import Glibc
package import LogshipCore

/// A fingerprint of a file's first bytes: with the inode, what tells a file from another one that
/// took its inode, or from new content written over it in place (copytruncate, `>` redirection).
///
/// It needs no minimum size: it covers as many bytes as the file had when it was taken, up to
/// `maximumLength`, and a file that has grown since still matches (a file only grows, so its
/// first bytes stay). A file shorter than the fingerprint, or whose first bytes hash otherwise,
/// is another file. An empty file's fingerprint matches every file: there was nothing to tell.
///
/// Files whose first kibibyte is always the same (a banner, a header) are told apart on resume by
/// a `Mark`: the hash of the bytes just before a line boundary further on, taken while the file was
/// read (see `resumes(_:)`).
package struct FileHead: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The most bytes hashed: a kibibyte holds the first lines of a log, and their timestamps tell
    /// one file from the next.
    package static let maximumLength = 1024

    /// The bytes hashed, at most `maximumLength`.
    package var length: Int
    /// FNV-1a (64 bits) of those bytes.
    package var hash: UInt64
    /// The bytes before a later line boundary of the same content, when the file was read past
    /// its first bytes; `nil` otherwise.
    package var mark: Mark?

    package init(length: Int, hash: UInt64, mark: Mark? = nil) {
        self.length = length
        self.hash = hash
        self.mark = mark
    }

    /// A hash of the up to `length` bytes that end at `offset`: checked when a checkpointed file
    /// is resumed, so that new content that starts like the old (the same banner) is not taken for
    /// the rest of it.
    package struct Mark: Sendable, Hashable {
        /// The most bytes hashed.
        package static let length = 64

        /// Where the bytes end (a line boundary when the input took it).
        package var offset: Int64
        /// FNV-1a (64 bits) of the `min(length, offset)` bytes before `offset`.
        package var hash: UInt64

        package init(offset: Int64, hash: UInt64) {
            self.offset = offset
            self.hash = hash
        }

        /// The mark of the file open as `descriptor` at `offset`; `nil` when it is shorter or
        /// cannot be read.
        package static func read(_ descriptor: Int32, at offset: Int64) -> Mark? {
            let count = Int(min(Int64(length), offset))
            guard count > 0, let bytes = FileHead.read(descriptor, count: count, at: offset - Int64(count)),
                bytes.count == count
            else { return nil }
            return Mark(offset: offset, hash: FileHead.hash(bytes))
        }
    }

    /// The fingerprint of `bytes` (up to `maximumLength` of them).
    package init(of bytes: some Collection<UInt8>) {
        let prefix = bytes.prefix(Self.maximumLength)
        self.init(length: prefix.count, hash: Self.hash(prefix))
    }

    /// Whether `sample` (a file's first bytes, see `Sample`) starts with the bytes this was taken of.
    package func matches(_ sample: Sample) -> Bool {
        sample.bytes.count >= length && Self.hash(sample.bytes.prefix(length)) == hash
    }

    /// Whether a checkpointed file found with `sample` (read with `Sample.read(path:key:markAt:)`
    /// at `mark`'s offset) is still this content: the first bytes match, and so do the bytes of
    /// the mark (a file shorter than the mark's offset is other content).
    package func resumes(_ sample: Sample) -> Bool {
        matches(sample) && (mark == nil || sample.mark == mark)
    }

    /// `length:hash` in hexadecimal, and the mark's `@offset:hash`.
    package var description: String {
        String(length) + ":" + String(hash, radix: 16)
            + (mark.map { "@" + String($0.offset) + ":" + String($0.hash, radix: 16) } ?? "")
    }

    /// Up to `count` bytes of the file open as `descriptor` from `offset`; fewer at its end,
    /// `nil` when it cannot be read.
    fileprivate static func read(_ descriptor: Int32, count: Int, at offset: Int64) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < bytes.count {
            let read = bytes.withUnsafeMutableBytes {
                pread(descriptor, $0.baseAddress! + filled, $0.count - filled, off_t(offset) + off_t(filled))
            }
            if read < 0 && errno == EINTR { continue }
            guard read >= 0 else { return nil }
            if read == 0 { break }
            filled += read
        }
        bytes.removeSubrange(filled...)
        return bytes
    }

    fileprivate static func hash(_ bytes: some Collection<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return hash
    }

    private enum CodingKeys: String, CodingKey { case length, hash, mark }
    private enum MarkKeys: String, CodingKey { case offset, hash }

    // The hash as hexadecimal text: JSON readers that hold numbers as doubles would round it.
    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        length = try container.decode(Int.self, forKey: .length)
        let text = try container.decode(String.self, forKey: .hash)
        guard let hash = UInt64(text, radix: 16), (0...Self.maximumLength).contains(length) else {
            throw DecodingError.dataCorruptedError(
                forKey: .hash,
                in: container,
                debugDescription: "invalid file fingerprint \(length):\(text)"
            )
        }
        self.hash = hash
        if container.contains(.mark) {
            let mark = try container.nestedContainer(keyedBy: MarkKeys.self, forKey: .mark)
            let offset = try mark.decode(Int64.self, forKey: .offset)
            let text = try mark.decode(String.self, forKey: .hash)
            guard let hash = UInt64(text, radix: 16), offset > 0 else {
                throw DecodingError.dataCorruptedError(
                    forKey: .hash,
                    in: mark,
                    debugDescription: "invalid file mark \(offset):\(text)"
                )
            }
            self.mark = Mark(offset: offset, hash: hash)
        }
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(length, forKey: .length)
        try container.encode(String(hash, radix: 16), forKey: .hash)
        if let mark {
            var nested = container.nestedContainer(keyedBy: MarkKeys.self, forKey: .mark)
            try nested.encode(mark.offset, forKey: .offset)
            try nested.encode(String(mark.hash, radix: 16), forKey: .hash)
        }
    }

    /// A file's first bytes as they are now (up to `maximumLength`), read by the shell for the
    /// tracker to compare with fingerprints.
    package struct Sample: Sendable, Equatable {
        package var bytes: [UInt8]
        /// The file's mark at the offset asked for, when it was asked for and the file is that
        /// long.
        package var mark: Mark?

        package init(_ bytes: [UInt8], mark: Mark? = nil) {
            self.bytes = Array(bytes.prefix(FileHead.maximumLength))
            self.mark = mark
        }

        /// The fingerprint of these bytes, with the mark.
        package var head: FileHead {
            var head = FileHead(of: bytes)
            head.mark = mark
            return head
        }

        /// The first bytes of the file open as `descriptor`, and its mark at `markAt`; `nil` when
        /// they cannot be read.
        package static func read(_ descriptor: Int32, markAt: Int64? = nil) -> Sample? {
            guard let bytes = FileHead.read(descriptor, count: FileHead.maximumLength, at: 0) else { return nil }
            return Sample(bytes, mark: markAt.flatMap { Mark.read(descriptor, at: $0) })
        }

        /// The first bytes of the regular file at `path`, and its mark at `markAt`; `nil` when it
        /// cannot be opened or read, or is not the file `key` (replaced since it was found).
        package static func read(path: String, key: FileKey, markAt: Int64? = nil) -> Sample? {
            let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
            guard descriptor >= 0 else { return nil }
            defer { _ = close(descriptor) }
            var info = stat()
            guard fstat(descriptor, &info) == 0,
                FileKey(device: UInt64(info.st_dev), inode: UInt64(info.st_ino)) == key
            else { return nil }
            return read(descriptor, markAt: markAt)
        }
    }
}
