import Glibc
import LogshipCore

/// Splits a byte stream into lines, tracking the file offset of each.
///
/// A line ends at `\n`; the `\n` and one `\r` right before it are not part of the text. A line longer
/// than `maximumLineBytes` is cut to that many bytes (moved back to a UTF-8 character boundary) and
/// flagged `isTruncated`; the rest of it is skipped up to its newline, and the line is returned once
/// that newline arrives, so that its `endOffset` still points past the whole line. Bytes that are not
/// valid UTF-8 are decoded as U+FFFD and the line is flagged `hasInvalidUTF8`.
///
/// Memory is bounded: the splitter keeps at most `maximumLineBytes` bytes of an unfinished line, on top
/// of the chunk the caller hands in; fewer when the caller lowers `partialLimit` (the input's budget
/// for what all its files hold, `FileInputConfiguration.maximumPendingBytes`). A line cut by that
/// lower limit is flagged `isTruncated` like any other and counted in `limitCuts`.
///
/// The hot path (`append(_:at:_:)`) hands each line's bytes to a closure, straight from the chunk
/// when the line lies in it: no `String`, no copy. The `Line` API, which makes a `String` per
/// line, is for tests and small inputs.
package struct LineSplitter: Sendable {
    /// Where a line is and what happened to it.
    package struct LineInfo: Sendable, Equatable {
        /// Offset of the line's first byte.
        package var startOffset: Int64
        /// Offset just past the line's `\n` (or past its last byte for a line flushed at end of file).
        package var endOffset: Int64
        /// The line was longer than the maximum and cut.
        package var isTruncated: Bool
        /// The line held bytes that are not valid UTF-8 (replaced by U+FFFD in the bytes handed on).
        package var hasInvalidUTF8: Bool
    }

    /// One line and the bytes it was made of.
    package struct Line: Sendable, Equatable {
        /// The text, without line end.
        package var text: String
        /// Offset of the line's first byte.
        package var startOffset: Int64
        /// Offset just past the line's `\n` (or past its last byte for a line flushed at end of file).
        package var endOffset: Int64
        /// The line was longer than the maximum and cut.
        package var isTruncated: Bool
        /// The line held bytes that are not valid UTF-8.
        package var hasInvalidUTF8: Bool

        package init(
            text: String,
            startOffset: Int64,
            endOffset: Int64,
            isTruncated: Bool = false,
            hasInvalidUTF8: Bool = false
        ) {
            self.text = text
            self.startOffset = startOffset
            self.endOffset = endOffset
            self.isTruncated = isTruncated
            self.hasInvalidUTF8 = hasInvalidUTF8
        }
    }

    /// The longest line text kept, in bytes.
    package let maximumLineBytes: Int
    /// The most bytes of an unfinished line kept from now on: `maximumLineBytes` unless the caller
    /// lowers it (values above `maximumLineBytes` have no effect).
    package var partialLimit: Int
    /// Lines cut shorter than `maximumLineBytes` because of `partialLimit`.
    package private(set) var limitCuts = 0
    /// The stored start of the unfinished line: at most `maximumLineBytes` bytes.
    private var partial: [UInt8] = []
    /// Offset of the unfinished line's first byte; equals `offset` when there is none.
    private var partialStart: Int64
    /// Offset of the next byte expected.
    private var nextOffset: Int64
    /// The last byte handed in, to recognise a `\r\n` split across chunks.
    private var previousByte: UInt8 = 0
    /// Bytes of the unfinished line were dropped: none after them are kept (the limit may rise
    /// again before its newline, and the kept text must stay the line's start).
    private var partialIsCut = false

    /// - Parameters:
    ///   - maximumLineBytes: the longest line text kept; values below 1 are treated as 1.
    ///   - offset: the file offset of the first byte that will be handed in.
    package init(maximumLineBytes: Int, startingAt offset: Int64 = 0) {
        self.maximumLineBytes = max(1, maximumLineBytes)
        self.partialLimit = self.maximumLineBytes
        self.partialStart = offset
        self.nextOffset = offset
    }

    /// Offset of the next byte expected.
    package var offset: Int64 { nextOffset }

    /// Offset where the unfinished line starts (equal to `offset` when there is none): the place to
    /// resume from so that no line is cut.
    package var lineStartOffset: Int64 { partialStart }

    /// Whether bytes of an unfinished line are held.
    package var hasPartialLine: Bool { partialStart < nextOffset }

    /// The memory held for the unfinished line: its buffer's capacity.
    package var heldBytes: Int { partial.capacity }

    /// Frees the buffer when no unfinished line is held (its capacity is kept between lines).
    package mutating func releaseSpareCapacity() {
        if partial.isEmpty && partial.capacity > 0 { partial = [] }
    }

    /// Forgets any unfinished line and expects the next byte at `offset`.
    package mutating func reset(to offset: Int64) {
        partial.removeAll(keepingCapacity: false)
        partialIsCut = false
        partialStart = offset
        nextOffset = offset
        previousByte = 0
    }

    /// Convenience for tests and small inputs: splits `bytes` read at `offset`.
    package mutating func append(_ bytes: [UInt8], at offset: Int64) -> [Line] {
        var lines: [Line] = []
        bytes.withUnsafeBufferPointer { append($0, at: offset, into: &lines) }
        return lines
    }

    /// Splits `chunk`, read at file offset `offset`, appending complete lines to `lines`.
    package mutating func append(_ chunk: UnsafeBufferPointer<UInt8>, at offset: Int64, into lines: inout [Line]) {
        append(chunk, at: offset) { bytes, info in lines.append(Line(bytes, info)) }
    }

    /// Splits `chunk`, read at file offset `offset`, calling `body` with each complete line: its
    /// text (valid UTF-8, without line end; valid only during the call) and where it was.
    ///
    /// If `offset` is not where the previous chunk ended, the unfinished line is dropped and splitting
    /// restarts at `offset`.
    package mutating func append(
        _ chunk: UnsafeBufferPointer<UInt8>,
        at offset: Int64,
        _ body: (UnsafeBufferPointer<UInt8>, LineInfo) -> Void
    ) {
        if offset != nextOffset { reset(to: offset) }
        guard let base = chunk.baseAddress, !chunk.isEmpty else { return }
        let count = chunk.count
        var position = 0
        while position < count {
            guard let found = memchr(base + position, 0x0A, count - position) else {
                storePartial(UnsafeBufferPointer(start: base + position, count: count - position))
                break
            }
            let newline = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
            let segment = UnsafeBufferPointer(start: base + position, count: newline - position)
            let endOffset = offset + Int64(newline + 1)
            let beforeNewline = newline > position ? base[newline - 1] : previousByte
            if !hasPartialLine {
                Self.makeLine(segment, lineStart: partialStart, endOffset: endOffset, limit: maximumLineBytes, body)
            } else {
                storePartial(segment)
                let logicalLength = Int(offset + Int64(newline) - partialStart)
                let contentLength = beforeNewline == 0x0D ? logicalLength - 1 : logicalLength
                emitPartial(contentLength: contentLength, endOffset: endOffset, body)
                partial.removeAll(keepingCapacity: partial.capacity <= 4 << 10)
                partialIsCut = false
            }
            position = newline + 1
            partialStart = endOffset
        }
        nextOffset = offset + Int64(count)
        previousByte = base[count - 1]
    }

    /// Returns the unfinished line as a line of its own, for the end of a file that will not grow
    /// (rotated away or deleted). A trailing `\r` is dropped. `nil` when there is none.
    package mutating func flushPartial() -> Line? {
        var line: Line?
        flushPartial { bytes, info in line = Line(bytes, info) }
        return line
    }

    /// Calls `body` with the unfinished line, if any, as `append(_:at:_:)` does with complete ones.
    package mutating func flushPartial(_ body: (UnsafeBufferPointer<UInt8>, LineInfo) -> Void) {
        guard hasPartialLine else { return }
        let logicalLength = Int(nextOffset - partialStart)
        let contentLength = previousByte == 0x0D ? logicalLength - 1 : logicalLength
        emitPartial(contentLength: contentLength, endOffset: nextOffset, body)
        partial.removeAll(keepingCapacity: false)
        partialIsCut = false
        partialStart = nextOffset
    }

    /// Hands on the stored line, `contentLength` bytes long in the file (without line end): cut
    /// when fewer of them were kept.
    private mutating func emitPartial(
        contentLength: Int,
        endOffset: Int64,
        _ body: (UnsafeBufferPointer<UInt8>, LineInfo) -> Void
    ) {
        let kept = min(contentLength, partial.count)
        let cut = contentLength > kept
        if cut && kept < maximumLineBytes { limitCuts += 1 }
        partial.withUnsafeBufferPointer {
            Self.makeLine(
                UnsafeBufferPointer(rebasing: $0[0..<kept]),
                lineStart: partialStart,
                endOffset: endOffset,
                limit: cut ? kept : maximumLineBytes,
                cut: cut,
                body
            )
        }
    }

    /// Keeps as much of `bytes` as fits under the limit; the buffer grows geometrically but not
    /// past the limit (its capacity is what the input's budget counts).
    private mutating func storePartial(_ bytes: UnsafeBufferPointer<UInt8>) {
        let limit = min(maximumLineBytes, partialLimit)
        let room = partialIsCut ? 0 : limit - partial.count
        if bytes.count > room { partialIsCut = true }
        guard room > 0 else { return }
        let kept = UnsafeBufferPointer(rebasing: bytes.prefix(room))
        let needed = partial.count + kept.count
        if needed > partial.capacity { partial.reserveCapacity(min(limit, max(needed, partial.capacity * 2))) }
        partial.append(contentsOf: kept)
    }

    /// Hands on a line from `bytes` (the content with a possible trailing `\r` when `cut` is nil):
    /// cut to the limit at a character boundary, invalid UTF-8 replaced (the rare case that
    /// allocates).
    @inline(__always)
    private static func makeLine(
        _ bytes: UnsafeBufferPointer<UInt8>,
        lineStart: Int64,
        endOffset: Int64,
        limit: Int,
        cut: Bool? = nil,
        _ body: (UnsafeBufferPointer<UInt8>, LineInfo) -> Void
    ) {
        var content = bytes
        var truncated = cut ?? false
        if cut == nil {
            if let last = content.last, last == 0x0D { content = UnsafeBufferPointer(rebasing: content.dropLast()) }
            truncated = content.count > limit
        }
        if truncated { content = UTF8Boundary.prefix(content, maximumBytes: limit) }
        var info = LineInfo(startOffset: lineStart, endOffset: endOffset, isTruncated: truncated, hasInvalidUTF8: false)
        if UTF8Validation.isValid(content) {
            body(content, info)
            return
        }
        info.hasInvalidUTF8 = true
        var repaired = String(decoding: content, as: UTF8.self)
        repaired.withUTF8 { body($0, info) }
    }
}

extension LineSplitter.Line {
    /// A line made from bytes handed on by the splitter.
    init(_ bytes: UnsafeBufferPointer<UInt8>, _ info: LineSplitter.LineInfo) {
        self.init(
            text: String(decoding: bytes, as: UTF8.self),
            startOffset: info.startOffset,
            endOffset: info.endOffset,
            isTruncated: info.isTruncated,
            hasInvalidUTF8: info.hasInvalidUTF8
        )
    }

    /// Where the line is and what happened to it.
    package var info: LineSplitter.LineInfo {
        LineSplitter.LineInfo(
            startOffset: startOffset,
            endOffset: endOffset,
            isTruncated: isTruncated,
            hasInvalidUTF8: hasInvalidUTF8
        )
    }
}
