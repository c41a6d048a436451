import LogshipRuntime
import Testing

struct MetricSampleTests {
    @Test func aSampleIsIdentifiedByNameAndLabelsInAnyOrder() throws {
        let written = try MetricSample(parsing: #"  requests_total{status="200",method="GET"} 3  "#)
        let rendered = try MetricSample(parsing: #"requests_total{method="GET",status="200",} 3.0 1700000000000"#)
        #expect(written.identity == rendered.identity)
        #expect(written.hasValue(rendered.value))
        #expect(written.text == #"requests_total{status="200",method="GET"} 3"#)
    }

    @Test func labelValuesAreUnescapedAndSpecialValuesRead() throws {
        let sample = try MetricSample(parsing: #"m{path="a\"b\\c\nd"} +Inf"#)
        #expect(sample.labels == [MetricSample.Label("path", "a\"b\\c\nd")])
        #expect(sample.value == .infinity)
        #expect(try MetricSample(parsing: "m NaN").hasValue(.nan))
        #expect(try MetricSample(parsing: "m 1.34217728e+08").value == 134_217_728)
    }

    @Test(arguments: [
        (#"m{a="b" 1"#, "expected ',' or '}' after the label 'a'"),
        ("m", "no value after 'm'"),
        ("m one", "'one' is not a sample value (a number, +Inf, -Inf or NaN)"),
        (#"m{a=b} 1"#, #"expected '"' to open the value of 'a'"#),
        ("1m 1", "expected a metric name at '1m 1'"),
    ])
    func badLinesSayWhatIsWrong(line: String, message: String) {
        #expect(throws: MetricSyntaxError(message)) { try MetricSample(parsing: line) }
    }

    @Test func parseAllSkipsCommentsAndNumbersLines() throws {
        let text = "# HELP m help\n# TYPE m counter\n\nm 1\nn{a=\"b\"} 2\n"
        let samples = try MetricSample.parseAll(text, firstLine: 10)
        #expect(samples.map(\.line) == [13, 14])
        #expect(throws: MetricSyntaxError("no value after 'x'", line: 11)) {
            try MetricSample.parseAll("m 1\nx", firstLine: 10)
        }
    }

    @Test func aSelectorMatchesAFamilyAndAtLeastItsLabels() throws {
        let histogram = try MetricSelector(parsing: "duration_seconds")
        let withLabel = try MetricSelector(parsing: #"duration_seconds{endpoint="/chat"}"#)
        let bucket = try MetricSample(parsing: #"duration_seconds_bucket{endpoint="/chat",le="1"} 1"#)
        let other = try MetricSample(parsing: #"duration_seconds_count{endpoint="/health"} 1"#)
        #expect(histogram.matches(bucket) && histogram.matches(other))
        #expect(withLabel.matches(bucket) && !withLabel.matches(other))
        #expect(!histogram.matches(try MetricSample(parsing: "duration_seconds_total 1")))
        #expect(throws: MetricSyntaxError.self) { try MetricSelector(parsing: "m 1") }
    }
}
