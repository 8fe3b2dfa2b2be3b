extension PostgresError {
    /// A unique index refused the row.
    var isUniqueViolation: Bool { sqlState == "23505" }
}
