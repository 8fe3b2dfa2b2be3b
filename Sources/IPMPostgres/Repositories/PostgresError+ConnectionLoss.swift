extension PostgresError {
    /// Whether the statement may not have reached (or been answered by) the server because
    /// the connection or the server went away — the commit's outcome is then unknown.
    var mayHaveLostTheConnection: Bool {
        if self == .connectionLost || self == .connectionFailed || self == .poolTimeout { return true }
        guard let sqlState else { return false }
        // 08: connection exception; 57P01..57P03: admin/crash shutdown, cannot connect now.
        return sqlState.hasPrefix("08") || sqlState.hasPrefix("57P")
    }
}
