import Foundation
public import IPMDomain
public import Logging

/// Changes of `ups_connections` as PostgreSQL announces them: the table's trigger (migration
/// 0014) sends `pg_notify('ipm_ups_connection', company id)` in the transaction of every
/// change, and `'*'` when the table is truncated; a `PostgresListener` hears them.
public struct PostgresUPSConnectionChanges: UPSConnectionChangeFeed {
    /// The channel migration 0014's trigger notifies.
    public static let channel = "ipm_ups_connection"

    private let listener: PostgresListener

    public init(client: PostgresClient, logger: Logger) {
        listener = PostgresListener(client: client, channel: Self.channel, logger: logger)
    }

    public func run(_ deliver: @escaping @Sendable (UPSConnectionChange) -> Void) async {
        await listener.run { event in
            switch event {
            case .listening: deliver(.listening)
            case .interrupted: deliver(.interrupted)
            case .notification(let payload):
                // Anything but a company id (the truncation's '*', or a notification someone
                // sent by hand) may concern every company.
                deliver(UUID(canonicalText: payload).map { .changed(CompanyID($0)) } ?? .changedAll)
            }
        }
    }
}
