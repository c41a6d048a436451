import LogshipOutputs
import Testing

@Suite struct BulkResponseTests {
    private func parse(_ text: String) -> BulkResponse? {
        BulkResponse.parse(Array(text.utf8))
    }

    /// What Elasticsearch answers to `filter_path=errors,items.*.status,items.*.error`.
    @Test func filteredForm() throws {
        let response = try #require(
            parse(
                #"{"errors":true,"items":[{"create":{"status":201}},{"create":{"status":409,"error":{"type":"#
                    + #""version_conflict_engine_exception","reason":"[x]: version conflict, document already exists","#
                    + #""index_uuid":"abc","shard":"0","index":"i"}}},{"create":{"status":429,"error":{"type":"#
                    + #""es_rejected_execution_exception","reason":"rejected"}}},{"create":{"status":201}}]}"#
            )
        )
        #expect(
            response
                == BulkResponse(
                    errors: true,
                    itemCount: 4,
                    failedItems: [
                        .init(
                            position: 1,
                            status: 409,
                            error: BulkError(
                                status: 409,
                                type: "version_conflict_engine_exception",
                                reason: "[x]: version conflict, document already exists"
                            )
                        ),
                        .init(
                            position: 2,
                            status: 429,
                            error: BulkError(status: 429, type: "es_rejected_execution_exception", reason: "rejected")
                        ),
                    ]
                )
        )
    }

    /// An endpoint that ignores `filter_path`: every key of Elasticsearch 8's full answer.
    @Test func unfilteredForm() throws {
        let response = try #require(
            parse(
                """
                {"took":30,"errors":true,"items":[
                  {"create":{"_index":"i","_id":"1","_version":1,"result":"created","_shards":{"total":2,\
                "successful":1,"failed":0},"_seq_no":0,"_primary_term":1,"status":201}},
                  {"create":{"_index":"i","_id":"2","status":400,"error":{"type":"document_parsing_exception",\
                "reason":"[1:15] failed to parse","caused_by":{"type":"x","reason":"y"}}}}
                ]}
                """
            )
        )
        #expect(response.errors)
        #expect(response.itemCount == 2)
        #expect(
            response.failedItems == [
                .init(
                    position: 1,
                    status: 400,
                    error: BulkError(status: 400, type: "document_parsing_exception", reason: "[1:15] failed to parse")
                )
            ]
        )
    }

    /// `errors:false` before `items`: the items are counted, their statuses are not read.
    @Test func errorsFalseOnlyCountsItems() throws {
        let items = Array(repeating: #"{"create":{"status":201}}"#, count: 1000).joined(separator: ",")
        #expect(parse(#"{"errors":false,"items":[\#(items)]}"#) == BulkResponse(errors: false, itemCount: 1000))
        // Statuses are not looked at: Elasticsearch sets `errors` whenever an item failed.
        #expect(
            parse(#"{"took":1,"errors":false,"items":[{"index":{"_id":"a"}},{"index":{"status":500}}]}"#)
                == BulkResponse(errors: false, itemCount: 2)
        )
        #expect(parse(#"{"errors":false,"items":[]}"#) == BulkResponse(errors: false, itemCount: 0))
    }

    /// `errors` after `items` (or missing): every status is read.
    @Test func errorsAfterItemsReadsStatuses() throws {
        #expect(
            parse(#"{"items":[{"create":{"status":201}},{"create":{"status":503}}],"errors":true}"#)
                == BulkResponse(errors: true, itemCount: 2, failedItems: [.init(position: 1, status: 503)])
        )
        #expect(parse(#"{"items":[{"create":{"status":201}}]}"#) == BulkResponse(errors: false, itemCount: 1))
    }

    @Test func unicodeEscapesInReasons() throws {
        let response = try #require(
            parse(
                #"{"errors":true,"items":[{"create":{"status":400,"error":{"type":"mapper_parsing_exception","#
                    + #""reason":"caf\u00e9 \u2603 \ud83d\ude00 \"q\" a\\b\/c\n\t lone \ud800 end é"}}}]}"#
            )
        )
        #expect(response.failedItems.first?.error?.reason == "café ☃ 😀 \"q\" a\\b/c\n\t lone \u{FFFD} end é")
    }

    @Test func errorAsStringOrOtherValue() throws {
        let response = try #require(
            parse(
                #"{"errors":true,"items":[{"index":{"status":400,"error":"MapperParsingException[x]"}},"#
                    + #"{"index":{"status":400,"error":["a",1]}},{"index":{"status":404}},"#
                    + #"{"index":{"status":400,"error":{"reason":"no type"}}}]}"#
            )
        )
        #expect(
            response.failedItems.map(\.error) == [
                BulkError(status: 400, type: "unknown", reason: "MapperParsingException[x]"),
                BulkError(status: 400, type: "unknown", reason: #"["a",1]"#),
                nil,
                BulkError(status: 400, type: "unknown", reason: "no type"),
            ]
        )
    }

    @Test(arguments: [
        "",
        "not json",
        "[]",
        "{}",
        #"{"errors":false}"#,
        #"{"errors":true,"items":[{"create":{"status":201}}"#,
        #"{"errors":true,"items":[{"create":{"status":201}},"#,
        #"{"errors":true,"items":[{"create":{"status":2"#,
        #"{"errors":false,"items":[{"create":{"status":201}}"#,
        #"{"errors":false,"items":[{"create":{"status":201}]}"#,
        #"{"errors":true,"items":[{"create":{"_id":"x"}}]}"#,
        #"{"errors":true,"items":[{"create":{"status":"201"}}]}"#,
        #"{"errors":true,"items":[{"create":201}]}"#,
        #"{"errors":true,"items":[{"create":{"status":400,"error":{"type":"x","reason":"cut"#,
        #"{"errors":true,"items":[{"create":{"status":400,"error":{"reason":"bad \u12"}}}]}"#,
        #"{"errors":maybe,"items":[]}"#,
        #"{"errors":false,"items":[]} trailing"#,
        #"{"errors":false,"items":[],"took":[1,2}"#,
    ])
    func malformedOrShortBodyIsNil(body: String) {
        #expect(parse(body) == nil)
    }

    @Test func requestError() {
        let body = Array(
            #"{"error":{"root_cause":[],"type":"parse_exception","reason":"bad \"line\""},"status":400}"#.utf8
        )
        #expect(
            BulkResponse.parseRequestError(body, status: 400)
                == BulkError(status: 400, type: "parse_exception", reason: #"bad "line""#)
        )
        #expect(
            BulkResponse.parseRequestError(Array(#"{"error":"no handler"}"#.utf8), status: 404)
                == BulkError(status: 404, type: "unknown", reason: "no handler")
        )
        #expect(BulkResponse.parseRequestError(Array(#"{"status":400}"#.utf8), status: 400) == nil)
        #expect(BulkResponse.parseRequestError(Array("<html>".utf8), status: 502) == nil)
    }
}
