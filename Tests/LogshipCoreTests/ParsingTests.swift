import LogshipCore
import Testing

struct ParsingTests {
    @Test(arguments: [
        ("512KiB", 524_288), ("5MiB", 5_242_880), ("1GiB", 1_073_741_824), ("10KB", 10_000), ("100", 100),
        (" 2 MiB ", 2_097_152), ("7B", 7),
    ])
    func parsesSizes(text: String, bytes: Int) {
        #expect(ByteSize(parsing: text)?.bytes == bytes)
    }

    @Test(arguments: ["", "MiB", "-1KiB", "1.5MiB", "5 parsecs", "99999999999999999999GiB"])
    func rejectsBadSizes(text: String) {
        #expect(ByteSize(parsing: text) == nil)
    }

    @Test(arguments: [
        ("500ms", Duration.milliseconds(500)), ("5s", .seconds(5)), ("1m", .seconds(60)), ("1.5s", .milliseconds(1500)),
        ("2h", .seconds(7200)), ("250us", .microseconds(250)),
    ])
    func parsesDurations(text: String, duration: Duration) {
        #expect(Duration(parsing: text) == duration)
    }

    @Test(arguments: ["5", "s", "-1s", "1x", "1e3s", "five seconds"])
    func rejectsBadDurations(text: String) {
        #expect(Duration(parsing: text) == nil)
    }

    @Test func documentIDsAreStablePerFileOffsetAndText() {
        let text = "2025-11-01 12:00:00,123 - aetherra_hub - INFO - Server started"
        let source = EventSource(
            fileKey: FileKey(device: 0x803, inode: 0x1F),
            startOffset: 4096,
            endOffset: 5000,
            fingerprint: EventSource.fingerprint(of: text)
        )
        #expect(source.documentID == "803-1f-1000-" + String(EventSource.fingerprint(of: text), radix: 16))
        // FNV-1a reference values.
        #expect(EventSource.fingerprint(of: "") == 0x811c_9dc5)
        #expect(EventSource.fingerprint(of: "a") == 0xe40c_292c)
        #expect(EventSource.fingerprint(of: text) != EventSource.fingerprint(of: text + "!"))
    }
}
