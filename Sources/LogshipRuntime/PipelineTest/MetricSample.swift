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
