import Foundation

/// Replaces `${VAR}` and `${VAR:-default}` in configuration values with environment variables.
///
/// `${VAR:-default}` uses the default when `VAR` is unset or empty; `${VAR}` with `VAR` unset is
/// an error naming the variable (an empty value is allowed). `$$` stands for a literal `$`; a `$`
/// followed by anything else is kept as it is. Defaults do not nest.
package struct EnvironmentInterpolation: Sendable {
    package let environment: [String: String]

    package init(environment: [String: String]) { self.environment = environment }

    /// Why interpolation failed.
    package enum Failure: Error, Equatable, CustomStringConvertible {
        case unsetVariable(String)
        case unterminated
        case badName(String)

        package var description: String {
            switch self {
            case .unsetVariable(let name):
                return "environment variable '\(name)' is not set and has no default (write ${\(name):-default})"
            case .unterminated: return "unterminated '${' (expected '}')"
            case .badName(let name): return "'\(name)' is not a valid environment variable name"
            }
        }
    }

    /// The text with every reference replaced.
    package func interpolate(_ text: String) throws(Failure) -> String {
        guard text.contains("$") else { return text }
        var result = ""
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            let next = text.index(after: index)
            guard character == "$", next < text.endIndex else {
                result.append(character)
                index = next
                continue
            }
            if text[next] == "$" {
                result.append("$")
                index = text.index(after: next)
                continue
            }
            guard text[next] == "{" else {
                result.append(character)
                index = next
                continue
            }
            let bodyStart = text.index(after: next)
            guard let close = text[bodyStart...].firstIndex(of: "}") else { throw .unterminated }
            let body = text[bodyStart..<close]
            let name: Substring
            let fallback: Substring?
            if let separator = body.range(of: ":-") {
                name = body[..<separator.lowerBound]
                fallback = body[separator.upperBound...]
            } else {
                name = body
                fallback = nil
            }
            guard let first = name.first, first == "_" || first.isLetter,
                name.allSatisfy({ $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) })
            else { throw .badName(String(name)) }
            if let value = environment[String(name)], !(fallback != nil && value.isEmpty) {
                result += value
            } else if let fallback {
                result += fallback
            } else {
                throw .unsetVariable(String(name))
            }
            index = text.index(after: close)
        }
        return result
    }
}
