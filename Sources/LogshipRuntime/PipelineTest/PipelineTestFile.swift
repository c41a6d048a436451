package import LogshipCore

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

/// One case of a tests file.
package struct PipelineTestCase: Sendable {
    /// The case's `name`.
    package var name: String
    /// Where the case starts in the tests file (1-based line), and its key path (`tests[2]`).
    package var line: Int?
    package var keyPath: String
    package var input: PipelineTestInput
    package var documents: DocumentsExpectation?
    package var metrics: MetricsExpectation?
    /// Metric families or samples that must not be there (`absent_metrics`).
    package var absentMetrics: [MetricSelector]
}

/// The lines a case feeds to the pipeline.
package struct PipelineTestInput: Sendable {
    /// The bytes, as the file input would read them from a file. A last line without a newline
    /// counts as a line (the file is taken as finished).
    package var bytes: [UInt8]
    /// The pipeline input that reads them (its `id`); `nil` for the pipeline's only input.
    package var inputID: String?
    /// The `log.file.path` the events get; `nil` for the default (see `PipelineTestHarness`).
    package var path: String?
    /// The file name of `input.file`, for the default path; `nil` for inline lines.
    package var fileName: String?
    /// The YAML line of `lines` or `file`, for messages.
    package var line: Int?

    package init(bytes: [UInt8], inputID: String? = nil, path: String? = nil, fileName: String? = nil) {
        self.bytes = bytes
        self.inputID = inputID
        self.path = path
        self.fileName = fileName
    }
}

/// What the documents must be.
package enum DocumentsExpectation: Sendable {
    /// How inline documents are compared.
    package enum Match: String, Sendable {
        /// Every key written must be there with that value (objects compared the same way
        /// inside); other keys are ignored.
        case subset
        /// The documents must be exactly these, no key more or less.
        case exact
    }

    /// Written in the tests file (`documents`, with `documents_match`), one per event, in order.
    case inline(match: Match, documents: [ExpectedDocument], line: Int?)
    /// A golden NDJSON file (`documents_file`), compared exactly; `nil` documents when the file
    /// does not exist yet.
    case file(path: String, documents: [ExpectedDocument]?)
}

/// One expected document and where it was written (a YAML line, or a line of the golden file).
package struct ExpectedDocument: Sendable {
    package var value: FieldValue
    package var line: Int?

    package init(value: FieldValue, line: Int?) {
        self.value = value
        self.line = line
    }
}

/// What `/metrics` must show.
package enum MetricsExpectation: Sendable {
    /// Samples written in the tests file (`metrics`): each must be there with this value; other
    /// samples are ignored.
    case samples([MetricSample], line: Int?)
    /// A golden exposition file (`metrics_file`): the derived part of `/metrics` (every family
    /// of the pipeline's `log_to_metric` steps, HELP and TYPE lines included; logship's own
    /// `logship_*` families left out) must be this text exactly. `nil` text when the file does
    /// not exist yet.
    case file(path: String, text: String?)
}
