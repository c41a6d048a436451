import ArgumentParser
import Foundation
import LogshipRuntime

extension Logship {
    /// `logship generate`: sample Aetherra logs for trying pipelines and for benchmarks.
    struct Generate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write sample Aetherra-style logs (metric lines, plain lines, tracebacks) to a file.",
            discussion: """
                The text is the same for the same --seed and mix; timestamps advance 1 ms per event \
                from --start. The default mix: 25% bare JSON metric lines, 20% prefixed JSON, 3% \
                tracebacks, 52% plain lines.
                """
        )

        @Option(name: .long, help: "How many lines to write (a traceback's lines count one by one).")
        var lines: Int = 1_000_000

        @Option(name: .shortAndLong, help: "The file to write (replaced if it exists).")
        var output: String

        @Option(name: .long, help: "Seed of the generator.")
        var seed: UInt64 = 42

        @Option(name: .long, help: "Time of the first event, in seconds since 1970 (default 2025-11-01T12:00:00Z).")
        var start: Double = 1_761_998_400

        @OptionGroup var mix: MixOptions

        func run() async throws {
            let totals = try AetherraLogGenerator.write(
                lines: lines,
                to: output,
                seed: seed,
                start: start,
                mix: mix.mix
            )
            print("\(output): \(totals.lines) lines, \(totals.events) events, \(totals.bytes) bytes")
        }
    }
}
