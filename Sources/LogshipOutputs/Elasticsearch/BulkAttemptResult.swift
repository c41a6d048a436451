/// What came back for one `_bulk` request: a response, or a failure before one was complete.
package enum BulkAttemptResult: Sendable, Equatable {
    /// A complete response with its status and body.
    case response(status: Int, body: [UInt8])
    /// No usable response: connection refused or reset, timeout, body too large.
    case failure(String)
}
