import CompressNIO
import Foundation
import Logging
import LogshipOutputs
import LogshipReceiver
import NIOCore
import Testing

@Suite(.enabled(if: CurlClient.isAvailable, "skipped: curl is not installed at /usr/bin/curl"))
struct BulkReceiverTests {
    static let logger = Logger(label: "test.bulk-receiver")
    static let ndjson = "Content-Type: application/x-ndjson"

    /// Runs `body` against a started receiver, then shuts it down.
    static func withReceiver(
        maximumContentBytes: Int = 1 << 20,
        strict: Bool = true,
        _ body: (BulkReceiver, String) async throws -> Void
    ) async throws {
        let receiver = BulkReceiver(maximumContentBytes: maximumContentBytes, strict: strict, logger: logger)
        let port = try await receiver.start()
        do {
            try await body(receiver, "http://127.0.0.1:\(port)")
        } catch {
            await receiver.shutdown()
            throw error
        }
        await receiver.shutdown()
    }

    static func post(_ url: String, _ body: String, gzip: Bool = false) async throws -> CurlClient.Response {
        var bytes = Array(body.utf8)
        var headers = [ndjson]
        if gzip {
            var buffer = ByteBuffer(bytes: bytes)
            let compressed = try buffer.compress(with: .gzip())
            bytes = Array(compressed.readableBytesView)
            headers.append("Content-Encoding: gzip")
        }
        return try await CurlClient.request(url, method: "POST", headers: headers, body: bytes)
    }

    /// The parsed JSON answer.
    static func json(_ response: CurlClient.Response) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [String: Any])
    }

    /// Each item's inner object, e.g. `{"_index":…,"status":201,…}`.
    static func items(_ response: CurlClient.Response) throws -> [[String: Any]] {
        let items = try #require(try json(response)["items"] as? [[String: Any]])
        return items.compactMap { $0.values.first as? [String: Any] }
    }

    static func statuses(_ response: CurlClient.Response) throws -> [Int] {
        try items(response).map { $0["status"] as? Int ?? 0 }
    }

    @Test func answersInfoLikeElasticsearch8() async throws {
        try await Self.withReceiver { _, url in
            let response = try await CurlClient.request(url + "/")
            #expect(response.status == 200)
            let info = try Self.json(response)
            #expect((info["version"] as? [String: Any])?["number"] as? String == "8.15.0")
            #expect(info["tagline"] as? String == "You Know, for Search")
        }
    }

    @Test func acceptsGzipBodiesAndAnswersExactText() async throws {
        try await Self.withReceiver { receiver, url in
            let body = """
                {"create":{"_index":"logs","_id":"a1"}}
                {"message":"hello"}

                """
            let response = try await Self.post(url + "/_bulk", body, gzip: true)
            #expect(response.status == 200)
            let text = response.body.replacingOccurrences(
                of: #""took":\d+"#,
                with: #""took":0"#,
                options: .regularExpression
            )
            #expect(
                text == """
                    {"errors":false,"took":0,"items":[{"create":{"_index":"logs","_id":"a1","_version":1,\
                    "result":"created","_shards":{"total":2,"successful":1,"failed":0},"_seq_no":0,\
                    "_primary_term":1,"status":201}}]}
                    """
            )
            #expect(receiver.documents(in: "logs").map(\.id) == ["a1"])
            #expect(receiver.documents(in: "logs").map(\.source) == [#"{"message":"hello"}"#])
            #expect(receiver.requests.map(\.gzip) == [true])
            #expect(receiver.requests.map(\.itemStatuses) == [[201]])
        }
    }

    @Test func createTwiceConflictsAndIndexOverwrites() async throws {
        try await Self.withReceiver { receiver, url in
            let body = """
                {"create":{"_index":"logs","_id":"x"}}
                {"n":1}
                {"create":{"_index":"logs","_id":"x"}}
                {"n":2}
                {"index":{"_index":"logs","_id":"y"}}
                {"n":3}
                {"index":{"_index":"logs","_id":"y"}}
                {"n":4}
                {"index":{"_index":"logs"}}
                {"n":5}

                """
            let response = try await Self.post(url + "/_bulk", body)
            #expect(response.status == 200)
            #expect(try Self.json(response)["errors"] as? Bool == true)
            let items = try Self.items(response)
            #expect(items.map { $0["status"] as? Int } == [201, 409, 201, 200, 201])
            let conflict = try #require(items[1]["error"] as? [String: Any])
            #expect(conflict["type"] as? String == "version_conflict_engine_exception")
            #expect(
                conflict["reason"] as? String == "[x]: version conflict, document already exists (current version [1])"
            )
            #expect(items[3]["result"] as? String == "updated")
            #expect(items[3]["_version"] as? Int == 2)
            let generated = try #require(items[4]["_id"] as? String)
            #expect(generated.count == 20)
            #expect(receiver.documents(in: "logs").map(\.source) == [#"{"n":1}"#, #"{"n":4}"#, #"{"n":5}"#])
            #expect(receiver.createCounts == ["x": 2])
            #expect(receiver.documentCount == 3)
            #expect(receiver.indices() == ["logs"])
        }
    }

    /// logship's own action lines take a shortcut past the JSON scanner; the same action written
    /// any other way must come out the same (here: one document, then conflicts).
    @Test(arguments: [false, true])
    func canonicalAndOtherSpellingsOfAnActionAreOne(strict: Bool) async throws {
        try await Self.withReceiver(strict: strict) { receiver, url in
            let body = """
                {"create":{"_index":"logs","_id":"a-1"}}
                {"n":1}
                { "create" : { "_index" : "logs", "_id" : "a-1" } }
                {"n":2}
                {"create":{"_id":"a-1","_index":"logs"}}
                {"n":3}
                {"create":{"_index":"logs","_id":"a\\u002d1"}}
                {"n":4}
                {"create":{"_index":"logs","_id":"a-1"}}\("  ")
                {"n":5}
                {"create":{"_index":"logs"}}
                {"n":6}
                {"create":{"_index":"l\\u00f6gs","_id":"b"}}
                {"n":7}

                """
            let items = try Self.items(try await Self.post(url + "/_bulk", body))
            #expect(items.map { $0["status"] as? Int } == [201, 409, 409, 409, 409, 201, 201])
            #expect(items.map { $0["_index"] as? String } == ["logs", "logs", "logs", "logs", "logs", "logs", "lögs"])
            #expect(receiver.documentCount == 3)
        }
    }

    @Test func rejectsMalformedActionLinesWholesale() async throws {
        try await Self.withReceiver { receiver, url in
            let body = """
                {"create":{"_index":"logs","_id":"a"}}
                {"n":1}
                "create"
                {"n":2}

                """
            let response = try await Self.post(url + "/_bulk", body)
            #expect(response.status == 400)
            #expect(
                response.body == """
                    {"error":{"root_cause":[{"type":"illegal_argument_exception","reason":"Malformed action/metadata \
                    line [3], expected START_OBJECT but found [VALUE_STRING]"}],"type":"illegal_argument_exception",\
                    "reason":"Malformed action/metadata line [3], expected START_OBJECT but found [VALUE_STRING]"},\
                    "status":400}
                    """
            )
            #expect(receiver.documentCount == 0)
            let unknown = try await Self.post(url + "/_bulk", "{\"upsert\":{}}\n{}\n")
            #expect(unknown.status == 400)
            #expect(unknown.body.contains("expected field [create], [delete], [index] or [update] but found [upsert]"))
            let unterminated = try await Self.post(url + "/_bulk", "{\"create\":{\"_index\":\"a\"}}\n{}")
            #expect(unterminated.status == 400)
        }
    }

    @Test func answersItemErrors() async throws {
        try await Self.withReceiver { receiver, url in
            let body = """
                {"create":{"_id":"no-index"}}
                {"n":1}
                {"create":{"_index":"logs","_id":"not-object"}}
                [1,2]
                {"create":{"_index":"Logs","_id":"upper"}}
                {"n":1}
                {"update":{"_index":"logs","_id":"u"}}
                {"doc":{}}
                {"delete":{"_index":"logs","_id":"gone"}}

                """
            let response = try await Self.post(url + "/_bulk", body)
            let items = try Self.items(response)
            #expect(items.map { $0["status"] as? Int } == [400, 400, 400, 400, 404])
            let types = items.map { ($0["error"] as? [String: Any])?["type"] as? String }
            #expect(
                types == [
                    "action_request_validation_exception", "document_parsing_exception", "invalid_index_name_exception",
                    "illegal_argument_exception", nil,
                ]
            )
            let defaulted = try await Self.post(url + "/fallback/_bulk", "{\"create\":{\"_id\":\"d\"}}\n{\"n\":1}\n")
            #expect(try Self.statuses(defaulted) == [201])
            #expect(receiver.indices() == ["fallback"])
        }
    }

    @Test func rejectsBadGzipAndOversizedBodies() async throws {
        try await Self.withReceiver(maximumContentBytes: 4096) { receiver, url in
            let garbage = try await CurlClient.request(
                url + "/_bulk",
                method: "POST",
                headers: [Self.ndjson, "Content-Encoding: gzip"],
                body: Array("not gzip at all\n".utf8)
            )
            #expect(garbage.status == 400)
            #expect(try (Self.json(garbage)["error"] as? [String: Any])?["type"] as? String == "parse_exception")
            let line = "{\"create\":{\"_index\":\"logs\"}}\n{\"message\":\"\(String(repeating: "x", count: 100))\"}\n"
            let big = String(repeating: line, count: 100)
            let raw = try await Self.post(url + "/_bulk", big)
            #expect(raw.status == 413)
            let inflated = try await Self.post(url + "/_bulk", big, gzip: true)
            #expect(inflated.status == 413)
            #expect(receiver.documentCount == 0)
        }
    }

    @Test func appliesScriptedFaultsInOrder() async throws {
        try await Self.withReceiver { receiver, url in
            receiver.enqueue(
                .rejectRequest(status: 429),
                .rejectRequest(status: 413),
                .closeConnection,
                .failItems(count: 2, status: 429),
                .delay(.milliseconds(300))
            )
            let body = (1...3).map { "{\"create\":{\"_index\":\"logs\",\"_id\":\"\($0)\"}}\n{\"n\":\($0)}\n" }.joined()

            let rejected = try await Self.post(url + "/_bulk", body)
            #expect(rejected.status == 429)
            #expect(
                try (Self.json(rejected)["error"] as? [String: Any])?["type"] as? String
                    == "es_rejected_execution_exception"
            )
            let tooLarge = try await Self.post(url + "/_bulk", body)
            #expect(tooLarge.status == 413)
            let dropped = try await Self.post(url + "/_bulk", body)
            #expect(dropped.exitCode == 52, "curl: empty reply from server")
            #expect(receiver.documentCount == 0)

            let partial = try await Self.post(url + "/_bulk", body)
            #expect(try Self.statuses(partial) == [429, 429, 201])
            let itemError = try #require(try Self.items(partial)[0]["error"] as? [String: Any])
            #expect(itemError["type"] as? String == "es_rejected_execution_exception")

            let start = ContinuousClock.now
            let delayed = try await Self.post(url + "/_bulk", body)
            #expect(ContinuousClock.now - start >= .milliseconds(300))
            #expect(try Self.statuses(delayed) == [201, 201, 409])

            #expect(receiver.pendingFaults.isEmpty)
            #expect(receiver.requests.map(\.status) == [429, 413, 0, 200, 200])
            #expect(receiver.createCounts == ["1": 1, "2": 1, "3": 2])
            let stats = try Self.json(try await CurlClient.request(url + "/_logship/stats"))
            #expect(stats["documents"] as? [String: Int] == ["logs": 3])
            #expect(stats["requests"] as? Int == 5)
        }
    }

    @Test func refusesOtherContentTypes() async throws {
        try await Self.withReceiver { _, url in
            let response = try await CurlClient.request(
                url + "/_bulk",
                method: "POST",
                headers: ["Content-Type: text/plain"],
                body: Array("{}\n".utf8)
            )
            #expect(response.status == 406)
        }
    }

    @Test func busyPortIsAnError() async throws {
        try await Self.withReceiver { _, url in
            let port = try #require(Int(url.split(separator: ":").last ?? ""))
            let second = BulkReceiver(port: port, logger: Self.logger)
            await #expect(
                throws: HTTPServerError.cannotListen(address: "127.0.0.1:\(port)", reason: "Address already in use")
            ) {
                _ = try await second.start()
            }
        }
    }
}

extension BulkReceiverTests {
    @Test func shutdownAnswersTheRequestInProgressThenCloses() async throws {
        let receiver = BulkReceiver(strict: true, logger: Self.logger)
        let port = try await receiver.start()
        let url = "http://127.0.0.1:\(port)"
        receiver.enqueue(.delay(.milliseconds(400)))
        async let answer = Self.post(url + "/_bulk", "{\"create\":{\"_index\":\"logs\",\"_id\":\"s\"}}\n{}\n")
        // Wait (bounded) until the request is in the receiver, sleeping in its delay.
        let deadline = ContinuousClock.now + .seconds(5)
        while receiver.pendingFaults.count == 1 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        await receiver.shutdown()
        let response = try await answer
        #expect(response.status == 200)
        #expect(response.headers["connection"] == "close")
        #expect(receiver.documents(in: "logs").map(\.id) == ["s"])
        let refused = try await CurlClient.request(url + "/")
        #expect(refused.exitCode == 7, "curl: connection refused after shutdown")
    }
}

extension BulkReceiverTests {
    @Test func answersExpectContinueForLargeBodies() async throws {
        try await Self.withReceiver(maximumContentBytes: 4 << 20) { receiver, url in
            let body = (0..<2_000).map { "{\"create\":{\"_index\":\"big\",\"_id\":\"\($0)\"}}\n{\"n\":\($0)}\n" }
                .joined()
            let response = try await CurlClient.request(
                url + "/_bulk",
                method: "POST",
                headers: [Self.ndjson, "Expect: 100-continue"],
                body: Array(body.utf8),
                extraArguments: ["-v"]
            )
            #expect(response.trace.contains("HTTP/1.1 100 Continue"))
            #expect(response.status == 200)
            #expect(receiver.documentCount == 2_000)
            #expect(try Self.statuses(response).allSatisfy { $0 == 201 })
        }
    }
}
