import Logging

/// Logs go to standard error, at IPM_LOG_LEVEL, once per process.
enum LoggingSetup {
    static func logger(label: String, level: String) -> Logger {
        var logger = Logger(label: label) { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = Logger.Level(rawValue: level) ?? .info
        return logger
    }
}
