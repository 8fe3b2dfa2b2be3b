/// What reaches a process about companies' UPS connections changing, in the order the
/// changes were committed.
public enum UPSConnectionChange: Sendable, Hashable {
    /// The feed listens (again): every change committed from now on will be reported. What
    /// changed before, or while it was not listening, is unknown.
    case listening
    /// The feed stopped listening: changes may go unreported until the next `.listening`.
    case interrupted
    /// The company's connection changed (its tokens, its status, or both).
    case changed(CompanyID)
    /// Any company's connection may have changed (e.g. the whole table was emptied).
    case changedAll
}

/// Committed changes of companies' UPS connections as they happen, on every instance
/// (PostgreSQL `LISTEN`/`NOTIFY` in IPMPostgres). What a process keeps in memory of a
/// connection is good only while the feed listens and has reported no change of it.
public protocol UPSConnectionChangeFeed: Sendable {
    /// Reports changes to `deliver`, in order, until the task is cancelled; reconnects by
    /// itself. It starts not listening: the first report is `.listening` once it does.
    func run(_ deliver: @escaping @Sendable (UPSConnectionChange) -> Void) async
}
