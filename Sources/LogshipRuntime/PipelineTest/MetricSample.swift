import LogshipCore

/// One sample line of the Prometheus text format, `name{label="value",...} value`, as written in a
/// tests file or rendered by `/metrics`.
///
/// Samples are identified by name and label set: the order labels are written in does not
/// matter. Values compare as numbers (`1` equals `1.0`, `NaN` equals `NaN`). A timestamp after
/// the value is ignored.
package struct MetricSample: Sendable, Equatable {
    /// A label's name and (unescaped) value.
    package struct Label: Sendable, Equatable, Comparable {
        package var name: String
        package var value: String

        package init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }

        package static func < (lhs: Label, rhs: Label) -> Bool { (lhs.name, lhs.value) < (rhs.name, rhs.value) }
    }

    package var name: String
    /// In the order written.
    package var labels: [Label]
    package var value: Double
    /// The line as written, without surrounding whitespace.
    package var text: String
    /// The 1-based line where it was written, when known.
    package var line: Int?

    /// Name and labels sorted by name: what identifies a sample.
    package var identity: String {
        name + "{" + labels.sorted().map { "\($0.name)=\"\($0.value)\"" }.joined(separator: ",") + "}"
    }

    /// Whether `value` equals this sample's value (both `NaN` counts as equal).
    package func hasValue(_ value: Double) -> Bool {
        self.value == value || (self.value.isNaN && value.isNaN)
    }

    /// Parses one sample line; throws a message saying what is wrong.
    package init(parsing text: String, line: Int? = nil) throws(MetricSyntaxError) {
        let trimmed = text.trimmingWhitespace()
        var scanner = SeriesScanner(Substring(trimmed))
        let (name, labels) = try scanner.series()
        scanner.skipSpaces()
        let valueText = scanner.word()
        guard !valueText.isEmpty else { throw MetricSyntaxError("no value after '\(name)'") }
        guard let value = Self.number(valueText) else {
            throw MetricSyntaxError("'\(valueText)' is not a sample value (a number, +Inf, -Inf or NaN)")
        }
        scanner.skipSpaces()
        let timestamp = scanner.word()
        scanner.skipSpaces()
        guard scanner.isAtEnd, timestamp.isEmpty || Int64(timestamp) != nil else {
            throw MetricSyntaxError("unexpected text after the value of '\(name)'")
        }
        self.name = name
        self.labels = labels
        self.value = value
        self.text = trimmed
        self.line = line
    }

    /// The samples of exposition text, `# ` comments and blank lines skipped; `firstLine` is the
    /// line number of the text's first line. Throws the first line that is not a sample.
    package static func parseAll(_ text: String, firstLine: Int? = 1) throws(MetricSyntaxError) -> [MetricSample] {
        var samples: [MetricSample] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingWhitespace()
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let number = firstLine.map { $0 + index }
            do {
                samples.append(try MetricSample(parsing: trimmed, line: number))
            } catch {
                throw MetricSyntaxError(error.message, line: number)
            }
        }
        return samples
    }

    private static func number(_ text: Substring) -> Double? {
        switch text {
        case "+Inf", "Inf": return .infinity
        case "-Inf": return -.infinity
        case "NaN": return .nan
        default: return Double(text)
        }
    }
}

/// A metric that must not be there (`absent_metrics`): `name` (no sample of the family `name`,
/// its `_bucket`, `_sum` and `_count` samples included) or `name{label="value",...}` (no such
/// sample with at least these labels).
package struct MetricSelector: Sendable, Equatable {
    package var name: String
    package var labels: [MetricSample.Label]
    /// As written.
    package var text: String

    package init(parsing text: String) throws(MetricSyntaxError) {
        let trimmed = text.trimmingWhitespace()
        var scanner = SeriesScanner(Substring(trimmed))
        (name, labels) = try scanner.series()
        scanner.skipSpaces()
        guard scanner.isAtEnd else { throw MetricSyntaxError("expected a metric name and labels only, not a value") }
        self.text = trimmed
    }

    /// Whether `sample` is of this family (or has this name) and has every label written here.
    package func matches(_ sample: MetricSample) -> Bool {
        let family = [name, name + "_bucket", name + "_sum", name + "_count"]
        guard family.contains(sample.name) else { return false }
        return labels.allSatisfy { sample.labels.contains($0) }
    }
}

/// What is wrong with a sample line, and on which line when known.
package struct MetricSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    package var message: String
    package var line: Int?

    package init(_ message: String, line: Int? = nil) {
        self.message = message
        self.line = line
    }

    package var description: String { line.map { "line \($0): \(message)" } ?? message }
}

/// Reads `name{label="value",...}` from the start of a sample line.
private struct SeriesScanner {
    var rest: Substring

    init(_ text: Substring) { rest = text }

    var isAtEnd: Bool { rest.isEmpty }

    mutating func skipSpaces() { rest = rest.drop { $0 == " " || $0 == "\t" } }

    mutating func word() -> Substring {
        let word = rest.prefix { $0 != " " && $0 != "\t" }
        rest = rest.dropFirst(word.count)
        return word
    }

    mutating func name(of what: String) throws(MetricSyntaxError) -> String {
        let name = rest.prefix { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ":") }
        guard let first = name.first, !first.isNumber else {
            throw MetricSyntaxError("expected a \(what) at '\(rest.prefix(20))'")
        }
        rest = rest.dropFirst(name.count)
        return String(name)
    }

    mutating func series() throws(MetricSyntaxError) -> (String, [MetricSample.Label]) {
        let metric = try name(of: "metric name")
        var labels: [MetricSample.Label] = []
        guard rest.first == "{" else { return (metric, labels) }
        rest = rest.dropFirst()
        while true {
            skipSpaces()
            if rest.first == "}" { break }
            let label = try name(of: "label name")
            skipSpaces()
            guard rest.first == "=" else { throw MetricSyntaxError("expected '=' after the label '\(label)'") }
            rest = rest.dropFirst()
            skipSpaces()
            guard rest.first == "\"" else { throw MetricSyntaxError("expected '\"' to open the value of '\(label)'") }
            rest = rest.dropFirst()
            labels.append(MetricSample.Label(label, try quoted(label)))
            skipSpaces()
            if rest.first == "," {
                rest = rest.dropFirst()
                continue
            }
            guard rest.first == "}" else { throw MetricSyntaxError("expected ',' or '}' after the label '\(label)'") }
        }
        rest = rest.dropFirst()
        return (metric, labels)
    }

    /// The rest of a label value after its opening quote, with `\\`, `\"` and `\n` unescaped.
    mutating func quoted(_ label: String) throws(MetricSyntaxError) -> String {
        var value = ""
        while let character = rest.first {
            rest = rest.dropFirst()
            switch character {
            case "\"": return value
            case "\\":
                guard let escaped = rest.first else { break }
                rest = rest.dropFirst()
                value.append(escaped == "n" ? "\n" : escaped)
            default: value.append(character)
            }
        }
        throw MetricSyntaxError("the value of the label '\(label)' is not closed by '\"'")
    }
}
