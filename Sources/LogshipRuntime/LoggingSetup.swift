package import Logging

/// Sets up swift-log once for the process: logfmt-style lines on standard error.
package enum LoggingSetup {
    /// Bootstraps the logging system at `level` (an unknown name falls back to `info`) and
    /// returns the process logger.
    package static func bootstrap(level: String) -> Logger {
        let logLevel = Logger.Level(rawValue: level.lowercased()) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = logLevel
            return handler
        }
        var logger = Logger(label: "logship")
        logger.logLevel = logLevel
        return logger
    }
}
