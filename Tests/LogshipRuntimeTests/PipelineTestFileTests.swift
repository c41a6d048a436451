import Foundation
import LogshipCore
import LogshipRuntime
import Testing

struct PipelineTestFileTests {
    func errors(_ text: String) -> [String] {
        do {
            _ = try PipelineTestFile.parse(text, path: "dir/p.tests.yml")
            return []
        } catch {
            return error.errors.map(\.description)
        }
    }

    @Test func testsFilesAreNamedAfterTheirPipeline() {
        #expect(PipelineTestFile.testsPath(ofPipeline: "pipelines/aetherra.yml") == "pipelines/aetherra.tests.yml")
        #expect(PipelineTestFile.pipelinePath(ofTests: "examples/x/pipeline.tests.yml") == "examples/x/pipeline.yml")
        #expect(PipelineTestFile.pipelinePath(ofTests: "examples/x/pipeline.yml") == nil)
    }

    @Test func aCaseReadsItsInputAndExpectationsAsWritten() throws {
        let file = try PipelineTestFile.parse(
            """
            environment: {LOG_DIR: /logs}
            read_time: 2025-11-01T00:00:00Z
            tests:
              - name: one
                input:
                  lines: |
                    a ${HOME} line
                expect:
                  documents:
                    - {message: "a ${HOME} line", log: {offset: 0}}
                  metrics: |
                    m{a="b"} 1
                  absent_metrics: [n]
            """,
            path: "dir/p.tests.yml"
        )
        #expect(file.pipelinePath == "dir/p.yml")
        #expect(file.environment == ["LOG_DIR": "/logs"])
        #expect(file.readTime == Date(timeIntervalSince1970: 1_761_955_200))
        let test = try #require(file.cases.first)
        #expect(test.name == "one" && test.line == 4 && test.keyPath == "tests[0]")
        #expect(test.input.bytes == Array("a ${HOME} line\n".utf8))
        guard case .inline(.subset, let documents, _)? = test.documents else {
            Issue.record("expected inline documents")
            return
        }
        #expect(documents.first?.value == .object(["message": "a ${HOME} line", "log": .object(["offset": 0])]))
        guard case .samples(let samples, _)? = test.metrics else {
            Issue.record("expected samples")
            return
        }
        #expect(samples.map(\.line) == [12])
        #expect(test.absentMetrics.map(\.name) == ["n"])
    }

    @Test func everyProblemNamesTheFileLineAndKeyPath() {
        #expect(
            errors(
                """
                tests:
                  - name: one
                    input: {lines: "x", file: y.log}
                    expect:
                      metric: |
                        m 1
                  - name: one
                    input: {lines: "x"}
                    expect:
                      metrics: "m{a=1} 1"
                      documents_match: fuzzy
                """
            ) == [
                "dir/p.tests.yml:3:31: tests[0].input.file: give either 'lines' or 'file', not both",
                "dir/p.tests.yml:5:7: tests[0].expect.metric: unknown key 'metric' (did you mean 'metrics'?); "
                    + "known keys: absent_metrics, documents, documents_file, documents_match, metrics, metrics_file",
                "dir/p.tests.yml:7:11: tests[1].name: another test has the name 'one'",
                #"dir/p.tests.yml:10:16: tests[1].expect.metrics: line 10: expected '"' to open the value of 'a'"#,
                "dir/p.tests.yml:11:24: tests[1].expect.documents_match: expected one of subset, exact, found 'fuzzy'",
                "dir/p.tests.yml:11:24: tests[1].expect.documents_match: there are no 'documents' to match",
            ]
        )
    }

    @Test func aCaseMustCheckSomething() {
        #expect(
            errors("tests:\n  - name: one\n    input: {lines: x}\n    expect: {}\n") == [
                "dir/p.tests.yml:4:13: tests[0].expect: nothing to check: "
                    + "expect documents, documents_file, metrics, metrics_file or absent_metrics"
            ]
        )
        #expect(errors("tests: []") == ["dir/p.tests.yml:1:8: tests: at least one test is needed"])
    }
}
