package import LogshipCore

/// Renders metric families in the Prometheus text exposition format, version 0.0.4, or in
/// OpenMetrics 1.0 (`Format`).
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
///
/// OpenMetrics differs in these ways, as the Go client writes it: a counter family is named
/// without its `_total` suffix (its samples keep it) and a counter whose name lacks `_total` is
/// typed `unknown`, so that its samples are named alike in both formats; counters, histograms
/// and summaries get a `_created` sample (seconds since 1970) when the series knows when it was
/// created; `le` and `quantile` values of whole numbers are written with `.0` (`le="1.0"`); HELP
/// also escapes `"`; the text ends with `# EOF`.
package enum PrometheusExposition {
    /// The two formats, chosen by the scraper's `Accept` header.
    package enum Format: Sendable, Equatable {
        /// The Prometheus text format 0.0.4.
        case text
        /// OpenMetrics 1.0.
        case openMetrics

        /// The `Content-Type` of answers in this format.
        package var contentType: String {
            switch self {
            case .text: "text/plain; version=0.0.4; charset=utf-8"
            case .openMetrics: "application/openmetrics-text; version=1.0.0; charset=utf-8"
            }
        }

        /// OpenMetrics when `accept` lists `application/openmetrics-text` with a quality at
        /// least that of any other type it lists (Prometheus sends OpenMetrics at 1, text at
        /// 0.5); text otherwise, also without the header.
        package static func negotiate(accept: String?) -> Format {
            guard let accept else { return .text }
            var openMetrics = 0.0
            var other = 0.0
            for range in accept.split(separator: ",") {
                // Media types and their parameters hold no blanks: dropping them all trims.
                let parts = range.filter { $0 != " " && $0 != "\t" }.lowercased().split(separator: ";")
                guard let type = parts.first, !type.isEmpty else { continue }
                var quality = 1.0
                for parameter in parts.dropFirst() where parameter.hasPrefix("q=") {
                    quality = Double(parameter.dropFirst(2)) ?? 0
                }
                if type == "application/openmetrics-text" {
                    openMetrics = max(openMetrics, quality)
                } else {
                    other = max(other, quality)
                }
            }
            return openMetrics > 0 && openMetrics >= other ? .openMetrics : .text
        }
    }

    /// The `Content-Type` of the text format.
    package static let contentType = Format.text.contentType

    /// The exposition of `families` in `format`.
    package static func render(_ families: [FamilySnapshot], format: Format = .text) -> String {
        var output = ""
        output.reserveCapacity(families.count * 128)
        emit(families, format: format, into: &output)
        return output
    }

    /// Appends the exposition of `families` in `format` to `output`.
    package static func emit(_ families: [FamilySnapshot], format: Format = .text, into output: inout String) {
        let openMetrics = format == .openMetrics
        // Built as bytes and turned into a `String` once: appending to a `String` piece by piece
        // took most of the time of a scrape of 10,000 series.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(families.reduce(0) { $0 + $1.series.count } * 96 + 4096)
        for snapshot in families {
            let family = snapshot.family
            var familyName = family.name
            var typeName = family.kind.rawValue
            if openMetrics && family.kind == .counter {
                if familyName.hasSuffix("_total") { familyName.removeLast(6) } else { typeName = "unknown" }
            }
            let help = escapeHelp(family.help, quotes: openMetrics)
            bytes.append(contentsOf: "# HELP \(familyName) \(help)\n".utf8)
            bytes.append(contentsOf: "# TYPE \(familyName) \(typeName)\n".utf8)
            // Per family, not per series: the bucket labels and the sample names.
            let label = openMetrics ? formatLabelNumber : formatValue
            let bucketLabels = (family.buckets.map { "le=\"\(label($0))\"" } + ["le=\"+Inf\""]).map {
                Array($0.utf8)
            }
            let quantileLabels = (family.quantiles ?? []).map { Array("quantile=\"\(label($0))\"".utf8) }
            // `_created` in OpenMetrics, for the types that have it.
            let createdName =
                openMetrics && typeName != "gauge" && typeName != "unknown"
                ? Array((familyName + "_created").utf8) : nil
            let name = Array(family.name.utf8)
            let bucketName = Array((family.name + "_bucket").utf8)
            let sumName = Array((family.name + "_sum").utf8)
            let countName = Array((family.name + "_count").utf8)
            let labelNames = family.labelNames.map { Array($0.utf8) }
            var labels: [UInt8] = []
            for series in snapshot.series {
                labels.removeAll(keepingCapacity: true)
                for (index, value) in series.labelValues.enumerated() where index < labelNames.count {
                    if index > 0 { labels.append(UInt8(ascii: ",")) }
                    labels.append(contentsOf: labelNames[index])
                    labels.append(UInt8(ascii: "="))
                    labels.append(UInt8(ascii: "\""))
                    labels.append(contentsOf: escapeLabelValue(value).utf8)
                    labels.append(UInt8(ascii: "\""))
                }
                switch family.kind {
                case .counter, .gauge:
                    emitSample(name, labels: labels, value: series.value.value, into: &bytes)
                case .histogram:
                    let value = series.value
                    for (index, bucketLabel) in bucketLabels.enumerated() {
                        let count = index < value.bucketCounts.count ? value.bucketCounts[index] : value.count
                        bytes.append(contentsOf: bucketName)
                        bytes.append(UInt8(ascii: "{"))
                        if !labels.isEmpty {
                            bytes.append(contentsOf: labels)
                            bytes.append(UInt8(ascii: ","))
                        }
                        bytes.append(contentsOf: bucketLabel)
                        bytes.append(UInt8(ascii: "}"))
                        bytes.append(UInt8(ascii: " "))
                        appendDecimal(UInt64(count), to: &bytes)
                        bytes.append(UInt8(ascii: "\n"))
                    }
                    emitSample(sumName, labels: labels, value: value.sum, into: &bytes)
                    emitSample(countName, labels: labels, count: value.count, into: &bytes)
                case .summary:
                    let value = series.value
                    for (index, quantileLabel) in quantileLabels.enumerated() {
                        let quantile = index < (value.quantiles?.count ?? 0) ? value.quantiles![index] : .nan
                        let quantileLabels =
                            labels.isEmpty ? quantileLabel : labels + [UInt8(ascii: ",")] + quantileLabel
                        emitSample(name, labels: quantileLabels, value: quantile, into: &bytes)
                    }
                    emitSample(sumName, labels: labels, value: value.sum, into: &bytes)
                    emitSample(countName, labels: labels, count: value.count, into: &bytes)
                }
                if let createdName, let created = series.value.created {
                    emitSample(createdName, labels: labels, value: created, into: &bytes)
                }
            }
        }
        if openMetrics { bytes.append(contentsOf: "# EOF\n".utf8) }
        output += String(decoding: bytes, as: UTF8.self)
    }

    /// Writes `name{labels} value` and a line end; `labels` is the joined `name="value"` list.
    private static func emitSample(_ name: [UInt8], labels: [UInt8], value: Double, into output: inout [UInt8]) {
        emitName(name, labels: labels, into: &output)
        // Whole numbers below 10^6 (most counters) as digits, without a `String`: what
        // `formatValue` writes for them.
        if value.rounded() == value && value > 0 && value < 1_000_000 {
            appendDecimal(UInt64(value), to: &output)
        } else {
            output.append(contentsOf: formatValue(value).utf8)
        }
        output.append(UInt8(ascii: "\n"))
    }

    /// Writes `name{labels} count` and a line end.
    private static func emitSample(_ name: [UInt8], labels: [UInt8], count: UInt64, into output: inout [UInt8]) {
        emitName(name, labels: labels, into: &output)
        appendDecimal(count, to: &output)
        output.append(UInt8(ascii: "\n"))
    }

    private static func emitName(_ name: [UInt8], labels: [UInt8], into output: inout [UInt8]) {
        output.append(contentsOf: name)
        if !labels.isEmpty {
            output.append(UInt8(ascii: "{"))
            output.append(contentsOf: labels)
            output.append(UInt8(ascii: "}"))
        }
        output.append(UInt8(ascii: " "))
    }

    /// Writes `value` in decimal, as `String(value)` does.
    private static func appendDecimal(_ value: UInt64, to output: inout [UInt8]) {
        var divisor: UInt64 = 1
        while value / divisor >= 10 { divisor *= 10 }
        while divisor > 0 {
            output.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
            divisor /= 10
        }
    }

    /// HELP text with `\` written as `\\` and a newline as `\n` (and `"` as `\"` with `quotes`,
    /// as OpenMetrics wants).
    package static func escapeHelp(_ text: String, quotes: Bool = false) -> String {
        guard text.contains(where: { $0 == "\\" || $0 == "\n" || (quotes && $0 == "\"") }) else { return text }
        var escaped = ""
        for character in text {
            switch character {
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            case "\"" where quotes: escaped += "\\\""
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// A label value with `\`, `"` and newline escaped.
    package static func escapeLabelValue(_ text: String) -> String {
        // Bytes, not Characters: grapheme breaking on every label value of every scrape.
        guard text.utf8.contains(where: { $0 == 0x5C || $0 == 0x0A || $0 == 0x22 }) else { return text }
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

    /// An `le` or `quantile` value in OpenMetrics: as `formatValue`, whole numbers with `.0`.
    package static func formatLabelNumber(_ value: Double) -> String {
        let text = formatValue(value)
        return text.allSatisfy({ $0.isNumber || $0 == "-" }) ? text + ".0" : text
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
