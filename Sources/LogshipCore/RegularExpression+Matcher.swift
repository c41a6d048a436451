internal import CPCRE2

extension RegularExpression {
    /// Searches with one `RegularExpression`, reusing one block of match data, so that a search
    /// allocates nothing. (A search that needs more than PCRE2's default 32 KiB of JIT stack
    /// makes the matcher allocate a stack that can grow to `maximumJITStackBytes`, once; PCRE2's
    /// interpreter, used only without the JIT, keeps its backtracking memory in the match data.)
    ///
    /// Not `Sendable`: a matcher is used by one thread or task at a time (one after another is
    /// fine). Make one where the work is, say one per batch of events or one per file, and let the
    /// immutable `RegularExpression` be what is shared.
    package final class Matcher {
        /// The expression it searches with.
        package let expression: RegularExpression
        private let matchData: OpaquePointer
        /// The match data's offset pairs: start and end of group 0, group 1, …
        let offsets: UnsafeMutablePointer<Int>
        /// How many searches ran; a `Match` remembers it to notice that it went stale.
        private(set) var searchCount = 0
        /// The expression's match context, or once a search ran out of JIT stack, a copy of it
        /// with a larger stack of this matcher's own.
        private var context: OpaquePointer
        private var jitStack: OpaquePointer?

        /// A matcher for `expression`, with room for all of its groups.
        package init(_ expression: RegularExpression) {
            guard let matchData = pcre2_match_data_create_8(UInt32(expression.captureGroupCount + 1), nil) else {
                fatalError("PCRE2 could not allocate match data")
            }
            self.expression = expression
            self.matchData = matchData
            self.offsets = pcre2_get_ovector_pointer_8(matchData)
            self.context = expression.matchContext
        }

        deinit {
            pcre2_match_data_free_8(matchData)
            if let jitStack {
                pcre2_match_context_free_8(context)
                pcre2_jit_stack_free_8(jitStack)
            }
        }

        /// Whether the expression matches anywhere in `bytes`. A search that gives up at a limit
        /// answers false (see `RegularExpression`).
        package func matches(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
            if let prefixes = expression.prefixes {
                searchCount &+= 1
                return prefixes.matches(bytes)
            }
            return search(bytes) >= 0
        }

        /// The first match in `bytes` (the leftmost; among those starting there, the one the
        /// pattern's order prefers), or nil. A search that gives up at a limit answers nil.
        ///
        /// The match's ranges are valid until this matcher searches again.
        package func firstMatch(in bytes: UnsafeBufferPointer<UInt8>) -> Match? {
            let result = search(bytes)
            guard result > 0 else { return nil }
            return Match(matcher: self, setGroups: Int(result))
        }

        private func search(_ bytes: UnsafeBufferPointer<UInt8>) -> Int32 {
            searchCount &+= 1
            var result = expression.search(bytes, matchData: matchData, context: context)
            if result == PCRE2_ERROR_JIT_STACKLIMIT && jitStack == nil && growJITStack() {
                result = expression.search(bytes, matchData: matchData, context: context)
            }
            expression.countIfError(result)
            return result
        }

        /// Gives this matcher a JIT stack of up to `maximumJITStackBytes` (PCRE2 reserves it and
        /// uses memory as the stack grows). False when PCRE2 cannot allocate it.
        private func growJITStack() -> Bool {
            guard let stack = pcre2_jit_stack_create_8(32 * 1024, RegularExpression.maximumJITStackBytes, nil) else {
                return false
            }
            guard let copy = pcre2_match_context_copy_8(expression.matchContext) else {
                pcre2_jit_stack_free_8(stack)
                return false
            }
            pcre2_jit_stack_assign_8(copy, nil, UnsafeMutableRawPointer(stack))
            jitStack = stack
            context = copy
            return true
        }
    }
}
