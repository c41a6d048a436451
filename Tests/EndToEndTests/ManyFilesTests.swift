import Foundation
import Glibc
import LogshipRuntime
import LogshipTail
import Testing

/// More files than descriptors: 10,000 files in a watched directory under `ulimit -n 1024`.
@Suite struct ManyFilesTests {
    @Test func tenThousandFilesUnderADescriptorLimitOf1024AreAllRead() async throws {
        let directory = try TemporaryDirectory("logship-many-files")
        defer { directory.remove() }
        let logs = directory.path("logs")
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        let count = 10_000
        var sizes: [String: Int] = [:]
        for index in 0..<count {
            let text =
                "2025-11-01 12:00:00,000 - svc\(index) - INFO - first line of file \(index)\n"
                + "2025-11-01 12:00:01,000 - svc\(index) - INFO - second line of file \(index)\n"
            let path = "\(logs)/service-\(index).log"
            // Written with open(2) and write(2): Foundation's Data.write took seconds for these.
            let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
            try #require(descriptor >= 0)
            try #require(
                text.utf8.withContiguousStorageIfAvailable { write(descriptor, $0.baseAddress, $0.count) }
                    == text.utf8.count
            )
            close(descriptor)
            sizes[path] = text.utf8.count
        }
        let command = [
            "ulimit -n 1024 &&", "exec env", "AETHERRA_LOG_DIR=\(logs)", "LOGSHIP_DATA_DIR=\(directory.path("data"))",
            "METRICS_LISTEN=127.0.0.1:0", Repository.binary.path, "run --once --output null",
            "--config", Repository.pipeline, "--log-level warning",
        ].joined(separator: " ")
        let result = try await runCommand("/bin/sh", ["-c", command])
        #expect(result.status == 0, "stderr:\n\(result.error.suffix(2000))")
        let summary = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
        #expect(summary?["events"] as? Int == 2 * count)
        #expect(!result.error.contains("Too many open files"), "\(result.error.suffix(2000))")
        // Every file checkpointed at its end.
        let files = try CheckpointStore(directory: directory.path("data")).load().files
        #expect(files.count == count)
        #expect(files.allSatisfy { sizes[$0.path].map(Int64.init) == $0.offset })
    }
}
