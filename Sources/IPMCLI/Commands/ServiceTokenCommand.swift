import ArgumentParser
import Foundation
import IPMDomain

struct ServiceTokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "service-token",
        abstract: "Credentials for the deployment's other services: the token API and the UPS proxy (operator command).",
        discussion: """
            A service sends its token as `Authorization: Bearer ipm_svc_…` to \
            GET /api/v1/companies/{id}/ups/access-token (scope access-token) or \
            /api/v1/companies/{id}/ups/proxy/… (scope proxy). The token is printed once, at creation; \
            IPM keeps only its digest.
            """,
        subcommands: [Create.self, List.self, Revoke.self]
    )

    struct Create: OperatorCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a service credential and print its token (once).")

        @Argument(help: "A name for people reading lists (letters, digits, '-', '_', '.').")
        var name: String
        @Option(name: .long, help: "access-token or proxy; repeat for both.")
        var scope: [String] = []

        func validate() throws {
            if scope.isEmpty { throw ValidationError("give at least one --scope (access-token or proxy)") }
        }

        func run(in context: any OperatorContext) async throws {
            let scopes = Set(try scope.map { try ServiceScope(parsing: $0) })
            let (credential, token) = try await context.serviceCredentials.create(name: name, scopes: scopes, by: "operator")
            print(token.value)
            writeToStandardError(
                "Created service credential \(credential.name) (\(credential.scopes.sorted().map(\.rawValue).joined(separator: ", "))). The token above is shown only now.\n"
            )
        }
    }

    struct List: OperatorCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List service credentials (never their tokens).")

        @Flag(help: "Print JSON instead of a table.")
        var json = false

        func run(in context: any OperatorContext) async throws {
            let credentials = try await context.serviceCredentials.list()
            if json {
                print(try JSONOutput.render(credentials.map(ServiceCredentialJSON.init)))
                return
            }
            var table = Table("NAME", "SCOPES", "CREATED", "LAST USED", "STATE")
            for credential in credentials {
                table.append(
                    credential.name, credential.scopes.sorted().map(\.rawValue).joined(separator: ","), credential.createdAt.iso8601,
                    credential.lastUsedAt?.iso8601 ?? "never", credential.isRevoked ? "revoked" : "active"
                )
            }
            print(table.render())
        }
    }

    struct Revoke: OperatorCommand {
        static let configuration = CommandConfiguration(
            commandName: "revoke",
            abstract: "Revoke a service credential.",
            discussion: """
                Servers stop accepting its token within IPM_SERVICE_TOKEN_CACHE seconds (5 by default): \
                each remembers a live token that long before asking the database again.
                """
        )

        @Argument(help: "The credential's name.")
        var name: String

        func run(in context: any OperatorContext) async throws {
            let credential = try await context.serviceCredentials.revoke(name: name)
            print(
                "Revoked service credential \(credential.name). Servers stop accepting its token within IPM_SERVICE_TOKEN_CACHE seconds (5 by default)."
            )
        }
    }
}

struct ServiceCredentialJSON: Encodable {
    let id: String
    let name: String
    let scopes: [String]
    let createdAt: Date
    let lastUsedAt: Date?
    let revokedAt: Date?

    init(_ credential: ServiceCredential) {
        id = credential.id.description
        name = credential.name
        scopes = credential.scopes.sorted().map(\.rawValue)
        createdAt = credential.createdAt
        lastUsedAt = credential.lastUsedAt
        revokedAt = credential.revokedAt
    }
}
