import LogshipCore

/// One document Elasticsearch rejected for good, as written to the dead-letter file.
package struct DeadLetterRecord: Sendable, Equatable {
    /// Why it was rejected.
    package var error: BulkError
    /// The index it was meant for.
    package var index: String
    /// Its `_id`, if it had one.
    package var id: String?
    /// The document JSON exactly as sent (one line, no `\n`).
    package var document: ArraySlice<UInt8>

    package init(error: BulkError, index: String, id: String?, document: ArraySlice<UInt8>) {
        self.error = error
        self.index = index
        self.id = id
        self.document = document
    }

    /// Appends the record as one NDJSON line ending in `\n`:
    /// `{"@timestamp":…,"status":400,"error":{"type":…,"reason":…},"index":…,"id":…,"document":…}`,
    /// with `@timestamp` the time of dead-lettering (`millisecondsSince1970`) and `id` `null` when
    /// absent.
    package func appendLine(millisecondsSince1970: Int64, to bytes: inout [UInt8]) {
        bytes.append(contentsOf: #"{"@timestamp":""#.utf8)
        UTCDateTime(millisecondsSince1970: millisecondsSince1970).appendISO8601(to: &bytes)
        bytes.append(contentsOf: #"","status":"#.utf8)
        bytes.append(contentsOf: String(error.status).utf8)
        bytes.append(contentsOf: #","error":{"type":"#.utf8)
        JSONText.appendString(error.type, to: &bytes)
        bytes.append(contentsOf: #","reason":"#.utf8)
        JSONText.appendString(error.reason, to: &bytes)
        bytes.append(contentsOf: #"},"index":"#.utf8)
        JSONText.appendString(index, to: &bytes)
        bytes.append(contentsOf: #","id":"#.utf8)
        if let id { JSONText.appendString(id, to: &bytes) } else { bytes.append(contentsOf: "null".utf8) }
        bytes.append(contentsOf: #","document":"#.utf8)
        bytes.append(contentsOf: document)
        bytes.append(contentsOf: "}\n".utf8)
    }
}
