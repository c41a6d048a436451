import CISAL
package import NIOCore

/// gzip (RFC 1952) compression of whole buffers with ISA-L's igzip: one stateless call per request
/// body, no streaming, a single gzip member with igzip's generic header.
///
/// - Levels: igzip has levels 0-3. `compression_level` 1 is igzip 1 (on bulk NDJSON about zlib
///   level 1's ratio at five times its speed), 2-3 are igzip 2, 4-9 igzip 3 (a little smaller,
///   about a third of the speed), following zlib's split between fast and lazy matching. No level
///   reaches zlib's 6; larger numbers only select igzip 3.
/// - Memory: the stream state (80 KiB), igzip's level buffer (280-340 KiB) and a scratch buffer
///   of `bound(for:)` bytes of the largest input so far (only the part written to becomes
///   resident). The result is copied out of the scratch into a buffer of exactly its size.
/// - Failure: igzip falls back to stored blocks when data does not compress, which `bound(for:)`
///   leaves room for; an input whose bound exceeds `UInt32.max` (igzip's counters) is refused.
///   Any failure gives `nil`, and the caller sends the body uncompressed.
/// - Not thread-safe: one compressor serves one thread at a time (it is `~Copyable`; share it
///   behind a lock, as `CompressionThread` does).
package struct GzipCompressor: ~Copyable {
    /// The configured compression level, 1-9.
    package let level: Int
    /// The igzip level it selects, 1-3.
    package let igzipLevel: Int
    private let stream: UnsafeMutablePointer<isal_zstream>
    private let levelBuffer: UnsafeMutableRawBufferPointer
    private var scratch: UnsafeMutableRawBufferPointer

    /// A compressor for `compression_level` `level` (1-9); `nil` for another level.
    package init?(level: Int) {
        guard (1...9).contains(level) else { return nil }
        self.level = level
        self.igzipLevel = Self.igzipLevel(for: level)
        self.stream = .allocate(capacity: 1)
        self.levelBuffer = .allocate(
            byteCount: Int(logship_isal_level_buffer_size(UInt32(igzipLevel))),
            alignment: 64
        )
        // Zeroed once: igzip's hash tables live in it, and a stateless call at level 2 or 3 on a
        // buffer of whatever memory held produced a valid but poorly compressed stream once in a
        // test (60% of the input where 20% is usual).
        levelBuffer.initializeMemory(as: UInt8.self, repeating: 0)
        self.scratch = UnsafeMutableRawBufferPointer(start: nil, count: 0)
    }

    deinit {
        stream.deallocate()
        levelBuffer.deallocate()
        scratch.deallocate()
    }

    /// The igzip level (1-3) for `compression_level` 1-9: 1 → 1, 2-3 → 2, 4-9 → 3.
    package static func igzipLevel(for level: Int) -> Int {
        switch level {
        case ...1: 1
        case 2...3: 2
        default: 3
        }
    }

    /// The largest gzip form of `count` bytes: the bytes in stored blocks (5 bytes of header per
    /// 65,535), the gzip header and trailer (18 bytes) and igzip's largest block header.
    package static func bound(for count: Int) -> Int {
        count + 5 * (count / 65_535 + 1) + 18 + Int(ISAL_DEF_MAX_HDR_SIZE)
    }

    /// The gzip form of `input`, in a buffer of exactly its size; `nil` when compression failed
    /// (see the type).
    package mutating func compress(_ input: UnsafeRawBufferPointer, allocator: ByteBufferAllocator) -> ByteBuffer? {
        let bound = Self.bound(for: input.count)
        guard bound <= Int(UInt32.max) else { return nil }
        if scratch.count < bound {
            scratch.deallocate()
            scratch = .allocate(byteCount: bound, alignment: 64)
        }
        isal_deflate_stateless_init(stream)
        stream.pointee.level = UInt32(igzipLevel)
        stream.pointee.level_buf = levelBuffer.baseAddress?.assumingMemoryBound(to: UInt8.self)
        stream.pointee.level_buf_size = UInt32(levelBuffer.count)
        stream.pointee.gzip_flag = UInt16(IGZIP_GZIP)
        stream.pointee.end_of_stream = 1
        stream.pointee.flush = UInt16(NO_FLUSH)
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: UInt8.self))
        stream.pointee.avail_in = UInt32(input.count)
        stream.pointee.next_out = scratch.baseAddress?.assumingMemoryBound(to: UInt8.self)
        stream.pointee.avail_out = UInt32(bound)
        guard isal_deflate_stateless(stream) == COMP_OK, stream.pointee.avail_in == 0 else { return nil }
        let written = Int(stream.pointee.total_out)
        var output = allocator.buffer(capacity: written)
        output.writeBytes(UnsafeRawBufferPointer(rebasing: scratch[..<written]))
        return output
    }

    /// The gzip form of `bytes`; see `compress(_:allocator:)`.
    package mutating func compress(
        _ bytes: [UInt8],
        allocator: ByteBufferAllocator = ByteBufferAllocator()
    )
        -> ByteBuffer?
    {
        bytes.withUnsafeBytes { compress($0, allocator: allocator) }
    }
}
