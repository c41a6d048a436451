import LogshipOutputs
import Testing

@Suite struct BulkOutcomeTests {
    private func item(_ status: Int, _ error: String? = nil) -> String {
        let detail = error.map { #","error":{"type":"\#($0)","reason":"because","index":"i"}"# } ?? ""
        return #"{"create":{"_index":"i","_id":"x","status":\#(status)\#(detail)}}"#
    }

    private func response(_ items: [String], status: Int = 200) -> BulkAttemptResult {
        .response(
            status: status,
            body: Array(#"{"took":3,"errors":true,"items":[\#(items.joined(separator: ","))]}"#.utf8)
        )
    }

    @Test func perItemDispositions() {
        let result = response([
            item(201), item(200), item(409, "version_conflict_engine_exception"),
            item(429, "es_rejected_execution_exception"),
            item(500, "x"), item(503), item(400, "mapper_parsing_exception"), item(404, "index_not_found_exception"),
            item(403, "cluster_block_exception"), item(400, "illegal_argument_exception"),
        ])
        guard case .items(let dispositions) = BulkOutcome(result, documentCount: 10) else {
            Issue.record("expected per-item dispositions")
            return
        }
        #expect(dispositions.acknowledged == [0, 1, 2])
        #expect(dispositions.conflicts == [2])
        // 429, 5xx, a missing index (404) and a security or cluster block (403) are the
        // cluster's state: retried, each with its error. Other 4xx are the document's.
        #expect(dispositions.retry.map(\.index) == [3, 4, 5, 7, 8])
        #expect(
            dispositions.retry.map(\.error.type) == [
                "es_rejected_execution_exception", "x", "unknown", "index_not_found_exception",
                "cluster_block_exception",
            ]
        )
        #expect(dispositions.deadLetter.map(\.index) == [6, 9])
        #expect(
            dispositions.deadLetter.map(\.error) == [
                BulkError(status: 400, type: "mapper_parsing_exception", reason: "because"),
                BulkError(status: 400, type: "illegal_argument_exception", reason: "because"),
            ]
        )
    }

    @Test func allSuccessful() {
        var expected = BulkOutcome.ItemDispositions()
        expected.acknowledged = [0, 1]
        #expect(BulkOutcome(response([item(201), item(201)]), documentCount: 2) == .items(expected))
    }

    @Test func stringErrorIsTheReason() {
        let body = Array(
            #"{"errors":true,"items":[{"index":{"status":400,"error":"MapperParsingException[x]"}}]}"#.utf8
        )
        guard case .items(let dispositions) = BulkOutcome(.response(status: 200, body: body), documentCount: 1) else {
            Issue.record("expected per-item dispositions")
            return
        }
        #expect(
            dispositions.deadLetter.first?.error
                == BulkError(status: 400, type: "unknown", reason: "MapperParsingException[x]")
        )
    }

    private static let requestError = Array(
        #"{"error":{"root_cause":[],"type":"parse_exception","reason":"bad line"},"status":400}"#.utf8
    )

    @Test(arguments: [
        // (status, body, document count, expected kind)
        (413, [UInt8](), 10, "split 413"),
        (413, [UInt8](), 1, "deadLetterAll 413"),
        // Only a 413 splits: any other 4xx on the whole request is about the endpoint (a proxy,
        // a wrong URL, credentials), not the documents, and is retried with backoff.
        (400, requestError, 4, "retryAll"),
        (400, requestError, 1, "retryAll"),
        (405, [UInt8](), 4, "retryAll"),
        (415, [UInt8](), 4, "retryAll"),
        (404, [UInt8](), 4, "retryAll"),
        (422, [UInt8](), 1, "retryAll"),
        (429, [UInt8](), 10, "retryAll"),
        (408, [UInt8](), 10, "retryAll"),
        (500, [UInt8](), 10, "retryAll"),
        (503, Array("<html>".utf8), 10, "retryAll"),
        (401, [UInt8](), 10, "retryAll"),
        (403, [UInt8](), 1, "retryAll"),
        (302, [UInt8](), 1, "retryAll"),
        (200, Array("not json".utf8), 1, "retryAll"),
        (200, Array(#"{"errors":false,"items":[]}"#.utf8), 1, "retryAll"),
        (200, Array(#"{"errors":false}"#.utf8), 1, "retryAll"),
    ])
    func wholeRequest(status: Int, body: [UInt8], documents: Int, expected: String) {
        let outcome = BulkOutcome(.response(status: status, body: body), documentCount: documents)
        let kind: String
        switch outcome {
        case .items: kind = "items"
        case .retryAll: kind = "retryAll"
        case .split(let error):
            kind = "split \(error.status)" + (error.type == "parse_exception" ? " parse_exception" : "")
        case .deadLetterAll(let error):
            kind = "deadLetterAll \(error.status)" + (error.type == "parse_exception" ? " parse_exception" : "")
        }
        #expect(kind == expected)
    }

    @Test func connectionFailureRetries() {
        #expect(
            BulkOutcome(.failure("connection refused"), documentCount: 3) == .retryAll(reason: "connection refused")
        )
    }

    @Test func itemCountMismatchRetries() {
        let outcome = BulkOutcome(response([item(201)]), documentCount: 2)
        #expect(outcome == .retryAll(reason: "HTTP 200 with 1 items for 2 documents"))
    }
}
