package import Foundation

extension AetherraLogGenerator {
    /// Writes at least `lines` lines (whole events, so a traceback may add up to four more) to
    /// `path`, replacing it, in 1 MiB writes; events are stamped 1 ms apart from `start`.
    package static func write(
        lines: Int,
        to path: String,
        seed: UInt64,
        start: TimeInterval,
        mix: Mix = .standard
    ) throws -> Totals {
        var generator = AetherraLogGenerator(seed: seed, mix: mix)
        guard FileManager.default.createFile(atPath: path, contents: nil),
            let handle = FileHandle(forWritingAtPath: path)
        else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
        }
        defer { try? handle.close() }
        var text = ""
        var event = 0
        while generator.totals.lines < lines {
            generator.appendEvent(at: Date(timeIntervalSince1970: start + Double(event) / 1000), to: &text)
            event += 1
            if text.utf8.count >= 1 << 20 {
                try handle.write(contentsOf: Data(text.utf8))
                text.removeAll(keepingCapacity: true)
            }
        }
        try handle.write(contentsOf: Data(text.utf8))
        return generator.totals
    }
}
