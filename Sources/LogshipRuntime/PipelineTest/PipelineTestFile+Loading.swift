import Foundation
import LogshipCore
import LogshipTransforms
import Yams

extension PipelineTestFile {
    /// Reads and checks the tests file at `path`, and the files it names (input files, golden
    /// files that exist). Throws `ConfigErrors` listing every problem, each with the file, line
    /// and key path, as `logship validate` does for pipelines. Values are taken as written: no
    /// `${VAR}` interpolation (log lines may hold `${`).
    package static func load(path: String) throws(ConfigErrors) -> PipelineTestFile {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot read the tests file" : "no such file"
            throw ConfigErrors([ConfigError(file: path, keyPath: "", message: reason)])
        }
        return try parse(text, path: path)
    }

    /// Checks tests-file text; `path` names it in errors, and relative paths in it are taken from
    /// its directory.
    package static func parse(_ text: String, path: String) throws(ConfigErrors) -> PipelineTestFile {
        let reader = ConfigReader(literalFile: path)
        guard let root = reader.root(of: text, notMapping: "a tests file must be a mapping with a 'tests' list")
        else { throw ConfigErrors(reader.errors) }
        let directory = (path as NSString).deletingLastPathComponent
        var file = PipelineTestFile(
            path: path,
            pipelinePath: pipelinePath(ofTests: path) ?? "",
            environment: [:],
            readTime: defaultReadTime,
            cases: []
        )
        if let pipeline = root["pipeline"]?.string {
            file.pipelinePath = resolve(pipeline, in: directory)
        } else if file.pipelinePath.isEmpty {
            root.value.report("the file is not named <pipeline>.tests.yml: say which pipeline it tests with 'pipeline'")
        }
        if let environment = root["environment"]?.mapping {
            for key in environment.keys { file.environment[key] = environment[key]?.string }
            environment.finish()
        }
        if let value = root["read_time"], let text = value.string {
            if let date = TimestampFormat.iso8601.date(from: .string(text)) {
                file.readTime = date
            } else {
                value.report("expected an ISO 8601 time such as 2025-11-01T12:00:00Z, found '\(text)'")
            }
        }
        if let tests = root.required("tests")?.sequence {
            if tests.isEmpty { root["tests"]?.report("at least one test is needed") }
            var names = Set<String>()
            for item in tests {
                if let test = testCase(item, directory: directory, names: &names) { file.cases.append(test) }
            }
        }
        root.finish()
        guard reader.errors.isEmpty else { throw ConfigErrors(inFileOrder: reader.errors) }
        return file
    }

    /// `path` from `directory` unless it is absolute.
    static func resolve(_ path: String, in directory: String) -> String {
        path.hasPrefix("/") || directory.isEmpty ? path : (directory as NSString).appendingPathComponent(path)
    }

    /// The case written at `item`; `names` are those of the cases before it, which it must not
    /// repeat (a name identifies a case in reports).
    private static func testCase(_ item: ConfigValue, directory: String, names: inout Set<String>) -> PipelineTestCase?
    {
        guard let mapping = item.mapping else { return nil }
        defer { mapping.finish() }
        let name = mapping.required("name")?.string
        if let name, !names.insert(name).inserted { mapping["name"]?.report("another test has the name '\(name)'") }
        let input = mapping.required("input").flatMap { readInput($0, directory: directory) }
        var test = PipelineTestCase(
            name: name ?? "",
            line: line(of: item),
            keyPath: item.path,
            input: input ?? PipelineTestInput(bytes: []),
            documents: nil,
            metrics: nil,
            absentMetrics: []
        )
        guard let expect = mapping.required("expect")?.mapping else { return nil }
        test.documents = readDocuments(expect, directory: directory)
        test.metrics = readMetrics(expect, directory: directory)
        for selector in expect["absent_metrics"]?.stringList() ?? [] {
            do {
                test.absentMetrics.append(try MetricSelector(parsing: selector))
            } catch {
                expect["absent_metrics"]?.report("'\(selector)': \(error)")
            }
        }
        expect.finish()
        if test.documents == nil && test.metrics == nil && expect["absent_metrics"] == nil && !expect.hasErrors {
            expect.value.report(
                "nothing to check: expect documents, documents_file, metrics, metrics_file or absent_metrics"
            )
        }
        guard name != nil, input != nil, !mapping.hasErrors else { return nil }
        return test
    }

    private static func readInput(_ value: ConfigValue, directory: String) -> PipelineTestInput? {
        guard let mapping = value.mapping else { return nil }
        defer { mapping.finish() }
        var input = PipelineTestInput(bytes: [])
        input.inputID = mapping["id"]?.string
        input.path = mapping["path"]?.string
        switch (mapping["lines"], mapping["file"]) {
        case (let lines?, nil):
            // A block of text, or a list of lines.
            if case .sequence = lines.node {
                guard let list = lines.stringList() else { return nil }
                input.bytes = Array(list.map { $0 + "\n" }.joined().utf8)
            } else {
                guard let text = lines.string else { return nil }
                input.bytes = Array(text.utf8)
            }
            input.line = line(of: lines)
        case (nil, let file?):
            guard let name = file.string else { return nil }
            let path = resolve(name, in: directory)
            guard let data = FileManager.default.contents(atPath: path) else {
                file.report("cannot read '\(path)'")
                return nil
            }
            input.bytes = Array(data)
            input.fileName = (name as NSString).lastPathComponent
            input.line = line(of: file)
        case (.some, .some):
            mapping["file"]?.report("give either 'lines' or 'file', not both")
            return nil
        case (nil, nil):
            value.report("missing 'lines' (the log lines) or 'file' (a log file)")
            return nil
        }
        return input
    }

    private static func readDocuments(_ expect: ConfigMapping, directory: String) -> DocumentsExpectation? {
        let match = expect["documents_match"]?.choice(["subset", "exact"]).flatMap(DocumentsExpectation.Match.init)
        switch (expect["documents"], expect["documents_file"]) {
        case (let list?, nil):
            guard let items = list.sequence else { return nil }
            let documents = items.compactMap { item -> ExpectedDocument? in
                guard case .mapping = item.node else {
                    item.report("expected a document (a mapping of fields), found \(item.kindName)")
                    return nil
                }
                return item.fieldValue.map { ExpectedDocument(value: $0, line: line(of: item)) }
            }
            return .inline(match: match ?? .subset, documents: documents, line: line(of: list))
        case (nil, let file?):
            if expect["documents_match"] != nil {
                expect["documents_match"]?.report("documents_file is always compared exactly")
            }
            guard let name = file.string else { return nil }
            let path = resolve(name, in: directory)
            guard let data = FileManager.default.contents(atPath: path) else {
                return .file(path: path, documents: nil)
            }
            var documents: [ExpectedDocument] = []
            for (index, line) in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
                .enumerated() where !line.allSatisfy({ $0 == 0x20 || $0 == 0x0D })
            {
                do {
                    documents.append(ExpectedDocument(value: try JSONParser.parse(Array(line)), line: index + 1))
                } catch {
                    file.report("\(path):\(index + 1): not a JSON document (\(error))")
                }
            }
            return .file(path: path, documents: documents)
        case (.some, .some):
            expect["documents_file"]?.report("give either 'documents' or 'documents_file', not both")
            return nil
        case (nil, nil):
            if expect["documents_match"] != nil {
                expect["documents_match"]?.report("there are no 'documents' to match")
            }
            return nil
        }
    }

    private static func readMetrics(_ expect: ConfigMapping, directory: String) -> MetricsExpectation? {
        switch (expect["metrics"], expect["metrics_file"]) {
        case (let value?, nil):
            guard let text = value.string else { return nil }
            // A block scalar (`metrics: |`) starts on the line after its key.
            var first = line(of: value)
            if case .scalar(let scalar) = value.node, scalar.style == .literal || scalar.style == .folded {
                first = first.map { $0 + 1 }
            }
            do {
                let samples = try MetricSample.parseAll(text, firstLine: first)
                if samples.isEmpty { value.report("no samples: write lines such as name{label=\"value\"} 1") }
                return .samples(samples, line: line(of: value))
            } catch {
                value.report("\(error)")
                return nil
            }
        case (nil, let file?):
            guard let name = file.string else { return nil }
            let path = resolve(name, in: directory)
            let text = FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
            return .file(path: path, text: text)
        case (.some, .some):
            expect["metrics_file"]?.report("give either 'metrics' or 'metrics_file', not both")
            return nil
        case (nil, nil):
            return nil
        }
    }

    private static func line(of value: ConfigValue) -> Int? { value.node.mark?.line }
}
