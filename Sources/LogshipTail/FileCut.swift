/// Where the input ended a line or an event for a reason that re-reading the file would not see
/// again: a timeout (`partial_line_timeout`, the multiline `timeout`) or a shutdown. Kept with the
/// checkpoint while the events around it are in flight, so that after a crash the file is cut at
/// the same place and its events come out the same, with the same document ids. (Regrouped, an
/// event that came out longer would have another id, its text's hash being part of it: the lines
/// already shipped in the shorter one would be in Elasticsearch twice.)
package struct FileCut: Sendable, Hashable, Codable {
    /// What ended there.
    package enum Kind: String, Sendable, Hashable, Codable {
        /// A line without its newline was shipped (`partial_line_timeout`); what followed was a
        /// line of its own.
        case line
        /// A pending multiline event was shipped (its timeout, or a shutdown); the next line
        /// started an event of its own.
        case event
    }

    /// The offset where the next line or event started.
    package var offset: Int64
    package var kind: Kind

    package init(offset: Int64, kind: Kind) {
        self.offset = offset
        self.kind = kind
    }
}

extension FileCut {
    /// A cut as decoded from a checkpoint file: `nil` for a kind this release does not know.
    struct Lenient: Decodable {
        var cut: FileCut?

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let offset = try container.decode(Int64.self, forKey: .offset)
            let kind = FileCut.Kind(rawValue: try container.decode(String.self, forKey: .kind))
            cut = kind.map { FileCut(offset: offset, kind: $0) }
        }
    }
}
