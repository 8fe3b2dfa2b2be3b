import Foundation
import IPMDomain

extension ConsoleModel {
    /// The frame for the current state: header, banner line, the screen, message line, footer.
    public mutating func draw() -> ScreenGrid {
        var grid = ScreenGrid(size: size)
        guard size.rows >= 6, size.columns >= 30 else {
            grid.write("Enlarge the window (at least 30×6).", row: 0, column: 0)
            return grid
        }
        let right = displayName.isEmpty ? "" : "\(displayName) · \(unread) unread"
        Bars.status("IPM — \(title)", right: right, into: &grid, row: 0)
        if let banner { Bars.banner(banner, into: &grid, row: 1) }
        let body = Rect(row: 2, column: 0, columns: size.columns, rows: size.rows - 4)
        switch screen {
        case .starting: grid.write("Connecting…", row: body.row, column: 1)
        case .signIn: drawSignIn(into: &grid, body)
        case .companies: drawCompanies(into: &grid, body)
        case .company: drawCompany(into: &grid, body)
        case .optIn: drawOptIn(into: &grid, body)
        case .activity: activityTable.draw(into: &grid, body)
        case .notifications: notificationTable.draw(into: &grid, body)
        }
        if let field = filterField {
            field.draw(into: &grid, row: size.rows - 2, column: 1, width: size.columns - 2, focused: true)
        } else if let message {
            grid.write(message.text, row: size.rows - 2, column: 1, style: message.isError ? .color(.red, bold: true) : .color(.green, bold: true))
        }
        Bars.help(hints, into: &grid, row: size.rows - 1)
        dialog?.draw(into: &grid)
        if showingHelp { drawHelp(into: &grid) }
        return grid
    }

    var title: String {
        switch screen {
        case .starting: "Starting"
        case .signIn: "Sign in"
        case .companies: filter.isEmpty ? "Companies" : "Companies matching “\(filter)”"
        case .company: current?.company.name.value ?? "Company"
        case .optIn: "Opt in \(current?.company.name.value ?? "")"
        case .activity: "Activity of \(current?.company.name.value ?? "")"
        case .notifications: "Notifications"
        }
    }

    /// The keys that work on this screen, for the footer.
    var hints: [KeyHint] {
        if dialog != nil { return [KeyHint("←/→", "Choose"), KeyHint("Enter", "Confirm"), KeyHint("Esc", "Cancel")] }
        if showingHelp { return [KeyHint("any key", "Close help")] }
        switch screen {
        case .starting: return [KeyHint("q", "Quit")]
        case .signIn: return [KeyHint("Tab", "Next field"), KeyHint("Enter", "Sign in"), KeyHint("Esc", "Quit")]
        case .companies:
            if filterField != nil { return [KeyHint("Enter", "Keep filter"), KeyHint("Esc", "Clear filter")] }
            return [
                KeyHint("↑/↓", "Select"), KeyHint("Enter", "Open"), KeyHint("/", "Filter"), KeyHint("n", "Notifications"), KeyHint("?", "Help"),
                KeyHint("q", "Quit"),
            ]
        case .company:
            return [
                KeyHint("o", "Opt in"), KeyHint("x", "Opt out"), KeyHint("a", "Activity"), KeyHint("n", "Notifications"), KeyHint("Esc", "Back"),
                KeyHint("?", "Help"), KeyHint("q", "Quit"),
            ]
        case .optIn:
            guard let wait = optIn else { return [] }
            if wait.succeeded || wait.timedOut {
                return [KeyHint("Enter", "Back to the company")] + (wait.timedOut ? [KeyHint("o", "Try again")] : [])
            }
            if wait.pasteURL != nil { return [KeyHint("Enter", "Complete the opt-in"), KeyHint("Esc", "Stop")] }
            return [KeyHint("p", "Paste mode"), KeyHint("Esc", "Stop waiting"), KeyHint("q", "Quit")]
        case .activity: return [KeyHint("↑/↓", "Scroll"), KeyHint("PgDn", "Older"), KeyHint("Esc", "Back"), KeyHint("q", "Quit")]
        case .notifications: return [KeyHint("m", "Mark all read"), KeyHint("Esc", "Back"), KeyHint("?", "Help"), KeyHint("q", "Quit")]
        }
    }

    /// Every key of the TUI, for `?` (and the README).
    public static let allKeys: [KeyHint] = [
        KeyHint("↑ ↓ k j", "move the selection"), KeyHint("PgUp PgDn Home End", "move by a page / to the ends"),
        KeyHint("Enter", "open the company; confirm"), KeyHint("Esc ← Backspace", "back; cancel; stop waiting"),
        KeyHint("/", "filter companies by name (Enter keeps, Esc clears)"), KeyHint("o", "opt the company in (its page)"),
        KeyHint("p", "paste mode while an opt-in waits"), KeyHint("x", "opt the company out (asks first; default No)"),
        KeyHint("a", "the company's activity (PgDn loads older)"), KeyHint("n", "notifications"), KeyHint("m", "mark all notifications read"),
        KeyHint("r", "reload the companies now"), KeyHint("Tab", "next field (sign-in)"), KeyHint("?", "this help"),
        KeyHint("q Ctrl-C", "quit"),
    ]

    /// The spinner's frame now; a still mark where the screen must not change by itself.
    private var spinner: Character { animates ? Spinner.frame(tick) : "*" }

    private func drawHelp(into grid: inout ScreenGrid) {
        let width = min(64, grid.size.columns - 2)
        let height = min(grid.size.rows, Self.allKeys.count + 4)
        let box = Rect(row: max(0, (grid.size.rows - height) / 2), column: (grid.size.columns - width) / 2, columns: width, rows: height)
        Frame.draw(box, title: "Keys", into: &grid)
        for (index, hint) in Self.allKeys.prefix(height - 4).enumerated() {
            grid.write(hint.keys, row: box.row + 2 + index, column: box.column + 2, width: 19, style: .bold)
            grid.write(hint.action, row: box.row + 2 + index, column: box.column + 22, width: width - 24)
        }
    }

    private func drawSignIn(into grid: inout ScreenGrid, _ body: Rect) {
        grid.write("Sign in to Intelligent Pickup Manager", row: body.row, column: 2, style: .bold)
        let width = min(60, body.columns - 4)
        form.name.draw(into: &grid, row: body.row + 2, column: 2, width: width, labelWidth: 13, focused: !form.focusOnPassword)
        form.password.draw(into: &grid, row: body.row + 4, column: 2, width: width, labelWidth: 13, focused: form.focusOnPassword)
        if form.busy { grid.write("\(spinner) Signing in…", row: body.row + 6, column: 2) }
    }

    private mutating func drawCompanies(into grid: inout ScreenGrid, _ body: Rect) {
        if !companiesLoaded {
            grid.write("\(spinner) Loading companies…", row: body.row, column: 2)
            return
        }
        companyTable.draw(into: &grid, body)
    }

    private func drawCompany(into grid: inout ScreenGrid, _ body: Rect) {
        guard let overview = current else { return }
        let connection = overview.connection
        let width = body.columns - 4
        var row = body.row
        func line(_ label: String, _ value: String, _ style: TextStyle = .plain) {
            guard row < body.bottom else { return }
            grid.write(label, row: row, column: 2, width: 16, style: .bold)
            grid.write(value, row: row, column: 19, width: width - 17, style: style)
            row += 1
        }
        func paragraph(_ text: String, _ style: TextStyle = .plain) {
            for piece in text.wrapped(to: width - 17) where row < body.bottom {
                grid.write(piece, row: row, column: 19, style: style)
                row += 1
            }
        }
        grid.write(overview.company.name.value, row: row, column: 2, width: width, style: .bold)
        row += 2
        line("UPS OAuth", connection.status.title, .color(connection.status.tuiColor, bold: true))
        switch connection.status {
        case .authenticated: paragraph("This company has been authenticated using UPS OAuth")
        case .reauthorizationRequired: paragraph(connection.reauthorizationMessage ?? "An admin must opt in again.")
        case .blocked: paragraph(connection.blockedReason ?? "UPS blocks this merchant; IPM keeps the tokens and retries by itself.")
        case .optedOut: paragraph("This company opted out of UPS Online Tools (OAuth).")
        case .notConnected: paragraph("This company has not opted in to UPS Online Tools (OAuth).")
        }
        if let attempt = overview.optIn { paragraph(attempt.message, .color(.yellow)) }
        row += 1
        line("Your role", overview.role.rawValue)
        if connection.holdsTokens {
            line("Access token", connection.accessTokenExpiresAt.map { "until " + stamp($0, long: true) } ?? "-")
            line("Refresh token", connection.refreshTokenExpiresAt.map { "until " + stamp($0, long: true) } ?? "no expiry given by UPS")
            line("Last refresh", connection.lastRefreshedAt.map { stamp($0, long: true) } ?? "none since the opt-in")
            let failures = connection.refreshHealth.consecutiveFailures
            line("Refreshes", failures == 0 ? "ok" : "failing (\(failures) in a row)", failures == 0 ? .plain : .color(.red))
            if failures > 0, let error = connection.refreshHealth.lastError { paragraph(error) }
        }
        row += 1
        let canOptIn = AccessPolicy.allows(overview.role, .optIn)
        let canOptOut = AccessPolicy.allows(overview.role, .optOut)
        grid.write("Actions", row: row, column: 2, style: .bold)
        var column = 19
        let optInLabel = connection.status == .notConnected ? "o Opt in" : "o Opt in again"
        column +=
            grid.write(
                connection.holdsTokens && connection.status == .authenticated ? "o Opt in again" : optInLabel, row: row, column: column,
                style: canOptIn ? .plain : .dim) + 3
        column += grid.write("x Opt out", row: row, column: column, style: canOptOut && connection.holdsTokens ? .plain : .dim) + 3
        grid.write("a Activity", row: row, column: column)
        row += 1
        if !canOptIn {
            paragraph("Opt-in and opt-out are disabled: your role (\(overview.role.rawValue)) can only view this company.", .dim)
        }
    }

    private func drawOptIn(into grid: inout ScreenGrid, _ body: Rect) {
        guard let wait = optIn else { return }
        let name = current?.company.name.value ?? ""
        var row = body.row
        let width = body.columns - 2
        func text(_ value: String, _ style: TextStyle = .plain, column: Int = 1) {
            for piece in value.wrapped(to: width - column + 1) where row < body.bottom {
                grid.write(piece, row: row, column: column, style: style)
                row += 1
            }
        }
        if wait.succeeded {
            text("Success — Successfully Opted-In to UPS Online Tools (OAuth)", .color(.green, bold: true))
            row += 1
            text("\(name) is authenticated using UPS OAuth. Press Enter to go back to the company.")
            return
        }
        if wait.timedOut {
            text("The opt-in did not complete in time. Press o to try again, Enter to go back.", .color(.red, bold: true))
            return
        }
        if let pasteURL = wait.pasteURL {
            text("Paste mode: open this UPS address in any browser, sign in to UPS.com and agree:")
            row += 1
            text(pasteURL.absoluteString, .bold, column: 0)
            row += 1
            text(
                "UPS then sends the browser back to IPM. Copy the address of that page, paste it below and press Enter (before \(stamp(wait.deadline)))."
            )
            row += 1
            if row < body.bottom { wait.pasteField.draw(into: &grid, row: row, column: 1, width: width, focused: !wait.busy) }
            row += 2
            if wait.busy, row < body.bottom { grid.write("\(spinner) Completing the opt-in…", row: row, column: 1) }
            return
        }
        text(
            "To opt \(name) in to UPS Online Tools (OAuth), open this address in a browser. It asks you to sign in to IPM there, then goes on to UPS.com:"
        )
        row += 1
        // At column 0 and unindented, so a selection copies the address whole.
        text(wait.startURL.absoluteString, .bold, column: 0)
        row += 1
        let left = max(0, Int(wait.deadline.timeIntervalSince(now)))
        let countdown = animates ? "\(left / 60):\(String(format: "%02d", left % 60)) left" : "about \((left + 59) / 60) min left"
        let status = wait.busy ? "Starting paste mode…" : "Waiting for the opt-in to complete… \(countdown)"
        text("\(spinner) \(status)", .color(.yellow))
        row += 1
        text("No browser on this machine? Press p for paste mode. Esc stops waiting.", .dim)
    }
}
