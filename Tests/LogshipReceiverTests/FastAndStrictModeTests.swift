import Foundation
import Logging
import LogshipReceiver
import Testing

/// The two modes of the receiver: fast (ids and counts, first/last byte checks) and strict (every
/// source parsed, duplicate keys refused, documents kept); and `filter_path`.
@Suite(.enabled(if: CurlClient.isAvailable, "skipped: curl is not installed at /usr/bin/curl"))
struct FastAndStrictModeTests {
    static func withReceiver(strict: Bool, _ body: (BulkReceiver, String) async throws -> Void) async throws {
        try await BulkReceiverTests.withReceiver(strict: strict, body)
    }

    static let mixed = """
        {"create":{"_index":"logs","_id":"a"}}
        {"n":1,"n":2}
        {"create":{"_index":"logs","_id":"b"}}
        {"outer":{"k":1},"inner":{"k":2}}
        {"create":{"_index":"logs","_id":"c"}}
        {"x":{"k":1,"\\u006b":2}}
        {"create":{"_index":"logs","_id":"d"}}
        [1,2]
        {"create":{"_index":"logs","_id":"e"}}
        {"broken":
        {"create":{"_index":"logs","_id":"a"}}
        {"n":3}

        """

    @Test func fastModeChecksOnlyTheShapeAndKeepsNoSources() async throws {
        try await Self.withReceiver(strict: false) { receiver, url in
            let response = try await BulkReceiverTests.post(url + "/_bulk", Self.mixed)
            #expect(response.status == 200)
            // Duplicate keys pass; `[1,2]` and the broken line fail the first/last byte check.
            #expect(try BulkReceiverTests.statuses(response) == [201, 201, 201, 400, 400, 409])
            #expect(receiver.documentCount == 3)
            #expect(receiver.documentCount(in: "logs") == 3)
            #expect(receiver.indices() == ["logs"])
            #expect(receiver.documents(in: "logs").isEmpty)
            #expect(receiver.createCounts.isEmpty)
            #expect(receiver.requests.map(\.itemCount) == [6])
            #expect(receiver.requests.map(\.items.count) == [0])
            let stats = try BulkReceiverTests.json(try await CurlClient.request(url + "/_logship/stats"))
            #expect(stats["document_count"] as? Int == 3)
            #expect(stats["strict"] as? Bool == false)
        }
    }

    @Test func strictModeRefusesDuplicateKeysLikeElasticsearch8() async throws {
        try await Self.withReceiver(strict: true) { receiver, url in
            let response = try await BulkReceiverTests.post(url + "/_bulk", Self.mixed)
            #expect(try BulkReceiverTests.statuses(response) == [400, 201, 400, 400, 400, 201])
            let items = try BulkReceiverTests.items(response)
            let errors = items.map { ($0["error"] as? [String: Any])?["reason"] as? String }
            #expect(errors[0] == "[1:11] failed to parse: Duplicate field 'n'")
            #expect(errors[2] == "[1:21] failed to parse: Duplicate field 'k'")
            #expect(errors[3] == "[1:1] failed to parse: the source on line [8] is not a JSON object")
            #expect(errors[4] == "[1:1] failed to parse: the source on line [10] is not a JSON object")
            let types = Set(items.compactMap { ($0["error"] as? [String: Any])?["type"] as? String })
            #expect(types == ["document_parsing_exception"])
            #expect(receiver.documents(in: "logs").map(\.id) == ["b", "a"])
            #expect(
                receiver.documents(in: "logs").map(\.source) == [#"{"outer":{"k":1},"inner":{"k":2}}"#, #"{"n":3}"#]
            )
        }
    }

    @Test(arguments: [false, true])
    func manyIdsSurviveGrowthAndDeletion(strict: Bool) async throws {
        try await Self.withReceiver(strict: strict) { receiver, url in
            func creates(_ ids: some Sequence<Int>) -> String {
                ids.map { "{\"create\":{\"_index\":\"many\",\"_id\":\"id-\($0)\"}}\n{\"n\":\($0)}\n" }.joined()
            }
            let first = try await BulkReceiverTests.post(url + "/_bulk?filter_path=items.*.status", creates(0..<3000))
            #expect(try BulkReceiverTests.statuses(first) == Array(repeating: 201, count: 3000))
            let deletes = stride(from: 0, to: 3000, by: 2).map {
                "{\"delete\":{\"_index\":\"many\",\"_id\":\"id-\($0)\"}}\n"
            }
            let deleted = try await BulkReceiverTests.post(url + "/_bulk", deletes.joined() + deletes[0])
            #expect(try BulkReceiverTests.statuses(deleted) == Array(repeating: 200, count: 1500) + [404])
            #expect(receiver.documentCount == 1500)
            let again = try await BulkReceiverTests.post(url + "/_bulk?filter_path=items.*.status", creates(0..<3000))
            #expect(try BulkReceiverTests.statuses(again) == (0..<3000).map { $0 % 2 == 0 ? 201 : 409 })
            #expect(receiver.documentCount(in: "many") == 3000)
        }
    }

    @Test(arguments: [false, true])
    func filterPathKeepsOnlyWhatTheAcknowledgementNeeds(strict: Bool) async throws {
        try await Self.withReceiver(strict: strict) { _, url in
            let body = """
                {"create":{"_index":"logs","_id":"x"}}
                {"n":1}
                {"create":{"_index":"logs","_id":"x"}}
                {"n":2}
                {"index":{"_index":"logs","_id":"y"}}
                {"n":3}

                """
            let filtered = try await BulkReceiverTests.post(
                url + "/_bulk?filter_path=errors,items.*.status,items.*.error",
                body
            )
            #expect(filtered.status == 200)
            #expect(
                filtered.body == """
                    {"errors":true,"items":[{"create":{"status":201}},{"create":{"status":409,"error":\
                    {"type":"version_conflict_engine_exception","reason":"[x]: version conflict, document already \
                    exists (current version [1])","index":"logs","shard":"0"}}},{"index":{"status":201}}]}
                    """
            )
            // Percent-encoded, only errors: items without a matching key are left out.
            let errorsOnly = try await BulkReceiverTests.post(url + "/_bulk?filter_path=items.%2A.error.type", body)
            #expect(
                errorsOnly.body == """
                    {"items":[{"create":{"error":{"type":"version_conflict_engine_exception"}}},\
                    {"create":{"error":{"type":"version_conflict_engine_exception"}}}]}
                    """
            )
            let update = "{\"index\":{\"_index\":\"logs\",\"_id\":\"y\"}}\n{\"n\":3}\n"
            let nothing = try await BulkReceiverTests.post(url + "/_bulk?filter_path=items.*.error", update)
            #expect(nothing.body == "{}")
            let glob = try await BulkReceiverTests.post(
                url + "/_bulk?filter_path=**._seq*,took",
                "{\"index\":{\"_index\":\"g\",\"_id\":\"1\"}}\n{}\n"
            )
            #expect(glob.body.hasPrefix(#"{"took":"#))
            #expect(glob.body.hasSuffix(#","items":[{"index":{"_seq_no":0}}]}"#))
        }
    }
}
