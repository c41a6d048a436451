import LogshipCore

extension PipelineTestCase {
    /// How `output` fails this case's expectations: one block of lines per expectation that does
    /// not hold (a heading, then `- expected` / `+ actual` lines); empty when the case passes.
    package func failures(of output: PipelineTestOutput) -> [[String]] {
        var failures: [[String]] = []
        switch documents {
        case .inline(let match, let expected, let line)?:
            let block = Self.compare(expected, output.documents, match: match)
            if !block.isEmpty {
                failures.append(["documents (\(match.rawValue), \(Self.at(line))):"] + block)
            }
        case .file(let path, let expected?)?:
            let block = Self.compareExactly(expected, output.documents)
            if !block.isEmpty { failures.append(["documents (exact, \(path)):"] + block) }
        case .file(let path, nil)?:
            failures.append(["documents: \(path) does not exist (`logship test --update` writes it)"])
        case nil:
            break
        }
        let actual = (try? MetricSample.parseAll(output.exposition, firstLine: nil)) ?? []
        switch metrics {
        case .samples(let expected, let line)?:
            let block = Self.compare(expected, actual)
            if !block.isEmpty { failures.append(["metrics (subset of /metrics, \(Self.at(line))):"] + block) }
        case .file(let path, let text?)?:
            let block = LineDiff.render(expected: Self.lines(text), actual: Self.lines(output.exposition))
            if !block.isEmpty { failures.append(["metrics (exact, \(path)):"] + block) }
        case .file(let path, nil)?:
            failures.append(["metrics: \(path) does not exist (`logship test --update` writes it)"])
        case nil:
            break
        }
        for selector in absentMetrics {
            let present = actual.filter(selector.matches)
            if !present.isEmpty {
                failures.append(["absent_metrics: \(selector.text) is there:"] + present.map { "+ \($0.text)" })
            }
        }
        return failures
    }

    private static func at(_ line: Int?) -> String { line.map { "line \($0)" } ?? "inline" }

    /// The lines of `text`, without the empty one after its last line end.
    private static func lines(_ text: String) -> [String] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    /// Inline documents, one per event in order; for each that does not match, what was expected,
    /// the actual document (for a subset, only the keys expected) and where they differ.
    static func compare(
        _ expected: [ExpectedDocument],
        _ actual: [ActualDocument],
        match: DocumentsExpectation.Match
    ) -> [String] {
        var block: [String] = []
        if expected.count != actual.count {
            block.append("expected \(expected.count) documents, found \(actual.count)")
        }
        for (index, (wanted, document)) in zip(expected, actual).enumerated() {
            let differences = DocumentComparison.differences(wanted.value, document.value, match: match)
            guard !differences.isEmpty else { continue }
            let shown =
                match == .subset
                ? DocumentComparison.projection(of: document.value, onto: wanted.value) : document.value
            let written = wanted.line.map { ", expected at line \($0)" } ?? ""
            block.append("document \(index + 1) (input line \(document.inputLine)\(written)):")
            block.append("- " + DocumentComparison.text(wanted.value))
            block.append("+ " + DocumentComparison.text(shown))
            block += differences.map { "    " + $0 }
        }
        for (index, wanted) in expected.enumerated().dropFirst(actual.count) {
            block.append("document \(index + 1) (expected at line \(wanted.line ?? 0)): there is no such document")
            block.append("- " + DocumentComparison.text(wanted.value))
        }
        for (index, document) in actual.enumerated().dropFirst(expected.count) {
            block.append("document \(index + 1) (input line \(document.inputLine)): not expected")
            block.append("+ " + DocumentComparison.text(document.value))
        }
        return block
    }

    /// A golden NDJSON file: a line diff of the documents, then, when the counts agree, where
    /// each differing document differs.
    static func compareExactly(_ expected: [ExpectedDocument], _ actual: [ActualDocument]) -> [String] {
        let aligned = expected.count == actual.count
        let differing = zip(expected, actual).enumerated().filter { _, pair in
            !DocumentComparison.matches(pair.0.value, pair.1.value, match: .exact)
        }
        guard !aligned || !differing.isEmpty else { return [] }
        var block = LineDiff.render(
            expected: expected.map { DocumentComparison.text($0.value) },
            actual: actual.map { DocumentComparison.text($0.value) },
            context: 1
        )
        if aligned {
            for (index, (wanted, document)) in differing {
                block.append(
                    "document \(index + 1) (input line \(document.inputLine), golden line \(wanted.line ?? 0)):"
                )
                block += DocumentComparison.differences(wanted.value, document.value, match: .exact).map { "    " + $0 }
            }
        } else {
            block.insert("expected \(expected.count) documents, found \(actual.count)", at: 0)
        }
        return block
    }

    /// Expected samples against the actual ones, matched by name and labels.
    static func compare(_ expected: [MetricSample], _ actual: [MetricSample]) -> [String] {
        let byIdentity = Dictionary(actual.map { ($0.identity, $0) }, uniquingKeysWith: { first, _ in first })
        var block: [String] = []
        for sample in expected {
            if let found = byIdentity[sample.identity] {
                guard !found.hasValue(sample.value) else { continue }
                block.append("- " + sample.text)
                block.append("+ " + found.text)
                continue
            }
            block.append("- " + sample.text)
            let family = actual.filter { $0.name == sample.name }
            if family.isEmpty {
                block.append("    no sample named \(sample.name)")
            } else {
                block.append("    no sample with these labels; \(sample.name) has:")
                block += family.prefix(10).map { "      " + $0.text }
                if family.count > 10 { block.append("      (\(family.count - 10) more)") }
            }
        }
        return block
    }
}
