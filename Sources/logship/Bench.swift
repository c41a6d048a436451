import ArgumentParser
import Foundation
import LogshipRuntime

extension Logship {
    /// `logship bench`: throughput of the real pipeline beside `cat` and `gzip -1`.
    struct Bench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure the pipeline on a generated Aetherra file beside cat, wc -l and gzip -1.",
            discussion: """
                Generates a file of Aetherra-style logs (as `logship generate`), then measures in \
                one run on that file: `cat`, `wc -l`, `gzip -1`, and the pipeline (pipelines/aetherra.yml or \
                --config) as a child `logship run --once` from the start of the file, into a child \
                `logship receiver` on loopback (its CPU reported apart) and with `--output null` \
                (no Elasticsearch; metrics still derived). Each row: lines/s, MB/s (10^6 bytes), \
                documents/s, wall and CPU seconds, peak RSS and allocations per line of that \
                process alone (wait4's rusage; malloc calls counted by preloading \
                libLogshipMallocCounter.so, built beside logship, into the measured commands only), \
                and the ratio of logship's lines/s to that of the gzip -1 measured just before it; \
                with --rounds N all of it N times, the targets judged on the median ratio. Run it on \
                a release build: \
                swift build -c release --static-swift-stdlib && .build/release/logship bench.
                """
        )

        @Option(name: .long, help: "Lines of the generated file.")
        var lines: Int = 1_000_000

        @Option(name: .long, help: "Seed of the generator.")
        var seed: UInt64 = 42

        @OptionGroup var mix: MixOptions

        @Option(name: .shortAndLong, help: "The pipeline file.")
        var config: String = "pipelines/aetherra.yml"

        @Option(
            name: .long,
            help: "Which pipeline runs: both, elasticsearch (into logship receiver) or null (--output null)."
        )
        var output: String = "both"

        @Option(
            name: .long,
            help: "Keep the file, data and logs in this directory (default: a temporary one, removed)."
        )
        var directory: String?

        @Option(
            name: .long,
            help: """
                Measure gzip -1 and the pipeline this many times, each pipeline run right after a \
                gzip -1 of its own; the targets use the median ratio (the machine's speed drifts).
                """
        )
        var rounds: Int = 1

        @Flag(name: .long, help: "Print the report as JSON instead of a Markdown table.")
        var json = false

        func validate() throws {
            guard BenchRunner.Outputs(rawValue: output) != nil else {
                throw ValidationError("--output must be both, elasticsearch or null")
            }
            guard lines > 0 else { throw ValidationError("--lines must be positive") }
            guard (1...100).contains(rounds) else { throw ValidationError("--rounds must be 1 to 100") }
        }

        func run() async throws {
            var runner = BenchRunner(
                lines: lines,
                seed: seed,
                mix: mix.mix,
                pipelinePath: config,
                outputs: BenchRunner.Outputs(rawValue: output) ?? .both,
                directory: directory,
                progress: { line in FileHandle.standardError.write(Data("bench: \(line)\n".utf8)) }
            )
            runner.rounds = rounds
            do {
                let report = try await runner.run()
                print(json ? report.json : report.markdown, terminator: json ? "\n" : "")
            } catch {
                FileHandle.standardError.write(Data("logship bench: \(error)\n".utf8))
                throw ExitCode(1)
            }
        }
    }
}
