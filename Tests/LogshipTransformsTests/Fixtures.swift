import Foundation
import LogshipCore
import LogshipTransforms

/// The sample lines of an Aetherra OS log, as users' files hold them.
enum Fixtures {
    static let aetherraLines = [
        "2025-11-01 12:00:00,123 - aetherra_hub - INFO - Server started on port 3001",
        "2025-11-01 12:00:01,456 - aetherra_hub - ERROR - Unhandled exception",
        "Traceback (most recent call last):",
        "  File \"hub.py\", line 10, in handle",
        "ValueError: bad",
        #"{"timestamp": "2025-11-01T12:00:02.345678", "service": "aetherra_hub", "metric": "#
            + #""api_request_duration", "value": 0.234, "labels": {"endpoint": "/chat", "method": "POST"}, "#
            + #""type": "metric"}"#,
        #"2025-11-01 12:00:03,000 - aetherra_hub - INFO - {"timestamp": "2025-11-01T12:00:03.000000", "#
            + #""service": "aetherra_hub", "metric": "api_request_duration", "value": 1.7, "labels": "#
            + #"{"endpoint": "/health", "method": "GET", "status": "500"}, "type": "metric"}"#,
    ]

    /// When events were read, before any parser sets their timestamp.
    static let readTime = Date(timeIntervalSince1970: 1_800_000_000)

    static func event(_ message: String, source: EventSource? = nil) -> Event {
        Event(message: message, timestamp: readTime, source: source)
    }

    static func event(_ fields: FieldObject) -> Event {
        Event(fields: fields, timestamp: readTime)
    }

    /// Applies `transform` to `events` and returns them with the statistics of the batch.
    static func run(_ transform: some EventTransform, _ events: [Event]) -> ([Event], TransformStatistics) {
        var events = events
        var statistics = TransformStatistics()
        transform.apply(to: &events, statistics: &statistics)
        return (events, statistics)
    }
}
