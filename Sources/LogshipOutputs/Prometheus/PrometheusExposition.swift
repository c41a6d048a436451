package import LogshipCore

/// Renders metric families in the Prometheus text exposition format, version 0.0.4.
///
/// For each family, in the order given: `# HELP name text` (backslash and newline escaped),
/// `# TYPE name counter|gauge|histogram`, then one line per series, `name{label="value",...} value`,
/// labels in the order of the family's label names (label values escape backslash, double quote
/// and newline). A histogram series becomes one cumulative `name_bucket{...,le="bound"}` line per
/// bound, then `le="+Inf"`, then `name_sum` and `name_count`. A family without series still gets
/// its HELP and TYPE lines. Every line, the last included, ends with `\n`.
///
/// Numbers are formatted as the Go client does (`strconv.FormatFloat(v, 'g', -1, 64)`):
/// `+Inf`, `-Inf`, `NaN`, shortest round-trip digits, plain notation for decimal exponents from
/// -4 to 5 (`0.0001`, `2.5`, `123456`, integers without `.0`) and exponent notation otherwise
/// (`1e-05`, `1e+06`, `1.234567e+06`). `le` values use the same form: `le="1"`, not the
/// Python client's `le="1.0"`.
///
/// Names and label names are written as given; the caller (the runtime's validation) keeps them
/// to `[a-zA-Z_:][a-zA-Z0-9_:]*`. A series with fewer label values than label names is written with
/// the labels it has; histogram bucket counts missing from a series are taken as its total count.
package enum PrometheusExposition {
    /// The `Content-Type` of the text format.
    package static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// The exposition text of `families`.
    package static func render(_ families: [FamilySnapshot]) -> String {
        var output = ""
        output.reserveCapacity(families.count * 128)
        emit(families, into: &output)
        return output
    }

    /// Appends the exposition text of `families` to `output`.
    package static func emit(_ families: [FamilySnapshot], into output: inout String) {
        for snapshot in families {
            let family = snapshot.family
            output += "# HELP \(family.name) \(escapeHelp(family.help))\n"
            output += "# TYPE \(family.name) \(family.kind.rawValue)\n"
            // Per family, not per series: the bucket labels and the sample names.
            let bucketLabels = family.buckets.map { "le=\"\(formatValue($0))\"" } + ["le=\"+Inf\""]
            let bucketName = family.name + "_bucket"
            let sumName = family.name + "_sum"
            let countName = family.name + "_count"
            for series in snapshot.series {
                var labels = ""
                for (index, (name, value)) in zip(family.labelNames, series.labelValues).enumerated() {
                    if index > 0 { labels += "," }
                    labels += name
                    labels += "=\""
                    labels += escapeLabelValue(value)
                    labels += "\""
                }
                switch family.kind {
                case .counter, .gauge:
                    emitSample(family.name, labels: labels, value: formatValue(series.value.value), into: &output)
                case .histogram:
                    let value = series.value
                    for (index, bucketLabel) in bucketLabels.enumerated() {
                        let count = index < value.bucketCounts.count ? value.bucketCounts[index] : value.count
                        output += bucketName
                        output += "{"
                        if !labels.isEmpty {
                            output += labels
                            output += ","
                        }
                        output += bucketLabel
                        output += "} "
                        output += String(count)
                        output += "\n"
                    }
                    emitSample(sumName, labels: labels, value: formatValue(value.sum), into: &output)
                    emitSample(countName, labels: labels, value: String(value.count), into: &output)
                }
            }
        }
    }

    /// Writes `name{labels} value` and a line end; `labels` is the joined `name="value"` list.
    private static func emitSample(_ name: String, labels: String, value: String, into output: inout String) {
        output += name
        if !labels.isEmpty {
            output += "{"
            output += labels
            output += "}"
        }
        output += " "
        output += value
        output += "\n"
    }

    /// HELP text with `\` written as `\\` and a newline as `\n`.
    package static func escapeHelp(_ text: String) -> String {
        guard text.contains(where: { $0 == "\\" || $0 == "\n" }) else { return text }
        var escaped = ""
        for character in text {
            switch character {
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// A label value with `\`, `"` and newline escaped.
    package static func escapeLabelValue(_ text: String) -> String {
        guard text.contains(where: { $0 == "\\" || $0 == "\n" || $0 == "\"" }) else { return text }
        var escaped = ""
        for character in text {
            switch character {
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            case "\"": escaped += "\\\""
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// A sample value or `le` bound as the Go client writes it; see the type's documentation.
    package static func formatValue(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Inf" : "+Inf" }
        if value == 0 { return value.sign == .minus ? "-0" : "0" }
        // Whole numbers below 10^6 are written as integers by %g too: the common case (counters).
        if value.rounded() == value && value.magnitude < 1_000_000 { return String(Int64(value)) }
        // Swift's description gives the shortest round-trip digits; re-lay them out as Go's %g.
        let text = value.magnitude.description
        let parts = text.split(separator: "e", maxSplits: 1)
        let exponent = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
        let mantissa = parts[0].split(separator: ".", maxSplits: 1)
        let integerDigits = Array(mantissa[0])
        var digits = integerDigits + (mantissa.count > 1 ? Array(mantissa[1]) : [])
        var pointPosition = integerDigits.count + exponent  // value = 0.digits × 10^pointPosition
        while digits.first == "0" {
            digits.removeFirst()
            pointPosition -= 1
        }
        while digits.last == "0" { digits.removeLast() }
        let sign = value < 0 ? "-" : ""
        let decimalExponent = pointPosition - 1
        if decimalExponent < -4 || decimalExponent >= 6 {
            var result = sign + String(digits[0])
            if digits.count > 1 { result += "." + String(digits[1...]) }
            let magnitude = abs(decimalExponent)
            result += (decimalExponent < 0 ? "e-" : "e+") + (magnitude < 10 ? "0" : "") + String(magnitude)
            return result
        }
        if pointPosition <= 0 {
            return sign + "0." + String(repeating: "0", count: -pointPosition) + String(digits)
        }
        if pointPosition >= digits.count {
            return sign + String(digits) + String(repeating: "0", count: pointPosition - digits.count)
        }
        return sign + String(digits[..<pointPosition]) + "." + String(digits[pointPosition...])
    }
}
