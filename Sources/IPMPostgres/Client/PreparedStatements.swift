/// The statements one connection has prepared (`PQprepare`), by SQL text: a bounded cache,
/// least recently used out first. It lives and dies with its `PostgresConnection`, so a
/// connection opened after a restart starts empty, as its new server session does.
struct PreparedStatements {
    /// The most statements kept prepared at once; 0 prepares nothing.
    let capacity: Int
    private var names: [String: Entry] = [:]
    private var clock: UInt64 = 0
    private var nextNumber = 0
    /// Names the server may still hold but the cache no longer maps: closed (`DEALLOCATE`)
    /// when the session can run a statement again.
    private(set) var stale: [String] = []

    private struct Entry {
        let name: String
        var lastUse: UInt64
    }

    init(capacity: Int) {
        self.capacity = max(0, capacity)
    }

    var count: Int { names.count }

    /// Whether `text` is worth preparing: only statements the server plans. Utility
    /// statements (`SET`, `CREATE DATABASE`, DDL, `LISTEN`) have no plan to keep, and some
    /// (`CREATE DATABASE`) must not run inside the extended protocol's implicit transaction.
    static func isPlannable(_ text: String) -> Bool {
        var keyword = Substring.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if keyword.isEmpty && (scalar == " " || scalar == "\n" || scalar == "\t" || scalar == "\r") { continue }
            if keyword.isEmpty && scalar == "(" { return true }
            guard scalar.properties.isAlphabetic else { break }
            keyword.append(scalar)
            if keyword.count > 6 { return false }
        }
        switch String(keyword).uppercased() {
        case "SELECT", "INSERT", "UPDATE", "DELETE", "WITH", "VALUES": return true
        default: return false
        }
    }

    /// The name `text` is prepared under, marking it used.
    mutating func name(for text: String) -> String? {
        guard var entry = names[text] else { return nil }
        clock &+= 1
        entry.lastUse = clock
        names[text] = entry
        return entry.name
    }

    /// A fresh name for a statement about to be prepared (unique within the session).
    mutating func newName() -> String {
        nextNumber += 1
        return "ipm_\(nextNumber)"
    }

    /// Remembers `text` as prepared under `name`; returns the least recently used name it
    /// pushes out when the cache is full (the caller closes it on the server).
    mutating func insert(_ text: String, name: String) -> String? {
        var evicted: String?
        if names.count >= capacity, let oldest = names.min(by: { $0.value.lastUse < $1.value.lastUse }) {
            names[oldest.key] = nil
            evicted = oldest.value.name
        }
        clock &+= 1
        names[text] = Entry(name: name, lastUse: clock)
        return evicted
    }

    /// Forgets `text` (its plan no longer fits, or the server lost it); its name goes to `stale`.
    mutating func forget(_ text: String) {
        guard let entry = names.removeValue(forKey: text) else { return }
        stale.append(entry.name)
    }

    mutating func markStale(_ name: String) {
        stale.append(name)
    }

    mutating func takeStale() -> [String] {
        defer { stale = [] }
        return stale
    }
}

extension PostgresError {
    /// A prepared statement that cannot run as prepared: `0A000` (`cached plan must not change
    /// result type`, after DDL changed a table it reads) or `26000` (the session has no such
    /// statement, e.g. after `DEALLOCATE ALL`).
    var invalidatesPreparedStatement: Bool {
        sqlState == "0A000" || sqlState == "26000"
    }
}
