/// Something `/readyz` asks before it says the server can take traffic (the database).
public protocol ReadinessCheck: Sendable {
    var name: String { get }
    func check() async throws
}
