package import LogshipCore
package import Yams

/// Reads a pipeline file's YAML tree, collecting every problem with its file, line and key path
/// instead of stopping at the first.
///
/// Scalars are interpolated (`${VAR}`, `${VAR:-default}`) when read, so errors about a value name
/// the line it was written on (unless the reader was made with `init(literalFile:)`). Single-threaded: one reader per file being loaded.
package final class ConfigReader {
    /// The file name used in errors.
    package let file: String
    /// `nil` when values are read as written (a tests file, whose log lines may hold `${`).
    private let interpolation: EnvironmentInterpolation?
    /// Every problem found so far, in the order found.
    package private(set) var errors: [ConfigError] = []

    package init(file: String, environment: [String: String]) {
        self.file = file
        self.interpolation = EnvironmentInterpolation(environment: environment)
    }

    /// A reader that takes every value as written, without `${VAR}` interpolation.
    package init(literalFile file: String) {
        self.file = file
        self.interpolation = nil
    }

    /// Records a problem at `node` (its line and column) under `path`.
    package func report(_ message: String, at node: Node?, path: String) {
        errors.append(
            ConfigError(file: file, line: node?.mark?.line, column: node?.mark?.column, keyPath: path, message: message)
        )
    }

    /// Parses `text` and returns its root mapping; a syntax error or a root that is not a
    /// mapping is reported (as `notMapping` for the latter) and gives `nil`.
    package func root(
        of text: String,
        notMapping: String = "the pipeline file must be a mapping of keys (inputs, transforms, outputs)"
    ) -> ConfigMapping? {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            errors.append(Self.syntaxError(error, file: file))
            return nil
        } catch {
            errors.append(ConfigError(file: file, keyPath: "", message: "YAML syntax error: \(error)"))
            return nil
        }
        guard let node, case .mapping = node else {
            report(notMapping, at: node, path: "")
            return nil
        }
        return ConfigMapping(value: ConfigValue(reader: self, node: node, path: ""))
    }

    private static func syntaxError(_ error: YamlError, file: String) -> ConfigError {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _):
            return ConfigError(
                file: file,
                line: mark.line,
                column: mark.column,
                keyPath: "",
                message: "YAML syntax error: \(problem)"
            )
        case .composer(_, let problem, let mark, _):
            return ConfigError(
                file: file,
                line: mark.line,
                column: mark.column,
                keyPath: "",
                message: "YAML error: \(problem)"
            )
        default:
            return ConfigError(file: file, keyPath: "", message: "YAML error: \(error)")
        }
    }

    fileprivate func interpolate(_ text: String, node: Node, path: String) -> String? {
        guard let interpolation else { return text }
        do {
            return try interpolation.interpolate(text)
        } catch {
            report(error.description, at: node, path: path)
            return nil
        }
    }
}

/// One value in the tree with its key path.
package struct ConfigValue {
    package let reader: ConfigReader
    package let node: Node
    /// Such as `inputs[0].paths[1]`.
    package let path: String

    /// Records a problem at this value.
    package func report(_ message: String) { reader.report(message, at: node, path: path) }

    /// The interpolated text of a scalar; reports and gives `nil` for a mapping or sequence.
    package var string: String? {
        guard case .scalar(let scalar) = node else {
            report("expected a single value, found \(kindName)")
            return nil
        }
        return reader.interpolate(scalar.string, node: node, path: path)
    }

    /// Whether the scalar was written without quotes (and so may be a number, bool or null).
    private var isPlainScalar: Bool {
        if case .scalar(let scalar) = node { return scalar.style == .plain }
        return false
    }

    package var kindName: String {
        switch node {
        case .scalar: return "a single value"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    /// A mapping's reader, or a report.
    package var mapping: ConfigMapping? {
        guard case .mapping = node else {
            report("expected a mapping of keys, found \(kindName)")
            return nil
        }
        return ConfigMapping(value: self)
    }

    /// A list's items, or a report.
    package var sequence: [ConfigValue]? {
        guard case .sequence(let sequence) = node else {
            report("expected a list, found \(kindName)")
            return nil
        }
        return sequence.enumerated().map { ConfigValue(reader: reader, node: $1, path: "\(path)[\($0)]") }
    }

    /// The value in the event data model: plain scalars resolve to integers, doubles, booleans
    /// and null as YAML reads them (after interpolation); quoted scalars stay strings.
    package var fieldValue: FieldValue? {
        switch node {
        case .scalar:
            guard let text = string else { return nil }
            guard isPlainScalar else { return .string(text) }
            switch text {
            case "true", "True", "TRUE": return .bool(true)
            case "false", "False", "FALSE": return .bool(false)
            case "null", "Null", "NULL", "~", "": return .null
            default:
                if let integer = Int64(text) { return .integer(integer) }
                if let double = Double(text), text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) {
                    return .double(double)
                }
                return .string(text)
            }
        case .sequence:
            guard let items = sequence else { return nil }
            return .array(items.compactMap(\.fieldValue))
        case .mapping:
            guard let mapping else { return nil }
            return .object(mapping.fieldObject())
        case .alias:
            report("YAML aliases are not supported here")
            return nil
        }
    }

    /// A whole number, or a report.
    package var int: Int? {
        guard let text = string else { return nil }
        guard let value = Int(text) else {
            report("expected a whole number, found '\(text)'")
            return nil
        }
        return value
    }

    /// A number, or a report.
    package var double: Double? {
        guard let text = string else { return nil }
        guard let value = Double(text), value.isFinite else {
            report("expected a number, found '\(text)'")
            return nil
        }
        return value
    }

    /// `true`/`false` (also `yes`/`no`, `on`/`off`), or a report.
    package var bool: Bool? {
        guard let text = string else { return nil }
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default:
            report("expected true or false, found '\(text)'")
            return nil
        }
    }

    /// A duration such as `500ms`, `5s`, `1m`, or a report.
    package var duration: Duration? {
        guard let text = string else { return nil }
        guard let value = Duration(parsing: text) else {
            report("expected a duration such as 500ms, 5s or 1m, found '\(text)'")
            return nil
        }
        return value
    }

    /// A size such as `512KiB`, `5MiB`, or a report.
    package var byteSize: ByteSize? {
        guard let text = string else { return nil }
        guard let value = ByteSize(parsing: text) else {
            report("expected a size such as 512KiB, 5MiB or 1GiB, found '\(text)'")
            return nil
        }
        return value
    }

    /// One of `choices`, or a report listing them.
    package func choice(_ choices: [String]) -> String? {
        guard let text = string else { return nil }
        guard choices.contains(text) else {
            report("expected one of \(choices.joined(separator: ", ")), found '\(text)'")
            return nil
        }
        return text
    }

    /// A list of strings; a single string is taken as a list of one, and with `splitCommas` a
    /// single string is split on commas (for `ES_HOSTS=http://a:9200,http://b:9200`).
    package func stringList(splitCommas: Bool = false) -> [String]? {
        if case .scalar = node {
            guard let text = string else { return nil }
            guard splitCommas else { return [text] }
            return text.split(separator: ",").map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
        }
        guard let items = sequence else { return nil }
        let strings = items.compactMap(\.string)
        return strings.count == items.count ? strings : nil
    }
}
