import ArgumentParser
import Foundation
import IPMAPIModels
import IPMConsole
import IPMDomain

struct OAuthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "oauth",
        abstract: "A company's UPS Online Tools (OAuth) opt-in: status, opt-in, opt-out.",
        discussion: "A company is named by its name (case-insensitive) or its id.",
        subcommands: [Status.self, OptIn.self, OptOut.self]
    )

    struct Status: SignedInCommand {
        static let configuration = CommandConfiguration(commandName: "status", abstract: "Show a company's UPS OAuth status.")

        @Argument(help: "The company's name or id.")
        var company: String
        @Flag(help: "Print JSON instead of text.")
        var json = false
        @OptionGroup var options: ConnectionOptions

        func run(as admin: any SignedInAdmin, in context: any AdminConsole) async throws {
            let overview = try await admin.company(try CompanyReference(company), for: .view)
            if json {
                print(try JSONOutput.render(CompanyJSON(overview, publicURL: admin.publicURL)))
                return
            }
            let style = TerminalStyle.standardOutput()
            let connection = overview.connection
            var table = Table("COMPANY", overview.company.name.value)
            table.append(cells: [.init("Status"), .init(connection.status.title, connection.status.color)])
            table.appendWrapped(
                "", connection.blockedReason ?? connection.reauthorizationMessage ?? connection.status.explanation(for: overview.role))
            if let optIn = overview.optIn {
                table.append(cells: [.init("Opt-in"), .init(optIn.message, optIn.state == .expired ? .yellow : nil)])
            }
            if connection.holdsTokens {
                if let authorizedAt = connection.authorizedAt { table.append("Authorized at", authorizedAt.iso8601) }
                if let blockedAt = connection.blockedAt { table.append("Blocked since", blockedAt.iso8601) }
                table.append(cells: [.init("Health"), .init(connection.healthWord, connection.healthColor)])
                table.append("Last refresh", connection.lastRefreshedAt?.iso8601 ?? "none since the opt-in")
                table.append("Failures in a row", "\(connection.refreshHealth.consecutiveFailures)")
                if let error = connection.refreshHealth.lastError, error != connection.blockedReason { table.appendWrapped("Last error", error) }
                if let next = connection.refreshHealth.nextAttemptAt { table.append("Next attempt", next.iso8601) }
                if let expiry = connection.accessTokenExpiresAt { table.append("Access token until", expiry.iso8601) }
                if let expiry = connection.refreshTokenExpiresAt { table.append("Refresh token until", expiry.iso8601) }
            }
            table.append("Your role", overview.role.rawValue)
            print(table.render(style))
            if connection.status == .reauthorizationRequired, AccessPolicy.allows(overview.role, .optIn) {
                print(OptIn.againLine(overview, publicURL: admin.publicURL).wrapped().joined(separator: "\n"))
            }
        }
    }

    struct OptIn: SignedInCommand {
        static let configuration = CommandConfiguration(
            commandName: "opt-in",
            abstract: "Opt a company in to UPS Online Tools (OAuth).",
            discussion: """
                Prints IPM's own start address and opens it in a browser when one is available \
                ($BROWSER, or xdg-open on a desktop): there you sign in to IPM, then to UPS.com, \
                and agree. Meanwhile this command waits until the company is authenticated, or \
                until --timeout (exit 75). With --paste, the CLI starts the opt-in itself and \
                prints the UPS address; after signing in at UPS, paste the address of the page \
                the browser lands on, and the CLI completes the opt-in.
                """
        )

        @Argument(help: "The company's name or id.")
        var company: String
        @Flag(help: "Paste the address UPS redirects to instead of waiting for the browser to finish.")
        var paste = false
        @Flag(help: "Do not open a browser; only print the address.")
        var noBrowser = false
        @Option(help: ArgumentHelp("How long to wait for the opt-in: seconds, or with s, m or h.", valueName: "duration"))
        var timeout = WaitTime(seconds: 600)
        @OptionGroup var options: ConnectionOptions

        func run(as admin: any SignedInAdmin, in context: any AdminConsole) async throws {
            let reference = try CompanyReference(company)
            // The rules first: a viewer or a stranger learns nothing more, whatever is configured.
            let overview = try await admin.company(reference, for: .optIn)
            if paste {
                try await pasteRedirect(admin, reference)
            } else {
                try await waitForBrowser(admin, reference, overview, publicURL: admin.publicURL)
            }
            print("Success — Successfully Opted-In to UPS Online Tools (OAuth)")
        }

        private func pasteRedirect(_ admin: any SignedInAdmin, _ reference: CompanyReference) async throws {
            let start = try await admin.startOptIn(reference)
            print("Open this address in a browser, sign in to UPS.com and agree, to opt in \(start.companyName):".terminalSafe)
            print(start.authorizationURL.absoluteString.terminalSafe)
            if !noBrowser { openInBrowser(start.authorizationURL, admin) }
            print("UPS then sends the browser back to IPM; copy the address of that page and paste it here (before \(start.expiresAt.iso8601)).")
            guard let answer = try await LineReader.ask("Address: ", what: "the pasted address")?.trimmingCharacters(in: .whitespacesAndNewlines),
                !answer.isEmpty
            else {
                throw CLIError("no address pasted; nothing was changed")
            }
            guard let url = URL(string: answer), url.query != nil else {
                throw CLIError("that is not the address UPS sent the browser back to (it has no ?code=…&state=…); nothing was changed")
            }
            try await admin.completeOptIn(redirectedURL: url)
        }

        private func waitForBrowser(
            _ admin: any SignedInAdmin, _ reference: CompanyReference, _ overview: CompanyOverview, publicURL: URL
        ) async throws {
            let url = Self.startURL(publicURL: publicURL, company: overview.company.id)
            if overview.connection.status == .reauthorizationRequired, let reason = overview.connection.reauthorizationMessage {
                print("Re-authorization required: \(reason)".terminalSafe)
            }
            print("Open this address in a browser to opt in \(overview.company.name) to UPS Online Tools (OAuth):".terminalSafe)
            print(url.absoluteString.terminalSafe)
            let opened = !noBrowser && openInBrowser(url, admin)
            print("\(opened ? "A browser was opened. " : "")Waiting up to \(timeout) for the opt-in to complete…")
            flushStandardOutput()
            let deadline = ContinuousClock.now + .seconds(timeout.seconds)
            // Ctrl-C is caught before the spinner hides the cursor, so it is always shown again.
            try await Interrupt.stopping(
                { [timeout] in
                    let spinner = Spinner {
                        let left = max(0, Int((deadline - ContinuousClock.now).components.seconds))
                        return
                            "Waiting for the opt-in in the browser (\(left / 60):\(String(format: "%02d", left % 60)) left of \(timeout); Ctrl-C stops waiting)"
                    }
                    do {
                        try await Self.waitUntilAuthenticated(admin, reference, after: overview, deadline: deadline)
                    } catch {
                        await spinner.stop()
                        throw error
                    }
                    await spinner.stop()
                }, interrupted: Self.interrupted)
        }

        static let interrupted = CLIError(
            "stopped waiting (Ctrl-C); an opt-in finished in the browser still counts: see `ipm oauth status`", exitCode: ExitStatus.interrupted
        )

        /// Polls the shared state; the session is read again each time, so a disabled admin stops at once.
        /// An opt-in started in the browser meanwhile is reported, and waited for until it
        /// expires even past `deadline`: one that never comes back from UPS (an error page
        /// there) ends the wait with the reason, not with a bare timeout.
        private static func waitUntilAuthenticated(
            _ admin: any SignedInAdmin, _ reference: CompanyReference, after before: CompanyOverview, deadline: ContinuousClock.Instant
        ) async throws {
            var admin = admin
            var deadline = deadline
            var seen: OptInAttempt?
            var cameBack = false
            while ContinuousClock.now < deadline {
                try await Task.sleep(for: min(.seconds(1), deadline - ContinuousClock.now))
                guard let current = try await admin.reload() else { throw CLIError.notSignedIn }
                admin = current
                let overview = try await admin.company(reference, for: .view)
                let connection = overview.connection
                if connection.status == .authenticated, let at = connection.authorizedAt, at != before.connection.authorizedAt {
                    return
                }
                guard let attempt = overview.optIn, attempt.startedAt != before.optIn?.startedAt else {
                    // The browser's opt-in came back: give its code exchange a little time.
                    if seen != nil, !cameBack {
                        cameBack = true
                        deadline = min(deadline, ContinuousClock.now + .seconds(30))
                    }
                    continue
                }
                if attempt.state == .expired { throw CLIError(attempt.message, exitCode: ExitStatus.timedOut) }
                if seen?.startedAt != attempt.startedAt {
                    note(
                        "The opt-in was started in the browser by \(attempt.startedBy); it must finish at UPS by \(OptInAttempt.display(attempt.expiresAt))."
                    )
                }
                seen = attempt
                cameBack = false
                // Until the server calls it expired (its clock), and never more than one lifetime longer.
                let left = min(attempt.expiresAt.timeIntervalSinceNow, AuthorizationRequest.lifetime) + 3
                deadline = max(deadline, ContinuousClock.now + .milliseconds(Int(max(0, left) * 1000)))
            }
            if cameBack {
                throw CLIError(
                    "the opt-in came back from UPS without completing (the browser shows why); run `ipm oauth opt-in` again",
                    exitCode: ExitStatus.timedOut)
            }
            if let seen {
                throw CLIError("stopped waiting: \(seen.message) See `ipm oauth status`.", exitCode: ExitStatus.timedOut)
            }
            throw CLIError("the opt-in did not complete in time; run `ipm oauth opt-in` again", exitCode: ExitStatus.timedOut)
        }

        /// Opens `url` only when it belongs to a place this ipm was configured to trust
        /// (`--server`, or on the database IPM_PUBLIC_URL and IPM_UPS_BASE_URL): an address a
        /// server made up is printed, never opened.
        @discardableResult
        private func openInBrowser(_ url: URL, _ admin: any SignedInAdmin) -> Bool {
            guard admin.browserOrigins.contains(where: { Browser.sameOrigin(url, $0) }) else {
                writeToStandardError(
                    "ipm: not opening a browser: that address is not on \(admin.browserOrigins.map { Browser.origin($0) }.joined(separator: " or ")); open it yourself if you trust it\n"
                        .terminalSafe)
                return false
            }
            return Browser.open(url)
        }

        /// A line on standard output while the spinner may be drawing on the same terminal.
        private static func note(_ line: String) {
            if LineReader.standardErrorIsTerminal { writeToStandardError("\r\u{1B}[K") }
            print(line)
        }

        /// IPM's start page: it signs the admin in to IPM in that browser, binds the opt-in
        /// to that browser session, then goes on to UPS (DESIGN.md).
        static func startURL(publicURL: URL, company: CompanyID) -> URL {
            OptInLink.url(publicURL: publicURL, company: company)
        }

        /// The one step back for a company whose opt-in stopped working.
        static func againLine(_ overview: CompanyOverview, publicURL: URL) -> String {
            "Opt in again: ipm oauth opt-in \(overview.company.name.value.shellQuoted) or open \(startURL(publicURL: publicURL, company: overview.company.id).absoluteString)"
        }
    }

    struct OptOut: SignedInCommand {
        static let configuration = CommandConfiguration(
            commandName: "opt-out",
            abstract: "Opt a company out of UPS Online Tools (OAuth): its UPS tokens are destroyed."
        )

        @Argument(help: "The company's name or id.")
        var company: String
        @Flag(name: [.long, .customShort("y")], help: "Do not ask for confirmation.")
        var yes = false
        @OptionGroup var options: ConnectionOptions

        func run(as admin: any SignedInAdmin, in context: any AdminConsole) async throws {
            let reference = try CompanyReference(company)
            // The rules are checked before asking: a viewer or a stranger is never asked.
            let overview = try await admin.company(reference, for: .optOut)
            if !yes {
                guard LineReader.standardInputIsTerminal else {
                    throw CLIError("no terminal to confirm the opt-out on; use --yes")
                }
                writeToStandardError("Company: \(overview.company.name) — \(overview.connection.status.title)\n")
                guard try await LineReader.confirm("Are you sure you want to opt out of UPS Online Tools (OAuth)?") else {
                    throw CLIError("opt-out cancelled; nothing was changed")
                }
            }
            _ = try await admin.optOut(reference)
            print("Successfully Opted-Out of UPS Online Tools (OAuth)")
        }
    }
}

extension ConnectionStatus {
    /// The sentence under the status, as the web's API panel shows it.
    func explanation(for role: Role) -> String {
        let action = role == .admin
        switch self {
        case .authenticated: return "This company has been authenticated using UPS OAuth"
        case .notConnected: return "This company has not opted in to UPS Online Tools (OAuth)" + (action ? "; run `ipm oauth opt-in`" : "")
        case .optedOut: return "This company opted out of UPS Online Tools (OAuth)" + (action ? "; run `ipm oauth opt-in` to opt in again" : "")
        case .reauthorizationRequired: return "An admin must opt in again" + (action ? ": run `ipm oauth opt-in`" : "")
        case .blocked: return "UPS blocks this merchant; IPM keeps the tokens and retries by itself"
        }
    }
}

/// `--timeout`: `90`, `90s`, `10m`, `1h`.
struct WaitTime: ExpressibleByArgument, Sendable, CustomStringConvertible {
    let seconds: Int

    init(seconds: Int) { self.seconds = seconds }

    init?(argument: String) {
        let text = argument.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(String, Int)] = [("h", 3600), ("m", 60), ("s", 1)]
        let (number, unit) = units.first { text.hasSuffix($0.0) }.map { (String(text.dropLast()), $0.1) } ?? (text, 1)
        guard let value = Int(number), value > 0, value <= 86_400 / unit else { return nil }
        seconds = value * unit
    }

    var description: String {
        if seconds % 3600 == 0 { return "\(seconds / 3600) hour\(seconds == 3600 ? "" : "s")" }
        if seconds % 60 == 0 { return "\(seconds / 60) minute\(seconds == 60 ? "" : "s")" }
        return "\(seconds) second\(seconds == 1 ? "" : "s")"
    }

    var defaultValueDescription: String { description }
}
