import ArgumentParser
import LogshipRuntime

/// The `logship` command: argument parsing and bootstrap only; the work is in LogshipRuntime.
@main
struct Logship: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logship",
        abstract: "Tail log files, parse them, derive Prometheus metrics, ship them to Elasticsearch.",
        discussion: """
            Pipelines are YAML files (see pipelines/aetherra.yml). Values may use ${VAR} and \
            ${VAR:-default}; an unset variable without a default is an error.

            Start with `logship demo`: it writes sample Aetherra logs to a temporary directory and \
            runs the default pipeline against a built-in Elasticsearch-compatible endpoint. \
            `logship test` runs the golden tests that each pipeline has beside it \
            (<pipeline>.tests.yml).
            """,
        version: LogshipVersion.current,
        subcommands: [
            Run.self, Validate.self, Test.self, Status.self, ReplayDeadLetters.self, Demo.self, Generate.self,
            Receiver.self, Bench.self,
        ]
    )
}
