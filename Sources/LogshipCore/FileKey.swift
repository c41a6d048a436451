/// The identity of a file on disk, independent of its name: device and inode.
///
/// A renamed file keeps its key; a file re-created under the same name gets a new one. Inode
/// numbers can be reused after a file is deleted, and a file can get new content in place: the
/// tailer tells those apart by the fingerprint of the first bytes (`FileHead`) and the size. The
/// device stays in the key: two file systems mounted under one pattern can hold files with the
/// same inode number.
package struct FileKey: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    package let device: UInt64
    package let inode: UInt64

    package init(device: UInt64, inode: UInt64) {
        self.device = device
        self.inode = inode
    }

    /// `device:inode` in hexadecimal, the form used in checkpoints and document ids.
    package var description: String { String(device, radix: 16) + ":" + String(inode, radix: 16) }

    package static func < (lhs: FileKey, rhs: FileKey) -> Bool {
        (lhs.device, lhs.inode) < (rhs.device, rhs.inode)
    }
}
