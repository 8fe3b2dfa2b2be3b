public import Foundation

extension UPSConnection {
    /// When the stored tokens enter the refresh margin: from then on `isDueForRefresh` holds
    /// (unless a backoff holds the company back), so an access token handed out without asking
    /// the database again is good only before it. `nil` when no such moment follows from what
    /// is stored (no expiry, or no issue time to measure the lifetime from): always ask.
    public func refreshMarginStarts(policy: RefreshPolicy) -> Date? {
        guard let expiry = accessTokenExpiresAt, let issued = updatedAt ?? authorizedAt else { return nil }
        // The same arithmetic as `isDueForRefresh`: the margin over the lifetime since issue.
        let margin = policy.margin.seconds(forLifetime: expiry.timeIntervalSince(issued))
        var starts = expiry.addingTimeInterval(-margin)
        if let refreshExpiry = refreshTokenExpiresAt { starts = min(starts, refreshExpiry.addingTimeInterval(-margin)) }
        return min(starts, expiry)
    }
}
