import LogshipCore

extension BulkReceiver {
    /// Builds the JSON answers other than `_bulk`'s (see `BulkResponseWriter`); keys in
    /// Elasticsearch's order so that tests can compare text.
    enum JSON {
        /// `{"error":{"root_cause":[{"type":…,"reason":…}],"type":…,"reason":…},"status":N}`.
        static func error(_ error: RequestError) -> String {
            var bytes: [UInt8] = []
            var cause: [UInt8] = []
            field("type", error.type, into: &cause, first: true)
            field("reason", error.reason, into: &cause)
            bytes += Array(#"{"error":{"root_cause":[{"#.utf8) + cause + Array("}],".utf8) + cause
            bytes += Array(#"},"status":"#.utf8) + Array(String(error.status).utf8) + [UInt8(ascii: "}")]
            return String(decoding: bytes, as: UTF8.self)
        }

        /// The answer to `GET /`, as Elasticsearch 8.15.0 gives it.
        static let info = """
            {"name":"logship-bulk-receiver","cluster_name":"logship","cluster_uuid":"bG9nc2hpcC1idWxrLXJlYw",\
            "version":{"number":"8.15.0","build_flavor":"default","build_type":"logship","build_hash":"logship",\
            "build_date":"2024-08-05T10:05:34.233336849Z","build_snapshot":false,"lucene_version":"9.11.1",\
            "minimum_wire_compatibility_version":"7.17.0","minimum_index_compatibility_version":"7.0.0"},\
            "tagline":"You Know, for Search"}
            """

        /// The answer to `GET /_logship/stats`.
        static func stats(
            documents: [(index: String, count: Int)],
            requests: Int,
            gzipRequests: Int,
            statuses: [(Int, Int)],
            pendingFaults: Int,
            strict: Bool
        ) -> String {
            var bytes: [UInt8] = Array(#"{"documents":{"#.utf8)
            for (position, entry) in documents.enumerated() {
                if position > 0 { bytes.append(UInt8(ascii: ",")) }
                JSONText.appendString(entry.index, to: &bytes)
                bytes += Array(":\(entry.count)".utf8)
            }
            let total = documents.reduce(0) { $0 + $1.count }
            bytes += Array(
                #"},"document_count":\#(total),"requests":\#(requests),"gzip_requests":\#(gzipRequests),"#.utf8
            )
            bytes += Array(#""requests_by_status":{"#.utf8)
            for (position, entry) in statuses.enumerated() {
                if position > 0 { bytes.append(UInt8(ascii: ",")) }
                bytes += Array("\"\(entry.0)\":\(entry.1)".utf8)
            }
            bytes += Array(#"},"pending_faults":\#(pendingFaults),"strict":\#(strict)}"#.utf8)
            bytes.append(UInt8(ascii: "\n"))
            return String(decoding: bytes, as: UTF8.self)
        }

        private static func field(_ name: String, _ value: String, into bytes: inout [UInt8], first: Bool = false) {
            if !first { bytes.append(UInt8(ascii: ",")) }
            JSONText.appendString(name, to: &bytes)
            bytes.append(UInt8(ascii: ":"))
            JSONText.appendString(value, to: &bytes)
        }
    }
}
