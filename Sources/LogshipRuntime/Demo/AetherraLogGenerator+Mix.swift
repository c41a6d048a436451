extension AetherraLogGenerator {
    /// The proportions of the kinds of event written, in percent of events; plain logging lines
    /// take what is left. The default is what a busy hub writes: 25% bare JSON metric lines, 20%
    /// JSON metric lines after a logging prefix, 3% five-line tracebacks, 52% plain lines (on
    /// average 1.12 lines and about 150 bytes per event).
    package struct Mix: Sendable, Equatable, CustomStringConvertible {
        /// `{"timestamp": …, "metric": "api_request_duration", …}` lines.
        package var bareJSONPercent: Int
        /// `2025-11-01 12:00:00,123 - aetherra_hub - INFO - {…}` lines.
        package var prefixedJSONPercent: Int
        /// Five-line Python tracebacks (one event each).
        package var tracebackPercent: Int

        /// 25% bare JSON, 20% prefixed JSON, 3% tracebacks, 52% plain lines.
        package static let standard = Mix(bareJSONPercent: 25, prefixedJSONPercent: 20, tracebackPercent: 3)

        package init(bareJSONPercent: Int, prefixedJSONPercent: Int, tracebackPercent: Int) {
            self.bareJSONPercent = bareJSONPercent
            self.prefixedJSONPercent = prefixedJSONPercent
            self.tracebackPercent = tracebackPercent
        }

        /// What is left for plain logging lines.
        package var plainPercent: Int { 100 - bareJSONPercent - prefixedJSONPercent - tracebackPercent }

        /// A reason when a share is negative or the shares exceed 100%, else nil.
        package var problem: String? {
            if bareJSONPercent < 0 || prefixedJSONPercent < 0 || tracebackPercent < 0 {
                return "percentages must not be negative"
            }
            if plainPercent < 0 { return "JSON and traceback percentages add up to more than 100" }
            return nil
        }

        package var description: String {
            "\(bareJSONPercent)% JSON, \(prefixedJSONPercent)% prefixed JSON, \(tracebackPercent)% tracebacks, "
                + "\(plainPercent)% plain"
        }
    }
}
