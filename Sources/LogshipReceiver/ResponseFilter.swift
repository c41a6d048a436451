/// Elasticsearch's `filter_path` query parameter: which keys of a JSON answer to keep.
///
/// The parameter is a comma-separated list of dotted paths, such as
/// `errors,items.*.status,items.*.error`. A segment matches a key literally or as a glob with `*`
/// (`*` alone matches any key, `st*` any key starting with `st`); `**` matches any number of
/// levels, none included. Arrays take no segment: the filter applies to each element. A key whose
/// whole path matches is kept with everything under it; objects and arrays left empty by the
/// filter are left out, as Elasticsearch does (so `items.*.error` keeps only failed items).
/// Exclusions (`-path`) are not supported: such a path matches nothing.
struct ResponseFilter: Sendable, Equatable {
    /// The segments still to match, one list per path.
    private var patterns: [ArraySlice<Substring>]
    /// Whether everything below this point is kept.
    let includesAll: Bool

    /// Keeps everything: no `filter_path`.
    static let everything = ResponseFilter(patterns: [], includesAll: true)

    private init(patterns: [ArraySlice<Substring>], includesAll: Bool) {
        self.patterns = patterns
        self.includesAll = includesAll
    }

    /// The filter of a `filter_path` value (already percent-decoded); nil or blank keeps everything.
    init(parsing text: String?) {
        let paths = (text ?? "").split(separator: ",").map { $0.trimmingBlanks() }.filter { !$0.isEmpty }
        guard !paths.isEmpty else {
            self = .everything
            return
        }
        self.init(
            patterns: paths.filter { !$0.hasPrefix("-") }.map { ArraySlice($0.split(separator: ".")) },
            includesAll: false
        )
    }

    /// The filter for the value under `key`; nil when nothing under it is kept.
    func child(_ key: String) -> ResponseFilter? {
        if includesAll { return self }
        var next: [ArraySlice<Substring>] = []
        var all = false
        func advance(_ pattern: ArraySlice<Substring>) {
            guard let segment = pattern.first else { return }
            if segment == "**" {
                next.append(pattern)  // `**` takes this key and may take more
                let rest = pattern.dropFirst()
                if rest.isEmpty {
                    all = true
                } else {
                    advance(rest)  // or matches no level at all
                }
            } else if Self.glob(segment, matches: key) {
                let rest = pattern.dropFirst()
                if rest.isEmpty { all = true } else { next.append(rest) }
            }
        }
        for pattern in patterns { advance(pattern) }
        if all { return .everything }
        return next.isEmpty ? nil : ResponseFilter(patterns: next, includesAll: false)
    }

    /// Whether the scalar under `key` is kept (a path going deeper than a scalar keeps nothing).
    func keepsScalar(_ key: String) -> Bool { child(key)?.includesAll ?? false }

    /// `*` matches any run of characters, everything else itself.
    static func glob(_ pattern: Substring, matches text: String) -> Bool {
        guard pattern.contains("*") else { return pattern == text }
        let parts = pattern.split(separator: "*", omittingEmptySubsequences: false)
        var rest = Substring(text)
        for (position, part) in parts.enumerated() {
            if position == 0 {
                guard rest.hasPrefix(part) else { return false }
                rest = rest.dropFirst(part.count)
            } else if position == parts.count - 1 {
                return part.isEmpty || (rest.count >= part.count && rest.hasSuffix(part))
            } else if !part.isEmpty {
                guard let found = rest.range(of: part) else { return false }
                rest = rest[found.upperBound...]
            }
        }
        return rest.isEmpty
    }
}

extension Substring {
    fileprivate func trimmingBlanks() -> Substring {
        let start = firstIndex { $0 != " " && $0 != "\t" } ?? endIndex
        let end = lastIndex { $0 != " " && $0 != "\t" }.map { index(after: $0) } ?? start
        return self[start..<Swift.max(start, end)]
    }

    fileprivate func range(of part: Substring) -> Range<Index>? {
        var index = startIndex
        while index < endIndex {
            if self[index...].hasPrefix(part) { return index..<self.index(index, offsetBy: part.count) }
            index = self.index(after: index)
        }
        return nil
    }
}
