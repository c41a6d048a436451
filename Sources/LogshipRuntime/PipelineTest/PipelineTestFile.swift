package import struct Foundation.Date

/// A tests file (`<pipeline>.tests.yml`): golden tests of one pipeline, run by `logship test`.
///
/// Each case feeds lines to the pipeline's file input and compares what comes out: the documents
/// (as the Elasticsearch output writes their `_source`) and the samples of `/metrics`. Cases are
/// independent: each starts with an empty metric store.
package struct PipelineTestFile: Sendable {
    /// The tests file.
    package var path: String
    /// The pipeline it tests: its `pipeline` key (relative to the tests file), or the tests file's
    /// name with `.tests.yml` replaced by `.yml`.
    package var pipelinePath: String
    /// The environment the pipeline is loaded with (its `environment` key): every `${VAR}` not set
    /// here takes its default, whatever the environment of `logship test` holds.
    package var environment: [String: String]
    /// The time of reading the lines (`read_time`, default 2000-01-01T00:00:00Z): the events'
    /// `@timestamp` until a step parses one, and the clock of summaries' windows.
    package var readTime: Date
    package var cases: [PipelineTestCase]

    /// The default `readTime`: 2000-01-01T00:00:00Z, far from any log's time, so that a document
    /// showing it plainly carries the read time.
    package static let defaultReadTime = Date(timeIntervalSince1970: 946_684_800)

    /// The tests file of `pipeline`: `x.yml` gives `x.tests.yml` (`x.yaml` gives `x.tests.yaml`).
    package static func testsPath(ofPipeline pipeline: String) -> String {
        for suffix in [".yml", ".yaml"] where pipeline.hasSuffix(suffix) {
            return String(pipeline.dropLast(suffix.count)) + ".tests" + suffix
        }
        return pipeline + ".tests.yml"
    }

    /// The pipeline a tests file is named after: `x.tests.yml` gives `x.yml`; `nil` for a file
    /// not named so.
    package static func pipelinePath(ofTests tests: String) -> String? {
        for suffix in [".yml", ".yaml"] where tests.hasSuffix(".tests" + suffix) {
            return String(tests.dropLast(".tests".count + suffix.count)) + suffix
        }
        return nil
    }
}
