/// The parts of an Elasticsearch `_bulk` response the output needs: how many items there are and,
/// for the items that did not succeed, their position, status and error.
///
/// The output asks for `filter_path=errors,items.*.status,items.*.error`, so Elasticsearch answers
///
/// ```
/// {"errors":true,"items":[{"create":{"status":201}},{"create":{"status":409,"error":{"type":
///  "version_conflict_engine_exception","reason":"[2]: version conflict, document already exists"}}}]}
/// ```
///
/// and an endpoint that ignores `filter_path` answers the full form (`took`, `_index`, `_id`,
/// `_shards`, … beside them); both are read the same way, without building a tree:
///
/// - Each item is an object with one key, the action (`create`, `index`, …), whose value holds
///   `status` and, for failed items, `error`. Other keys, in any order, are stepped over.
/// - When `errors` is `false` and comes before `items` (as Elasticsearch writes it), every item
///   succeeded: the items are only counted, their statuses are not read.
/// - Otherwise each item's `status` is read, and its `error` is decoded only when the status is not
///   2xx: an object gives `type` and `reason` (`unknown` and `""` when missing), a string (older
///   versions) is the reason, anything else is kept as JSON text in the reason.
/// - A body that is not an object with an `items` array of such items, or that ends early, is
///   `nil`; the caller retries the batch.
package struct BulkResponse: Sendable, Equatable {
    /// An item that did not succeed (status outside 200..<300).
    package struct FailedItem: Sendable, Equatable {
        /// The item's position in the request, from 0.
        package var position: Int
        /// The item's HTTP status.
        package var status: Int
        /// The error, when the item has one.
        package var error: BulkError?

        package init(position: Int, status: Int, error: BulkError? = nil) {
            self.position = position
            self.status = status
            self.error = error
        }
    }

    /// The response's `errors` flag (`false` when it is missing).
    package var errors: Bool
    /// Number of items.
    package var itemCount: Int
    /// The items that did not succeed, in request order.
    package var failedItems: [FailedItem]

    package init(errors: Bool, itemCount: Int, failedItems: [FailedItem] = []) {
        self.errors = errors
        self.itemCount = itemCount
        self.failedItems = failedItems
    }

    /// Parses a `_bulk` response body; `nil` when it is not the expected shape (see the type).
    ///
    /// Reads the bytes in place: the earlier `JSONParser` tree of every item was most of the
    /// response cost, and the output only needs the failures.
    package static func parse(_ body: [UInt8]) -> BulkResponse? {
        body.withUnsafeBufferPointer { bytes in
            var scanner = BulkResponseScanner(bytes)
            return parse(&scanner)
        }
    }

    /// The `error` of a whole-request failure body (`{"error": {...}, "status": N}`), if any.
    package static func parseRequestError(_ body: [UInt8], status: Int) -> BulkError? {
        body.withUnsafeBufferPointer { bytes -> BulkError? in
            var scanner = BulkResponseScanner(bytes)
            guard scanner.consume(UInt8(ascii: "{")) else { return nil }
            var error: BulkError?
            if scanner.consume(UInt8(ascii: "}")) { return nil }
            repeat {
                guard let key = scanner.readKey() else { return nil }
                if key.elementsEqual("error".utf8) {
                    guard let parsed = readError(&scanner, status: status) else { return nil }
                    error = parsed
                } else {
                    guard scanner.skipValue() != nil else { return nil }
                }
                guard let more = scanner.nextMember() else { return nil }
                if !more { break }
            } while true
            return scanner.isAtEnd() ? error : nil
        }
    }

    private static func parse(_ scanner: inout BulkResponseScanner) -> BulkResponse? {
        guard scanner.consume(UInt8(ascii: "{")), !scanner.consume(UInt8(ascii: "}")) else { return nil }
        var errors: Bool?
        var response: BulkResponse?
        repeat {
            guard let key = scanner.readKey() else { return nil }
            if key.elementsEqual("errors".utf8) {
                guard let flag = scanner.readBool() else { return nil }
                errors = flag
            } else if key.elementsEqual("items".utf8) {
                guard let items = parseItems(&scanner, allSucceeded: errors == false) else { return nil }
                response = items
            } else {
                guard scanner.skipValue() != nil else { return nil }
            }
            guard let more = scanner.nextMember() else { return nil }
            if !more { break }
        } while true
        guard scanner.isAtEnd(), var response else { return nil }
        response.errors = errors ?? false
        return response
    }

    /// Reads the `items` array. With `allSucceeded` the items are counted and checked for shape
    /// only (an object with one key whose value is an object).
    private static func parseItems(_ scanner: inout BulkResponseScanner, allSucceeded: Bool) -> BulkResponse? {
        guard scanner.consume(UInt8(ascii: "[")) else { return nil }
        var response = BulkResponse(errors: !allSucceeded, itemCount: 0)
        if scanner.consume(UInt8(ascii: "]")) { return response }
        repeat {
            // {"<action>": {...}}
            guard scanner.consume(UInt8(ascii: "{")), scanner.readKey() != nil,
                scanner.peek() == UInt8(ascii: "{")
            else { return nil }
            if allSucceeded {
                guard scanner.skipValue() != nil else { return nil }
            } else {
                guard let failed = parseResult(&scanner, position: response.itemCount) else { return nil }
                if let failed { response.failedItems.append(failed) }
            }
            guard scanner.consume(UInt8(ascii: "}")) else { return nil }
            response.itemCount += 1
            guard let more = scanner.nextElement() else { return nil }
            if !more { break }
        } while true
        return response
    }

    /// Reads one item's result object: `.some(nil)` for a 2xx status, `.some(failed)` otherwise,
    /// `nil` when it is malformed or has no `status`. The `error` is decoded only for a failure.
    private static func parseResult(_ scanner: inout BulkResponseScanner, position: Int) -> FailedItem?? {
        guard scanner.consume(UInt8(ascii: "{")) else { return nil }
        var status: Int?
        /// The bytes of `error`, decoded once the status is known.
        var errorValue: UnsafeBufferPointer<UInt8>?
        if !scanner.consume(UInt8(ascii: "}")) {
            repeat {
                guard let key = scanner.readKey() else { return nil }
                if key.elementsEqual("status".utf8) {
                    guard let value = scanner.readStatus() else { return nil }
                    status = value
                } else if key.elementsEqual("error".utf8) {
                    guard let value = scanner.skipValue() else { return nil }
                    errorValue = value
                } else {
                    guard scanner.skipValue() != nil else { return nil }
                }
                guard let more = scanner.nextMember() else { return nil }
                if !more { break }
            } while true
        }
        guard let status else { return nil }
        if (200..<300).contains(status) { return .some(nil) }
        guard let errorValue else { return .some(FailedItem(position: position, status: status)) }
        var errorScanner = BulkResponseScanner(errorValue)
        guard let error = readError(&errorScanner, status: status) else { return nil }
        return .some(FailedItem(position: position, status: status, error: error))
    }

    /// Reads an `error` value: an object with `type` and `reason`, a string (the reason), or any
    /// other value (its JSON text is the reason).
    private static func readError(_ scanner: inout BulkResponseScanner, status: Int) -> BulkError? {
        switch scanner.peek() {
        case UInt8(ascii: "{"):
            _ = scanner.consume(UInt8(ascii: "{"))
            var type = "unknown"
            var reason = ""
            if scanner.consume(UInt8(ascii: "}")) { return BulkError(status: status, type: type, reason: reason) }
            repeat {
                guard let key = scanner.readKey() else { return nil }
                if key.elementsEqual("type".utf8), scanner.peek() == UInt8(ascii: "\"") {
                    guard let text = scanner.readString() else { return nil }
                    type = text
                } else if key.elementsEqual("reason".utf8), scanner.peek() == UInt8(ascii: "\"") {
                    guard let text = scanner.readString() else { return nil }
                    reason = text
                } else {
                    guard scanner.skipValue() != nil else { return nil }
                }
                guard let more = scanner.nextMember() else { return nil }
                if !more { break }
            } while true
            return BulkError(status: status, type: type, reason: reason)
        case UInt8(ascii: "\""):
            return scanner.readString().map { BulkError(status: status, type: "unknown", reason: $0) }
        case .some:
            return scanner.skipValue().map {
                BulkError(status: status, type: "unknown", reason: String(decoding: $0, as: UTF8.self))
            }
        case nil:
            return nil
        }
    }
}
