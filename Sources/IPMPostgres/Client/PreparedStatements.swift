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
    /// Read as bytes (a keyword is ASCII): this runs for every statement not yet prepared.
    static func isPlannable(_ text: String) -> Bool {
        var keyword: UInt64 = 0
        var length = 0
        for byte in text.utf8 {
            if length == 0 && (byte == 0x20 || byte == 0x0A || byte == 0x09 || byte == 0x0D) { continue }
            if length == 0 && byte == UInt8(ascii: "(") { return true }
            let upper = byte & 0xDF
            guard upper >= UInt8(ascii: "A") && upper <= UInt8(ascii: "Z") else { break }
            length += 1
            if length > 6 { return false }
            keyword = keyword << 8 | UInt64(upper)
        }
        return plannableKeywords.contains(keyword)
    }

    /// SELECT, INSERT, UPDATE, DELETE, WITH and VALUES, upper case, packed as `isPlannable` packs.
    private static let plannableKeywords: Set<UInt64> = Set(
        ["SELECT", "INSERT", "UPDATE", "DELETE", "WITH", "VALUES"].map { $0.utf8.reduce(0) { $0 << 8 | UInt64($1) } })

    /// The name `text` is prepared under, marking it used.
    mutating func name(for text: String) -> String? {
        guard let index = names.index(forKey: text) else { return nil }
        clock &+= 1
        names.values[index].lastUse = clock
        return names.values[index].name
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
