import Foundation
import LogshipCore
import LogshipRuntime
import LogshipTail

/// What the stage benchmarks run on: `pipelines/aetherra.yml`, loaded by the runtime's loader
/// with its defaults, and exactly `lineCount` lines of `logship generate` text (seed 42, the
/// default mix, made in memory), with what each stage of the file input hands on.
///
/// Every stage benchmark processes the whole sample in one iteration, so that its batches have the
/// sizes the pipeline gives them; figures per iteration are figures per million lines.
struct AetherraSample: Sendable {
    /// The lines of the sample: one iteration's worth.
    static let lineCount = 1_000_000
    /// The file the events are attributed to.
    static let path = "/var/log/aetherra/aetherra_hub.log"
    static let fileKey = FileKey(device: 0x801, inode: 0x2A)
    /// When the events were read (before `parse_timestamp` sets their time).
    static let readTime = Date(timeIntervalSince1970: 1_762_000_000)

    /// One line of `text`, as `LineSplitter` found it.
    struct Line: Sendable {
        var range: Range<Int>
        var info: LineSplitter.LineInfo
    }

    /// One event, as `MultilineAggregator` joined it: its text is `range` of `eventText`.
    struct JoinedEvent: Sendable {
        var range: Range<Int>
        var span: EventSpan
    }

    /// The pipeline of `pipelines/aetherra.yml`.
    let pipeline: PipelineConfiguration
    /// Its file input.
    let input: FileInputConfiguration
    /// `lineCount` lines (unless asked for fewer), each ending in `\n`.
    let text: [UInt8]

    /// Loads the pipeline and generates `lines` lines of text.
    init(lines: Int = Self.lineCount) throws {
        let root = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        pipeline = try PipelineLoader.load(path: root.appending(path: "pipelines/aetherra.yml").path, environment: [:])
        guard let input = pipeline.inputs.first, input.multiline != nil else {
            throw SampleError("pipelines/aetherra.yml has no file input with multiline")
        }
        self.input = input
        text = Self.generate(lines: lines)
    }

    /// `lines` lines of `logship generate`'s text (seed 42, 1 ms per event from its default start),
    /// cut after the last line asked for (which may end inside a traceback).
    static func generate(lines: Int) -> [UInt8] {
        var generator = AetherraLogGenerator(seed: 42)
        var text = ""
        var event = 0
        while generator.totals.lines < lines {
            generator.appendEvent(at: Date(timeIntervalSince1970: 1_761_998_400 + Double(event) / 1000), to: &text)
            event += 1
        }
        var bytes = Array(text.utf8)
        var seen = 0
        for index in bytes.indices where bytes[index] == UInt8(ascii: "\n") {
            seen += 1
            if seen == lines {
                bytes.removeSubrange((index + 1)...)
                break
            }
        }
        return bytes
    }

    /// The text in chunks of the input's read buffer, as the file input reads it.
    var chunkSize: Int { input.readBufferBytes }

    /// The lines of the text, split by `LineSplitter` in chunks of `chunkSize`.
    func lines() -> [Line] {
        var lines: [Line] = []
        lines.reserveCapacity(Self.lineCount)
        var splitter = LineSplitter(maximumLineBytes: input.maximumLineBytes)
        text.withUnsafeBufferPointer { all in
            var offset = 0
            while offset < all.count {
                let chunk = UnsafeBufferPointer(rebasing: all[offset..<min(offset + chunkSize, all.count)])
                splitter.append(chunk, at: Int64(offset)) { bytes, info in
                    let start = Int(info.startOffset)
                    lines.append(Line(range: start..<(start + bytes.count), info: info))
                }
                offset += chunk.count
            }
        }
        return lines
    }

    /// The events of the text, joined by `MultilineAggregator` with the input's settings, and
    /// their text one after the other.
    func joinedEvents() throws -> (events: [JoinedEvent], text: [UInt8]) {
        var events: [JoinedEvent] = []
        var eventText: [UInt8] = []
        eventText.reserveCapacity(text.count)
        var aggregator = try makeAggregator()
        let now = ContinuousClock.now
        let emit = { (bytes: UnsafeBufferPointer<UInt8>, span: EventSpan) in
            events.append(JoinedEvent(range: eventText.count..<(eventText.count + bytes.count), span: span))
            eventText.append(contentsOf: bytes)
        }
        text.withUnsafeBufferPointer { all in
            for line in lines() {
                aggregator.append(UnsafeBufferPointer(rebasing: all[line.range]), line.info, now: now, emit: emit)
            }
        }
        aggregator.flush(emit)
        return (events, eventText)
    }

    /// A multiline aggregator with the input's settings.
    func makeAggregator() throws -> MultilineAggregator {
        try MultilineAggregator(configuration: input.multiline!, maximumBytes: input.maximumLineBytes)
    }
}

/// The sample could not be made.
struct SampleError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}
