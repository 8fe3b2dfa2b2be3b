/// SQL text with bind parameters. String interpolation turns every value into `$n`, so a
/// value can never become part of the SQL text (postgres-nio's `PostgresQuery` style).
///
///     let sql: SQL = "SELECT * FROM admins WHERE id = \(id) AND company_id = \(companyID)"
///     // sql.text  == "SELECT * FROM admins WHERE id = $1 AND company_id = $2"
///     // sql.binds == [id.postgresBind, companyID.postgresBind]
public struct SQL: Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    /// The statement text with `$1`, `$2`, … placeholders.
    public var text: String
    /// The values for the placeholders, in order, in PostgreSQL's text format.
    public var binds: [PostgresBind]

    /// Use only with constant text: nothing in `text` is escaped.
    public init(unsafeText text: String, binds: [PostgresBind] = []) {
        self.text = text
        self.binds = binds
    }

    public init(stringLiteral value: String) {
        self.init(unsafeText: value)
    }

    public init(stringInterpolation: StringInterpolation) {
        self.init(unsafeText: stringInterpolation.text, binds: stringInterpolation.binds)
    }

    /// The SQL text only: bound values are never part of a description.
    public var description: String { text }

    public struct StringInterpolation: StringInterpolationProtocol, Sendable {
        var text = ""
        var binds: [PostgresBind] = []

        public init(literalCapacity: Int, interpolationCount: Int) {
            text.reserveCapacity(literalCapacity + interpolationCount * 3)
            binds.reserveCapacity(interpolationCount)
        }

        public mutating func appendLiteral(_ literal: String) {
            text += literal
        }

        /// A bind parameter `$n`.
        public mutating func appendInterpolation(_ value: some PostgresEncodable) {
            appendBind(value.postgresBind)
        }

        /// A bind parameter `$n`; `nil` binds SQL `NULL`.
        public mutating func appendInterpolation(_ value: (some PostgresEncodable)?) {
            appendBind(value?.postgresBind ?? .null)
        }

        /// A double-quoted identifier (a table or database name chosen at run time).
        public mutating func appendInterpolation(identifier: String) {
            text += "\"" + identifier.replacingAll("\"", with: "\"\"") + "\""
        }

        /// Another statement's text and binds, as a condition or a subquery: its placeholders
        /// are numbered on after this one's. Its text holds `$` and a digit only as
        /// placeholders (no dollar-quoted string).
        public mutating func appendInterpolation(_ fragment: SQL) {
            let offset = binds.count
            binds += fragment.binds
            var digits = ""
            var afterDollar = false
            for character in fragment.text + " " {
                if afterDollar, character.isASCII, character.isNumber {
                    digits.append(character)
                    continue
                }
                if afterDollar {
                    text += "$" + (Int(digits).map { String($0 + offset) } ?? "")
                    afterDollar = false
                    digits = ""
                }
                if character == "$" { afterDollar = true } else { text.append(character) }
            }
            text.removeLast()  // the space that ended the scan
        }

        /// Raw SQL text. Only for constant fragments written in the source code.
        public mutating func appendInterpolation(unescaped: String) {
            text += unescaped
        }

        private mutating func appendBind(_ bind: PostgresBind) {
            binds.append(bind)
            text += "$\(binds.count)"
        }
    }
}

extension String {
    /// Foundation-free replacement, so this file needs no Foundation import.
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        out.reserveCapacity(count)
        for character in self {
            if character == target { out += replacement } else { out.append(character) }
        }
        return out
    }
}
