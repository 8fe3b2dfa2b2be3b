import Foundation

extension PostgresError {
    /// What an operator at the command line needs to fix a connection or migration problem:
    /// libpq's or the server's own message. It never holds bound values or a password, but
    /// may name hosts, so fronts that serve end users must not show it.
    public var operatorDetail: String? {
        // libpq's messages span lines ("…failed: Connection refused\n\tIs the server running…"); keep one.
        (serverMessage ?? detail).map { text in
            text.split(whereSeparator: \.isNewline)
                .map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty }
                .joined(separator: " ")
        }
    }
}
