import ArgumentParser
import Foundation
import IPMAPIModels
import IPMDomain

struct WebhooksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhooks",
        abstract: "The webhook delivery log, every company's (operator command: direct database access).",
        discussion: """
            Each state change of a company's UPS connection is POSTed to IPM_WEBHOOK_URL, signed, until \
            the receiver answers 2xx; failures are retried with backoff for IPM_WEBHOOK_GIVE_UP_AFTER \
            seconds (3 days by default), then the delivery is dead. A company's admins see its \
            deliveries in the JSON API (GET /api/v1/companies/{id}/webhooks).
            """,
        subcommands: [List.self, Redeliver.self]
    )

    struct List: OperatorCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List webhook deliveries, newest first: event, attempts, last status or error, next attempt, delivered or dead.")

        @Flag(help: "Only deliveries whose last attempt failed, and dead ones.")
        var failed = false
        @Option(help: "At most this many (1–500).")
        var limit = 50
        @Flag(help: "Print JSON instead of a table.")
        var json = false

        func validate() throws {
            if !(1...500).contains(limit) { throw ValidationError("--limit must be from 1 to 500") }
        }

        func run(in context: any OperatorContext) async throws {
            let deliveries = try await context.webhookDeliveries.all(failedOnly: failed, limit: limit)
            if json {
                print(try JSONOutput.render(deliveries.map { WebhookDeliveryJSON($0) }))
                return
            }
            if deliveries.isEmpty {
                print(failed ? "No webhook delivery has failed." : "No webhook deliveries.")
                return
            }
            var table = Table("ID", "COMPANY", "EVENT", "STATE", "ATTEMPTS", "LAST", "NEXT ATTEMPT")
            for delivery in deliveries {
                table.append(
                    delivery.id.description, delivery.company.name.value, delivery.eventType, delivery.state.rawValue, "\(delivery.attempts)",
                    Self.last(delivery), delivery.nextAttemptAt?.iso8601 ?? "-"
                )
            }
            print(table.render())
        }

        /// What the receiver last said: the status, the error, or when it was delivered.
        static func last(_ delivery: WebhookDelivery) -> String {
            switch (delivery.lastStatus, delivery.lastError) {
            case (_, let error?): error
            case (let status?, nil): "HTTP \(status)"
            case (nil, nil): "-"
            }
        }
    }

    struct Redeliver: OperatorCommand {
        static let configuration = CommandConfiguration(
            commandName: "redeliver",
            abstract: "Send a delivery again: a dead or failing one at once, a delivered one once more.",
            discussion: """
                The next pass of any ipm-server's deliverer sends it (within 5 seconds); its give-up \
                period starts again. Receivers drop duplicates by X-IPM-Event-Id. Recorded in the \
                company's activity as the operator's.
                """
        )

        @Argument(help: "The delivery's ID (its event id, from `ipm webhooks list`).")
        var id: String

        func run(in context: any OperatorContext) async throws {
            guard let eventID = AuditEventID(id) else { throw CLIError("'\(id.printable)' is not a delivery ID (a UUID from `ipm webhooks list`)") }
            let delivery = try await context.webhookDeliveries.redeliver(eventID, byOperator: context.operatorName)
            print("Webhook event \(delivery.eventType) of \(delivery.company.name.value) will be sent again by the next delivery pass.")
        }
    }
}
