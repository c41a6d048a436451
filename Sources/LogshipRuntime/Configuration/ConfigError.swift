/// A problem in a pipeline file, located by file, line, column and key path, e.g.
/// `pipelines/aetherra.yml:12:7: inputs[0].multiline.patern: unknown key (did you mean 'pattern'?)`.
package struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The pipeline file.
    package var file: String
    /// 1-based line and column, when known.
    package var line: Int?
    package var column: Int?
    /// The key path, such as `outputs[1].listen`; empty for the file itself.
    package var keyPath: String
    package var message: String

    package init(file: String, line: Int? = nil, column: Int? = nil, keyPath: String, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.keyPath = keyPath
        self.message = message
    }

    package var description: String {
        var location = file
        if let line { location += ":\(line)" }
        if let column { location += ":\(column)" }
        return keyPath.isEmpty ? "\(location): \(message)" : "\(location): \(keyPath): \(message)"
    }
}

/// Every problem found in a pipeline file: validation reports them all at once rather than one
/// per run.
package struct ConfigErrors: Error, Sendable, CustomStringConvertible {
    package var errors: [ConfigError]

    package init(_ errors: [ConfigError]) { self.errors = errors }

    /// `errors` sorted by line and column (those without either first), so that the list reads
    /// like the file: readers find problems in the order they read keys.
    package init(inFileOrder errors: [ConfigError]) {
        self.errors = errors.enumerated().sorted { lhs, rhs in
            let left = (lhs.element.line ?? 0, lhs.element.column ?? 0, lhs.offset)
            let right = (rhs.element.line ?? 0, rhs.element.column ?? 0, rhs.offset)
            return left < right
        }.map(\.element)
    }

    package var description: String { errors.map(\.description).joined(separator: "\n") }
}
