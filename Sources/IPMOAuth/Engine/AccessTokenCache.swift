public import Foundation
public import IPMDomain
import Synchronization

/// The opened access token of each company, by token generation, kept in this process so the
/// token API does not read and open the stored pair on every request (decision 66).
///
/// Rules:
/// - An entry is served only while the change feed listens and only before its tokens enter
///   the refresh margin; from then on the refresher decides (and refreshes once, under the
///   company's lock, across instances).
/// - Every change the feed reports drops the company's entry; an interruption, and every
///   (re)start of listening, drops them all, and no entry is served until the feed listens.
/// - A token read from the database before a change arrived is never stored after it: a
///   reader takes a `Ticket` before it reads, and the entry is stored only if nothing was
///   reported for that company (or for all) since.
public final class AccessTokenCache: Sendable {
    /// Where a reader stood before it read the database.
    public struct Ticket: Sendable, Hashable {
        fileprivate let sequence: UInt64
    }

    /// What may be kept of a token read from the database.
    public struct Servable: Sendable, Hashable {
        /// The stored pair's generation (which pair of the company's this is).
        public let generation: Int64
        /// The start of the refresh margin: served from memory only before it.
        public let until: Date

        public init(generation: Int64, until: Date) {
            self.generation = generation
            self.until = until
        }
    }

    fileprivate struct Entry: Sendable {
        let token: IssuedAccessToken
        let servable: Servable
    }

    fileprivate struct State: Sendable {
        var entries: [CompanyID: Entry] = [:]
        /// The sequence number of the last change reported per company, since `floor`.
        var changed: [CompanyID: UInt64] = [:]
        /// Counts every report.
        var sequence: UInt64 = 0
        /// Tickets older than this are void: everything was dropped at this point.
        var floor: UInt64 = 0
        var isListening = false
    }

    private let state = Mutex(State())
    private let capacity: Int
    private let metrics: TokenCacheMetrics

    /// - Parameter capacity: the most companies kept (then everything is dropped and filled again).
    public init(capacity: Int = 100_000, metrics: TokenCacheMetrics = TokenCacheMetrics()) {
        precondition(capacity > 0)
        self.capacity = capacity
        self.metrics = metrics
    }

    /// The company's token when it may be served from memory at `now`.
    public func token(for company: CompanyID, at now: Date) -> IssuedAccessToken? {
        let token = state.withLock { state -> IssuedAccessToken? in
            guard state.isListening, let entry = state.entries[company] else { return nil }
            guard now < entry.servable.until, now < entry.token.expiresAt else {
                state.entries[company] = nil
                return nil
            }
            return entry.token
        }
        metrics.lookup(hit: token != nil)
        return token
    }

    /// Taken before the database is read for a token that may be stored.
    public func ticket() -> Ticket {
        state.withLock { Ticket(sequence: $0.sequence) }
    }

    /// Whether a change of the company (or of all) was reported since `ticket` was taken: a
    /// read begun before then may have seen the old state.
    public func changed(_ company: CompanyID, since ticket: Ticket) -> Bool {
        state.withLock { !$0.unchanged(company, since: ticket) }
    }

    /// Keeps `token` unless a change of the company was reported since `ticket` or the feed does
    /// not listen. - Returns: whether it was stored.
    @discardableResult
    public func store(_ token: IssuedAccessToken, _ servable: Servable, for company: CompanyID, ticket: Ticket) -> Bool {
        state.withLock { state in
            guard state.isCurrent(ticket, for: company) else { return false }
            if state.entries.count >= capacity, state.entries[company] == nil {
                state.entries.removeAll(keepingCapacity: true)
            }
            state.entries[company] = Entry(token: token, servable: servable)
            return true
        }
    }

    /// Drops the company's entry when it holds `token` (UPS refused it).
    public func forget(_ company: CompanyID, holding token: Secret) {
        state.withLock { state in
            if state.entries[company]?.token.token == token {
                state.entries[company] = nil
                state.sequence += 1
                state.changed[company] = state.sequence
            }
        }
    }

    /// Applies what the change feed reports.
    public func apply(_ change: UPSConnectionChange) {
        state.withLock { state in
            state.sequence += 1
            switch change {
            case .changed(let company):
                state.entries[company] = nil
                state.changed[company] = state.sequence
                // Bounded: forgetting the per-company marks voids every older ticket instead.
                if state.changed.count > capacity { state.dropAll() }
            case .changedAll:
                state.dropAll()
            case .listening:
                state.dropAll()
                state.isListening = true
            case .interrupted:
                state.dropAll()
                state.isListening = false
            }
        }
        switch change {
        case .listening: metrics.listening(true)
        case .interrupted: metrics.listening(false)
        case .changed, .changedAll: metrics.invalidated()
        }
    }

    /// Whether the feed listens (entries are served).
    public var isListening: Bool { state.withLock { $0.isListening } }

    /// Companies held (for tests and metrics).
    public var count: Int { state.withLock { $0.entries.count } }
}

extension AccessTokenCache.State {
    fileprivate func unchanged(_ company: CompanyID, since ticket: AccessTokenCache.Ticket) -> Bool {
        ticket.sequence >= floor && (changed[company] ?? 0) <= ticket.sequence
    }

    fileprivate func isCurrent(_ ticket: AccessTokenCache.Ticket, for company: CompanyID) -> Bool {
        isListening && unchanged(company, since: ticket)
    }

    fileprivate mutating func dropAll() {
        entries.removeAll()
        changed.removeAll()
        floor = sequence
    }
}
