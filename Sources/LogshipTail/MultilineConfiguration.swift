import LogshipCore

/// How a multiline pattern's match decides which lines belong together (Filebeat's `multiline.match`).
package enum MultilineMatch: String, Sendable, Equatable {
    /// A line that matches (or, with `negate`, does not match) is appended to the line before it.
    /// Example: pattern `^\d{4}-\d{2}-\d{2}`, negate: every line not starting with a date continues the
    /// previous event.
    case after
    /// A line that matches (or, with `negate`, does not match) continues into the line after it.
    /// Example: pattern `\\$`: a line ending with a backslash is joined with the next one.
    case before
}

/// Settings for joining lines into one event (Filebeat's pattern-based multiline).
package struct MultilineConfiguration: Sendable, Equatable {
    /// A regular expression (PCRE2 syntax, see `RegularExpression`) searched in each line.
    package var pattern: String
    /// Inverts the match.
    package var negate: Bool
    /// Whether matching lines join the line before or the line after.
    package var match: MultilineMatch
    /// The most lines kept in one event; further lines are dropped from the text, the event is
    /// flagged `truncated`, and its offsets still cover the dropped lines. At least 1.
    package var maximumLines: Int
    /// A pending event is emitted when no line arrived for this long.
    package var timeout: Duration

    package init(
        pattern: String,
        negate: Bool = false,
        match: MultilineMatch = .after,
        maximumLines: Int = 500,
        timeout: Duration = .seconds(5)
    ) {
        self.pattern = pattern
        self.negate = negate
        self.match = match
        self.maximumLines = maximumLines
        self.timeout = timeout
    }

    /// Checks that the pattern compiles and the bounds are positive.
    ///
    /// - Parameter inputID: the input named in the error.
    /// - Throws: `TailError.invalidMultilinePattern` for a pattern that does not compile,
    ///   `TailError.invalidConfiguration` for a bad bound.
    package func validate(inputID: String = "") throws {
        _ = try makeRegularExpression(inputID: inputID)
        guard maximumLines >= 1 else {
            throw TailError.invalidConfiguration(inputID: inputID, reason: "multiline maximum lines must be at least 1")
        }
        guard timeout > .zero else {
            throw TailError.invalidConfiguration(inputID: inputID, reason: "multiline timeout must be positive")
        }
    }

    /// Compiles `pattern`.
    ///
    /// - Throws: `TailError.invalidMultilinePattern` with PCRE2's message and the byte offset.
    func makeRegularExpression(inputID: String = "") throws -> RegularExpression {
        do {
            return try RegularExpression(pattern)
        } catch {
            throw TailError.invalidMultilinePattern(inputID: inputID, pattern: pattern, reason: error.description)
        }
    }
}
