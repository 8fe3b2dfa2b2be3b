import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// `ups-sandbox set-password USERNAME`: changes a UPS.com user's password in a running
/// sandbox through its admin API, which voids every token of that user — how a test or a
/// demo shows IPM noticing that an opt-in has died.
struct SandboxSetPasswordCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set-password",
        abstract: "Change a UPS.com user's password in a running sandbox; every token of that user is voided."
    )

    @Argument(help: "The UPS.com username.")
    var username: String
    @Option(help: ArgumentHelp("The running sandbox.", valueName: "url"))
    var url = "http://127.0.0.1:8090"
    @Flag(help: "Read the new password as one line from standard input instead of asking for it.")
    var passwordStdin = false

    func run() async throws {
        let password = try SandboxPasswordPrompt.read("New password for \(username): ", fromStandardInput: passwordStdin)
        let change = try await changePassword(to: password)
        print(
            """
            Changed the password of \(change.username); voided \(change.voidedGrants) opt-in(s): \
            \(change.voidedAccessTokens) access token(s), \(change.voidedRefreshTokens) refresh token(s), \
            \(change.voidedAuthorizationCodes) authorization code(s).
            """)
    }

    private func changePassword(to password: String) async throws -> PasswordChange {
        let name = username.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? username
        let base = url.hasSuffix("/") ? String(url.dropLast()) : url
        var request = HTTPClientRequest(url: "\(base)/sandbox/users/\(name)/password")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(try JSONEncoder().encode(["password": password]))
        let response: HTTPClientResponse
        do {
            response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        } catch {
            throw SandboxCommandError("no sandbox answered at \(base)")
        }
        let body = Data(try await response.body.collect(upTo: 1 << 20).readableBytesView)
        guard response.status == .ok else {
            let message = (try? JSONDecoder().decode([String: String].self, from: body))?["error"] ?? "HTTP \(response.status.code)"
            throw SandboxCommandError(message)
        }
        return try JSONDecoder().decode(PasswordChange.self, from: body)
    }
}
