package import LogshipCore

/// `parse_regex`: matches a regular expression against a text field and stores its named
/// groups as string fields.
///
/// - The pattern (PCRE2 syntax, see `RegexPattern`) is searched anywhere in the text; anchor it
///   with `^` to match from the start. Named groups `(?<name>...)` or `(?P<name>...)` become
///   fields named after the group (dots make nested fields), at the root or inside the object at
///   `target`. Unnamed groups are ignored; a named group that did not take part in the match
///   sets nothing. Captures replace existing fields only with `overwriteKeys`.
/// - Events that do not match are kept unchanged and counted as `no_match`; events whose field
///   is missing or not a string are counted as `skipped`.
/// - Cost: the pattern runs (JIT-compiled) on the text's UTF-8 bytes, with one matcher per batch;
///   each capture becomes a new string.
package struct ParseRegex: EventTransform {
    /// The YAML type name.
    package static let typeName = "parse_regex"

    /// The settings of `parse_regex`.
    package struct Configuration: Sendable {
        /// The field holding the text.
        package var field: FieldPath
        /// The pattern, with named groups.
        package var pattern: String
        /// Where to put the captures; nil or empty: the root.
        package var target: FieldPath?
        /// Whether captures replace fields already in the event.
        package var overwriteKeys: Bool
        /// Only events matching this condition are parsed; others are left alone and not counted.
        package var when: Condition?

        /// Settings matching `pattern` against `message`, captures at the root, overwriting.
        package init(
            field: FieldPath = FieldPath("message"),
            pattern: String,
            target: FieldPath? = nil,
            overwriteKeys: Bool = true,
            when: Condition? = nil
        ) {
            self.field = field
            self.pattern = pattern
            self.target = target
            self.overwriteKeys = overwriteKeys
            self.when = when
        }
    }

    /// The component id, used in errors and as the `transform` label of statistics.
    package let id: String
    /// The settings, as validated by `init`.
    package let configuration: Configuration
    /// `configuration.when`, prepared once.
    private let selection: PreparedCondition?
    /// The compiled pattern.
    package let pattern: RegexPattern
    private let capturePaths: [(path: FieldPath, number: Int)]

    /// Compiles the pattern; it must be valid and have at least one named group.
    package init(id: String = ParseRegex.typeName, configuration: Configuration) throws(TransformError) {
        guard !configuration.field.segments.isEmpty else {
            throw .invalidSetting(transform: id, setting: "field", reason: "must name a field, not the root")
        }
        let pattern = try RegexPattern(configuration.pattern, transform: id, setting: "pattern")
        guard !pattern.groups.isEmpty else {
            throw .invalidPattern(
                transform: id,
                setting: "pattern",
                pattern: configuration.pattern,
                reason: "has no named group (?<name>...) or (?P<name>...), so it would set no field"
            )
        }
        let prefix = configuration.target?.segments ?? []
        self.id = id
        self.configuration = configuration
        self.selection = configuration.when.map(PreparedCondition.init)
        self.pattern = pattern
        self.capturePaths = pattern.groups.map {
            (FieldPath(segments: prefix + FieldPath($0.name).segments), $0.number)
        }
    }

    /// Matches every event that matches `when`; see the type's documentation. Captures are
    /// ranges of the matched text: nothing is copied.
    package func apply(to batch: inout EventBatch, statistics: inout TransformStatistics) {
        var matched = 0
        var unmatched = 0
        var skipped = 0
        let paths = capturePaths.map { (path: batch.resolve($0.path), number: $0.number) }
        // Captures named by one key are set through that key's range alone: plain values, no
        // reference counting in the loop.
        let topLevel = paths.compactMap { capture in capture.path.singleKey.map { (key: $0, number: capture.number) } }
        let nested = paths.filter { $0.path.singleKey == nil }
        let field = batch.resolve(configuration.field)
        let overwrite = configuration.overwriteKeys
        let selected = selection?.matches(in: &batch)
        let matcher = pattern.makeMatcher()
        // Capture ranges of the current event, by group number; reused from event to event.
        var captures = [Range<Int>?](repeating: nil, count: (capturePaths.map(\.number).max() ?? 0) + 1)
        for event in 0..<batch.count where !batch.isDropped(event) {
            if let selected, !selected[event] { continue }
            guard let slot = batch.value(at: field, in: event) else {
                skipped += 1
                continue
            }
            guard let text = batch.textRange(slot) else {
                skipped += 1
                continue
            }
            let found = batch.bytes.withUnsafeBufferPointer { bytes in
                guard let match = pattern.firstMatch(in: UnsafeBufferPointer(rebasing: bytes[text]), using: matcher)
                else { return false }
                for number in captures.indices { captures[number] = match.range(at: number) }
                return true
            }
            guard found else {
                unmatched += 1
                continue
            }
            matched += 1
            for capture in topLevel {
                guard capture.number < captures.count, let range = captures[capture.number] else { continue }
                let slot = FieldSlot.text((text.lowerBound + range.lowerBound)..<(text.lowerBound + range.upperBound))
                batch.mergeMember(key: capture.key, value: slot, intoEvent: event, overwrite: overwrite)
            }
            for capture in nested {
                guard capture.number < captures.count, let range = captures[capture.number] else { continue }
                let slot = FieldSlot.text((text.lowerBound + range.lowerBound)..<(text.lowerBound + range.upperBound))
                batch.set(capture.path, to: slot, in: event, overwrite: overwrite)
            }
        }
        statistics.add(matched, transform: id, outcome: .success)
        statistics.add(unmatched, transform: id, outcome: .noMatch)
        statistics.add(skipped, transform: id, outcome: .skipped)
    }
}
