import Glibc
package import LogshipCore

/// A fingerprint of a file's first bytes: with the inode, what tells a file from another one that
/// took its inode, or from new content written over it in place (copytruncate, `>` redirection).
///
/// It needs no minimum size: it covers as many bytes as the file had when it was taken, up to
/// `maximumLength`, and a file that has grown since still matches (a file only grows, so its
/// first bytes stay). A file shorter than the fingerprint, or whose first bytes hash otherwise,
/// is another file. An empty file's fingerprint matches every file: there was nothing to tell.
package struct FileHead: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The most bytes hashed: a kibibyte holds the first lines of a log, and their timestamps tell
    /// one file from the next.
    package static let maximumLength = 1024

    /// The bytes hashed, at most `maximumLength`.
    package var length: Int
    /// FNV-1a (64 bits) of those bytes.
    package var hash: UInt64

    package init(length: Int, hash: UInt64) {
        self.length = length
        self.hash = hash
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

    /// `length:hash` in hexadecimal.
    package var description: String { String(length) + ":" + String(hash, radix: 16) }

    private static func hash(_ bytes: some Collection<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return hash
    }

    private enum CodingKeys: String, CodingKey { case length, hash }

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
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(length, forKey: .length)
        try container.encode(String(hash, radix: 16), forKey: .hash)
    }

    /// A file's first bytes as they are now (up to `maximumLength`), read by the shell for the
    /// tracker to compare with fingerprints.
    package struct Sample: Sendable, Equatable {
        package var bytes: [UInt8]

        package init(_ bytes: [UInt8]) { self.bytes = Array(bytes.prefix(FileHead.maximumLength)) }

        /// The fingerprint of these bytes.
        package var head: FileHead { FileHead(of: bytes) }

        /// The first bytes of the file open as `descriptor`; `nil` when they cannot be read.
        package static func read(_ descriptor: Int32) -> Sample? {
            var bytes = [UInt8](repeating: 0, count: FileHead.maximumLength)
            var filled = 0
            while filled < bytes.count {
                let count = bytes.withUnsafeMutableBytes {
                    pread(descriptor, $0.baseAddress! + filled, $0.count - filled, off_t(filled))
                }
                if count < 0 && errno == EINTR { continue }
                guard count >= 0 else { return nil }
                if count == 0 { break }
                filled += count
            }
            bytes.removeSubrange(filled...)
            return Sample(bytes)
        }

        /// The first bytes of the regular file at `path`; `nil` when it cannot be opened or read,
        /// or is not the file `key` (replaced since it was found).
        package static func read(path: String, key: FileKey) -> Sample? {
            let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
            guard descriptor >= 0 else { return nil }
            defer { _ = close(descriptor) }
            var info = stat()
            guard fstat(descriptor, &info) == 0,
                FileKey(device: UInt64(info.st_dev), inode: UInt64(info.st_ino)) == key
            else { return nil }
            return read(descriptor)
        }
    }
}
