/// A missing or malformed setting: one line naming the setting and what is expected.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public let setting: String
    public let expected: String

    public init(_ setting: String, _ expected: String) {
        self.setting = setting
        self.expected = expected
    }

    public var description: String { "\(setting): \(expected)" }
}
