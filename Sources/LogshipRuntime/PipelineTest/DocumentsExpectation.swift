package import LogshipCore

/// What the documents must be.
package enum DocumentsExpectation: Sendable {
    /// How inline documents are compared.
    package enum Match: String, Sendable {
        /// Every key written must be there with that value (objects compared the same way
        /// inside); other keys are ignored.
        case subset
        /// The documents must be exactly these, no key more or less.
        case exact
    }

    /// Written in the tests file (`documents`, with `documents_match`), one per event, in order.
    case inline(match: Match, documents: [ExpectedDocument], line: Int?)
    /// A golden NDJSON file (`documents_file`), compared exactly; `nil` documents when the file
    /// does not exist yet.
    case file(path: String, documents: [ExpectedDocument]?)
}

/// One expected document and where it was written (a YAML line, or a line of the golden file).
package struct ExpectedDocument: Sendable {
    package var value: FieldValue
    package var line: Int?

    package init(value: FieldValue, line: Int?) {
        self.value = value
        self.line = line
    }
}
