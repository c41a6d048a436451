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

    @Test func documentIDsAreStablePerFileAndOffset() {
        let source = EventSource(fileKey: FileKey(device: 0x803, inode: 0x1F), path: "/a", startOffset: 4096, endOffset: 5000)
        #expect(source.documentID == "803-1f-1000")
    }
}
