internal import CPCRE2
import Synchronization

/// A regular expression in PCRE2 syntax, compiled once and matched against UTF-8 bytes as they
/// are: no conversion to UTF-16, no copy.
///
/// - Syntax: PCRE2's (Perl's), in UTF mode: `.` and classes match whole characters. `\d`, `\w`,
///   `\s` and `\b` are ASCII-only (no `PCRE2_UCP`); `(?i)` folds case for all of Unicode; `.`
///   does not match `\n`; `$` matches at the end or before a final `\n`. `\C` (a single byte,
///   which could split a character) is rejected.
/// - Input: any bytes. Invalid UTF-8 is never an error (`PCRE2_MATCH_INVALID_UTF`): a malformed
///   sequence matches nothing, not even `.`, so no match spans it.
/// - Speed: JIT-compiled to machine code where PCRE2 supports it (`isJITCompiled`); otherwise
///   PCRE2's interpreter runs, with the same results.
/// - Limits, so that a pattern that backtracks exponentially (`(a+)+$` on `aaa…b`) cannot stall
///   a pipeline: a search gives up after `maximumMatchSteps` backtracking steps (PCRE2's match
///   limit), and the JIT after `maximumJITStackBytes` of stack (a `Matcher` grows its stack from
///   PCRE2's default 32 KiB only when a search needs it; `matches(_:)` keeps to 32 KiB, which a
///   group repeated over a few thousand bytes can use up). PCRE2's interpreter, used only without
///   the JIT, gives up after `maximumDepth` nested backtracking points or `maximumHeapKibibytes`
///   of backtracking memory. A search that gives up counts as no match and adds one to
///   `matchErrorCount`. A pattern may lower these limits (`(*LIMIT_MATCH=1000)`), not raise them.
/// - Threads: immutable after `init`, so any number of threads may search with one expression at
///   once, each through its own `Matcher`.
package final class RegularExpression: Sendable {
    /// The most backtracking steps one search may take at one start position (PCRE2's match
    /// limit, whose own default is 10,000,000). Ordinary patterns on 1 MiB lines stay well below
    /// it; `(a+)+$` against a few dozen `a`s and a `b` reaches it in a few milliseconds.
    package static let maximumMatchSteps: UInt32 = 1_000_000
    /// The most stack the JIT-compiled code of one `Matcher` may use, in bytes: enough for a
    /// group repeated tens of thousands of times.
    package static let maximumJITStackBytes = 1 << 20
    /// The deepest nesting of backtracking points in one search (interpreter only).
    package static let maximumDepth: UInt32 = 1_000_000
    /// The most memory for backtracking in one search, in KiB (interpreter only).
    package static let maximumHeapKibibytes: UInt32 = 64 * 1024

    /// The pattern as given.
    package let pattern: String
    /// How many capture groups the pattern has, not counting group 0 (the whole match).
    package let captureGroupCount: Int
    /// Whether searches run as JIT-compiled machine code rather than in PCRE2's interpreter.
    package let isJITCompiled: Bool
    /// For a pattern anchored at the start (`^\d`, `\A\{`): the bytes a match can start with,
    /// from PCRE2's analysis of the pattern; nil when unknown or not anchored.
    let leadingBytes: LeadingByteSet?
    /// For the simplest anchored patterns, a boolean match without PCRE2 (`matches`).
    let prefixes: AnchoredPrefixes?
    /// Whether `matches` compares prefixes itself instead of calling PCRE2 (`AnchoredPrefixes`).
    package var matchesPrefixesWithoutPCRE2: Bool { prefixes != nil }

    // The compiled code and the match context (which holds the limits) are written only in `init`
    // and freed in `deinit`. PCRE2 documents both as safe to use from several threads at once as
    // long as nobody changes them (pcre2api, "Multithreading"); Swift cannot see that through the
    // pointers, hence `nonisolated(unsafe)`.
    nonisolated(unsafe) let code: OpaquePointer
    nonisolated(unsafe) let matchContext: OpaquePointer
    private let matchErrors = Atomic<Int>(0)

    /// Compiles `pattern` (PCRE2 syntax, see the type's documentation), JIT-compiling it where
    /// the platform allows.
    ///
    /// - Throws: `RegularExpressionError` with PCRE2's message and the byte offset it stopped at.
    package init(_ pattern: String) throws(RegularExpressionError) {
        var bytes = Array(pattern.utf8)
        let length = bytes.count
        bytes.append(0)  // so that even an empty pattern has an address
        var errorCode: Int32 = 0
        var errorOffset = 0
        let options = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_NEVER_BACKSLASH_C
        let compiled = bytes.withUnsafeBufferPointer {
            pcre2_compile_8($0.baseAddress, length, options, &errorCode, &errorOffset, nil)
        }
        guard let compiled else {
            throw RegularExpressionError(
                pattern: pattern,
                message: Self.message(for: errorCode),
                offset: errorOffset,
                code: errorCode
            )
        }
        guard let context = pcre2_match_context_create_8(nil) else {
            pcre2_code_free_8(compiled)
            fatalError("PCRE2 could not allocate a match context")
        }
        pcre2_set_match_limit_8(context, Self.maximumMatchSteps)
        pcre2_set_depth_limit_8(context, Self.maximumDepth)
        pcre2_set_heap_limit_8(context, Self.maximumHeapKibibytes)
        var groups: UInt32 = 0
        pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_CAPTURECOUNT), &groups)
        self.pattern = pattern
        self.code = compiled
        self.matchContext = context
        self.captureGroupCount = Int(groups)
        self.leadingBytes = Self.leadingBytes(of: compiled)
        self.prefixes = AnchoredPrefixes(pattern)
        // Without JIT support (PCRE2 built without it, an unsupported CPU) or with `(*NO_JIT)` in
        // the pattern there is no machine code, and PCRE2's interpreter runs.
        var jitSize = 0
        if pcre2_jit_compile_8(compiled, PCRE2_JIT_COMPLETE) == 0 {
            pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_JITSIZE), &jitSize)
        }
        self.isJITCompiled = jitSize > 0
    }

    deinit {
        pcre2_code_free_8(code)
        pcre2_match_context_free_8(matchContext)
    }

    /// Searches that gave up at a limit (and so counted as no match) since the expression was
    /// compiled, over all matchers.
    package var matchErrorCount: Int { matchErrors.load(ordering: .relaxed) }

    /// Whether a subject starting with `byte` (nil: an empty subject) may match, judged by the
    /// first byte alone: false only for a pattern anchored at the start whose matches all start
    /// with other bytes, as PCRE2 works out from the pattern. Searches check this before calling
    /// PCRE2.
    package func mayMatch(startingWith byte: UInt8?) -> Bool {
        guard let leadingBytes else { return true }
        guard let byte else { return false }
        return leadingBytes.contains(byte)
    }

    /// A matcher for searching with this expression; see `Matcher`.
    package func makeMatcher() -> Matcher {
        Matcher(self)
    }

    /// Whether the expression matches anywhere in `bytes`.
    ///
    /// Allocates match data for the call (unless the first byte rules a match out) and keeps to
    /// PCRE2's default JIT stack of 32 KiB; in a loop, use one `Matcher` instead.
    package func matches(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        if let prefixes { return prefixes.matches(bytes) }
        guard mayMatch(startingWith: bytes.first) else { return false }
        guard let matchData = pcre2_match_data_create_8(1, nil) else {
            fatalError("PCRE2 could not allocate match data")
        }
        defer { pcre2_match_data_free_8(matchData) }
        let result = search(bytes, matchData: matchData, context: matchContext)
        countIfError(result)
        // With one pair for a pattern with groups PCRE2 returns 0 on a match ("ovector too small").
        return result >= 0
    }

    /// One search from the start of `bytes` into `matchData` with the limits of `context`, after
    /// the leading byte check: PCRE2's result, which is non-negative for a match and
    /// `PCRE2_ERROR_NOMATCH` for none; other (negative) results are errors.
    func search(_ bytes: UnsafeBufferPointer<UInt8>, matchData: OpaquePointer, context: OpaquePointer) -> Int32 {
        guard mayMatch(startingWith: bytes.first) else { return PCRE2_ERROR_NOMATCH }
        guard let subject = bytes.baseAddress else {
            // PCRE2 wants an address even for an empty subject.
            var empty: UInt8 = 0
            return withUnsafePointer(to: &empty) { search($0, length: 0, matchData: matchData, context: context) }
        }
        return search(subject, length: bytes.count, matchData: matchData, context: context)
    }

    private func search(
        _ subject: UnsafePointer<UInt8>,
        length: Int,
        matchData: OpaquePointer,
        context: OpaquePointer
    ) -> Int32 {
        isJITCompiled
            ? pcre2_jit_match_8(code, subject, length, 0, 0, matchData, context)
            : pcre2_match_8(code, subject, length, 0, 0, matchData, context)
    }

    /// Counts `result` in `matchErrorCount` if it is an error rather than a match or no match.
    func countIfError(_ result: Int32) {
        if result < 0 && result != PCRE2_ERROR_NOMATCH {
            matchErrors.add(1, ordering: .relaxed)
        }
    }

    /// PCRE2's text for an error code.
    static func message(for errorCode: Int32) -> String {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 256) { buffer in
            let length = pcre2_get_error_message_8(errorCode, buffer.baseAddress, buffer.count)
            guard length > 0 else { return "PCRE2 error \(errorCode)" }
            return String(decoding: buffer.prefix(Int(length)), as: UTF8.self)
        }
    }

    /// The bytes a match of `code` can start with, when PCRE2 knows them and the pattern can only
    /// match at the start. PCRE2 gives either a start bitmap (which accounts for case folding) or
    /// a single first byte; a first byte that is an ASCII letter may stand for both its cases under
    /// `(?i)`, which PCRE2 does not say, so it is not used.
    private static func leadingBytes(of code: OpaquePointer) -> LeadingByteSet? {
        var options: UInt32 = 0
        pcre2_pattern_info_8(code, UInt32(PCRE2_INFO_ALLOPTIONS), &options)
        guard options & PCRE2_ANCHORED != 0 else { return nil }
        var bitmap: UnsafePointer<UInt8>? = nil
        pcre2_pattern_info_8(code, UInt32(PCRE2_INFO_FIRSTBITMAP), &bitmap)
        if let bitmap { return LeadingByteSet(bitmap: bitmap) }
        var firstType: UInt32 = 0
        var first: UInt32 = 0
        pcre2_pattern_info_8(code, UInt32(PCRE2_INFO_FIRSTCODETYPE), &firstType)
        pcre2_pattern_info_8(code, UInt32(PCRE2_INFO_FIRSTCODEUNIT), &first)
        guard firstType == 1, first < 0x80, let byte = UInt8(exactly: first) else { return nil }
        let isLetter = (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20)
        return isLetter ? nil : LeadingByteSet(byte: byte)
    }
}
