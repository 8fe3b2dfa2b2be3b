import IPMDomain
import Synchronization

/// Service credentials this process found live in the last few seconds, by token digest,
/// so the token API and the proxy do not look their caller up in PostgreSQL on every
/// request (decision 32). Only live credentials are kept: an unknown token always goes to
/// the database, so a new credential works at once and junk tokens cannot fill the cache.
/// A revocation through this process drops its entry at once; other instances stop
/// accepting the token when their entry expires.
final class ServiceCredentialCache: Sendable {
    private struct Entry: Sendable {
        let credential: ServiceCredential
        let until: ContinuousClock.Instant
    }

    private let lifetime: Duration
    private let capacity: Int
    private let entries = Mutex<[[UInt8]: Entry]>([:])

    init(lifetime: Duration, capacity: Int = 10_000) {
        precondition(lifetime > .zero && capacity > 0)
        self.lifetime = lifetime
        self.capacity = capacity
    }

    func credential(digest: [UInt8]) -> ServiceCredential? {
        let now = ContinuousClock.now
        return entries.withLock { entries in
            guard let entry = entries[digest] else { return nil }
            guard entry.until > now else {
                entries[digest] = nil
                return nil
            }
            return entry.credential
        }
    }

    func store(_ credential: ServiceCredential, digest: [UInt8]) {
        let now = ContinuousClock.now
        entries.withLock { entries in
            if entries.count >= capacity, entries[digest] == nil {
                entries = entries.filter { $0.value.until > now }
                if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            }
            entries[digest] = Entry(credential: credential, until: now + lifetime)
        }
    }

    func forget(_ id: ServiceCredentialID) {
        entries.withLock { entries in entries = entries.filter { $0.value.credential.id != id } }
    }
}
