/// A size in bytes, written in configuration as `512KiB`, `5MiB`, `1GiB`, `10KB` (decimal) or a
/// plain number of bytes.
package struct ByteSize: Sendable, Hashable, Comparable, CustomStringConvertible {
    package let bytes: Int

    package init(bytes: Int) { self.bytes = bytes }

    private static let units: [(suffix: String, factor: Int)] = [
        ("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30),
        ("KB", 1000), ("MB", 1_000_000), ("GB", 1_000_000_000), ("B", 1),
    ]

    /// Parses `text`; `nil` if it is not a non-negative whole number with one of the units
    /// `B`, `KB`, `MB`, `GB`, `KiB`, `MiB`, `GiB` (or none), or if it overflows.
    package init?(parsing text: String) {
        let trimmed = text.trimmingWhitespace()
        var number = Substring(trimmed)
        var factor = 1
        for unit in Self.units where trimmed.hasSuffix(unit.suffix) {
            number = trimmed.dropLast(unit.suffix.count)
            factor = unit.factor
            break
        }
        guard let value = Int(number.trimmingWhitespace()), value >= 0 else { return nil }
        let (product, overflow) = value.multipliedReportingOverflow(by: factor)
        guard !overflow else { return nil }
        self.bytes = product
    }

    package var description: String {
        for unit in Self.units.prefix(3).reversed() where bytes >= unit.factor && bytes % unit.factor == 0 {
            return "\(bytes / unit.factor)\(unit.suffix)"
        }
        return "\(bytes)B"
    }

    package static func < (lhs: ByteSize, rhs: ByteSize) -> Bool { lhs.bytes < rhs.bytes }
}

extension StringProtocol {
    /// The text without leading and trailing spaces, tabs and line ends.
    package func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[start...end])
    }
}
