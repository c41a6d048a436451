/// Reads `name{label="value",...}` from the start of a sample line.
struct SeriesScanner {
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
