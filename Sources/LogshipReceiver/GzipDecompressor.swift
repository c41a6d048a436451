import CISAL
package import NIOCore

/// gunzip of whole request bodies with ISA-L's igzip, members one after another (RFC 1952), each
/// checked against its CRC-32 and length.
///
/// Not CompressNIO's zlib: in `logship bench` zlib's inflate and `crc32_z` were a fifth of the
/// receiver's CPU, which competes with logship for the same two cores; igzip inflates about twice
/// as fast and computes the CRC with carry-less multiplication.
package enum GzipDecompressor {
    package enum Failure: Error, Equatable {
        /// The decompressed form exceeds the limit.
        case tooLarge
        /// Not gzip, corrupt or cut short: why.
        case invalid(String)
    }

    /// The decompressed form of `input`, at most `maximumBytes` long.
    package static func decompress(_ input: ByteBuffer, maximumBytes: Int) throws(Failure) -> ByteBuffer {
        let state = UnsafeMutablePointer<inflate_state>.allocate(capacity: 1)
        defer { state.deallocate() }
        var output = ByteBufferAllocator().buffer(capacity: min(maximumBytes, max(4096, input.readableBytes * 8)))
        let failure: Failure? = input.withUnsafeReadableBytes { bytes -> Failure? in
            guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
                return .invalid("empty body")
            }
            var offset = 0
            repeat {
                isal_inflate_init(state)
                state.pointee.crc_flag = UInt32(ISAL_GZIP)
                state.pointee.next_in = UnsafeMutablePointer(mutating: base + offset)
                state.pointee.avail_in = UInt32(clamping: bytes.count - offset)
                if let failure = inflateMember(state, into: &output, maximumBytes: maximumBytes) { return failure }
                offset = bytes.count - Int(state.pointee.avail_in)
            } while offset < bytes.count
            return nil
        }
        if let failure { throw failure }
        return output
    }

    /// Inflates the member at `state`'s input to its end; nil when it ended well.
    private static func inflateMember(
        _ state: UnsafeMutablePointer<inflate_state>,
        into output: inout ByteBuffer,
        maximumBytes: Int
    ) -> Failure? {
        while true {
            let room = maximumBytes - output.writerIndex
            if output.writableBytes == 0 {
                guard room > 0 else { return .tooLarge }
                output.reserveCapacity(min(maximumBytes, output.capacity * 2))
            }
            var status: Int32 = 0
            output.writeWithUnsafeMutableBytes(minimumWritableBytes: 0) { buffer in
                let available = UInt32(clamping: min(buffer.count, room))
                state.pointee.next_out = buffer.baseAddress?.assumingMemoryBound(to: UInt8.self)
                state.pointee.avail_out = available
                status = isal_inflate(state)
                return Int(available - state.pointee.avail_out)
            }
            if status < 0 { return .invalid(message(status)) }
            if state.pointee.block_state == ISAL_BLOCK_FINISH { return nil }
            if state.pointee.avail_out > 0 {
                // Room left and not finished: the input ended inside the member.
                return .invalid("unexpected end of gzip data")
            }
            if output.writerIndex >= maximumBytes { return .tooLarge }
        }
    }

    private static func message(_ status: Int32) -> String {
        switch status {
        case ISAL_INVALID_WRAPPER: "not in gzip format"
        case ISAL_INCORRECT_CHECKSUM: "gzip checksum mismatch"
        case ISAL_INVALID_BLOCK, ISAL_INVALID_SYMBOL, ISAL_INVALID_LOOKBACK: "corrupt deflate data"
        default: "igzip error \(status)"
        }
    }
}
