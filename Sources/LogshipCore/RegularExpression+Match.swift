extension RegularExpression {
    /// The byte ranges of one match, as offsets into the searched bytes.
    ///
    /// Reads the match data of the `Matcher` that found it, so it is valid only until that
    /// matcher searches again (checked in debug builds). Copying ranges out allocates nothing.
    package struct Match {
        /// Not retained: a match is read right after its search, while the caller holds the
        /// matcher (retaining and releasing it was 0.7% of a `--output null` run, once per line
        /// that `parse_regex` matched). A match must not outlive its matcher.
        private unowned(unsafe) let matcher: Matcher
        /// Groups 0..<setGroups may be set; PCRE2 leaves later groups unset.
        private let setGroups: Int
        private let searchCount: Int

        init(matcher: Matcher, setGroups: Int) {
            self.matcher = matcher
            self.setGroups = setGroups
            self.searchCount = matcher.searchCount
        }

        /// The range of the whole match (empty for an empty match).
        package var range: Range<Int> {
            range(at: 0)!
        }

        /// The range captured by group `number`: 0 is the whole match, 1 through
        /// `captureGroupCount` the groups in the order their `(` appear. nil for a group that took
        /// no part in the match and for a number outside that span. A group that matched more
        /// than once (inside a repetition) has its last capture.
        package func range(at number: Int) -> Range<Int>? {
            assert(matcher.searchCount == searchCount, "a Match was used after its matcher searched again")
            guard number >= 0 && number < setGroups else { return nil }
            let start = matcher.offsets[2 * number]
            let end = matcher.offsets[2 * number + 1]
            // PCRE2_UNSET is ~0 as size_t: -1 as Int.
            guard start >= 0 && end >= start else { return nil }
            return start..<end
        }
    }
}
