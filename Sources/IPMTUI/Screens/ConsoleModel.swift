public import Foundation
public import IPMConsole
public import IPMDomain

/// What reaches the screens: a key, the clock, or the answer to an effect.
public enum ConsoleInput: Sendable {
    case key(Key)
    case tick(Date)
    case resumed(signedIn: Bool)
    case signedIn(displayName: String, publicURL: URL)
    case companies([CompanyOverview])
    case company(CompanyOverview)
    case activity(ActivityPage, appending: Bool)
    case notifications([NotificationEntry])
    case markedRead(Int)
    case optedOut(CompanyID)
    case pasteStarted(authorizationURL: URL, expiresAt: Date)
    case optInCompleted
    case failed(TUIFailure)
}

/// What the screens ask the runner to do; each answer comes back as a `ConsoleInput`.
public enum ConsoleEffect: Sendable, Hashable {
    case signIn(name: String, password: String)
    case loadCompanies
    case loadCompany(CompanyID)
    case loadActivity(CompanyID, before: AuditCursor?)
    case loadNotifications
    case markNotificationsRead
    case optOut(CompanyID)
    case startPasteOptIn(CompanyID)
    case completeOptIn(URL)
    case quit
}

/// The whole TUI as a value: screens, their state, and how keys move between them. The
/// runner feeds it inputs and performs its effects; tests feed it the same inputs and read
/// the frames as text.
public struct ConsoleModel: Sendable {
    enum Screen: Sendable, Equatable {
        case starting
        case signIn
        case companies
        case company(CompanyID)
        case optIn(CompanyID)
        case activity(CompanyID)
        case notifications
    }

    struct SignInForm: Sendable {
        var name = TextField(label: "Sign-in name", limit: 200)
        var password = TextField(label: "Password", isSecure: true, limit: 1024)
        var focusOnPassword = false
        var busy = false
    }

    /// An opt-in being waited for: IPM's start address, or in paste mode UPS's address and the field.
    struct OptInWait: Sendable {
        var company: CompanyID
        var startURL: URL
        var startedAt: Date
        var deadline: Date
        var before: Date?
        var pasteURL: URL?
        var pasteField = TextField(label: "Address")
        var busy = false
        var succeeded = false
        var timedOut = false
    }

    /// How long the TUI waits for a browser opt-in (as `ipm oauth opt-in`'s default).
    static let optInWait: TimeInterval = 600
    static let activityPage = 50

    var screen: Screen = .starting
    var size: TerminalSize
    var now: Date
    var calendar: Calendar
    var tick = 0
    /// Whether the screen may change by itself every tick (a turning spinner, a seconds
    /// countdown). Off on terminals without cursor addressing (`TERM=dumb`), where every change
    /// rewrites the whole frame: there it changes only when something happens, or a minute passes.
    public var animates = true

    var displayName = ""
    var publicURL: URL?
    var form = SignInForm()
    var companies: [CompanyOverview] = []
    var companiesLoaded = false
    var companyTable = TableView(columns: ConsoleModel.companyColumns)
    var filter = ""
    var filterField: TextField?
    var current: CompanyOverview?
    var optIn: OptInWait?
    var activity: [ActivityEntry] = []
    var activityNext: AuditCursor?
    var activityLoading = false
    var activityTable = TableView(columns: [
        TableColumn("WHEN", width: 16), TableColumn("ACTION", width: 22), TableColumn("BY", width: 16), TableColumn("DETAIL"),
    ])
    var notifications: [NotificationEntry] = []
    var notificationTable = TableView(columns: [TableColumn("WHEN", width: 11), TableColumn("COMPANY", width: 18), TableColumn("MESSAGE")])
    var unread = 0
    var dialog: Dialog?
    var showingHelp = false
    /// The last outcome, in the line above the footer.
    var message: (text: String, isError: Bool)?
    /// A lost database or server: a banner until a call succeeds again.
    var banner: String?
    var lastPoll = Date.distantPast

    public init(size: TerminalSize, now: Date, timeZone: TimeZone = .current) {
        self.size = size
        self.now = now
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        self.calendar = calendar
        companyTable.emptyText = "No companies yet."
        activityTable.emptyText = "No activity yet."
        notificationTable.emptyText = "No notifications."
    }

    static let companyColumns = [
        TableColumn("NAME", minimumWidth: 10), TableColumn("STATUS", width: 25, minimumWidth: 13), TableColumn("ROLE", width: 6, minimumWidth: 6),
        TableColumn("EXPIRES", width: 11, minimumWidth: 5), TableColumn("REFRESHED", width: 11, minimumWidth: 5),
        TableColumn("HEALTH", width: 7, minimumWidth: 4),
    ]

    public mutating func resize(_ size: TerminalSize) {
        self.size = size
    }

    // MARK: Inputs

    /// Applies `input`; returns what the runner should do next.
    public mutating func handle(_ input: ConsoleInput) -> [ConsoleEffect] {
        switch input {
        case .key(let key): return handle(key)
        case .tick(let date): return tick(date)
        case .resumed(let signedIn):
            if !signedIn { screen = .signIn }
            return []
        case .signedIn(let name, let url):
            displayName = name
            publicURL = url
            form = SignInForm()
            screen = .companies
            message = nil
            lastPoll = now
            return [.loadCompanies, .loadNotifications]
        case .companies(let list):
            banner = nil
            let selectedID = visibleCompanies.indices.contains(companyTable.selected) ? visibleCompanies[companyTable.selected].company.id : nil
            companies = list.sorted { $0.company.name.value.localizedCaseInsensitiveCompare($1.company.name.value) == .orderedAscending }
            companiesLoaded = true
            refreshCompanyTable(keeping: selectedID)
            return []
        case .company(let overview):
            banner = nil
            current = overview
            if let index = companies.firstIndex(where: { $0.company.id == overview.company.id }) {
                companies[index] = CompanyOverview(company: overview.company, role: overview.role, connection: overview.connection)
                refreshCompanyTable(keeping: overview.company.id)
            }
            if var wait = optIn, wait.company == overview.company.id, !wait.succeeded,
                overview.connection.status == .authenticated, overview.connection.authorizedAt != wait.before
            {
                wait.succeeded = true
                wait.busy = false
                optIn = wait
            }
            return []
        case .activity(let page, let appending):
            banner = nil
            activityLoading = false
            activity = appending ? activity + page.events : page.events
            activityNext = page.next
            activityTable.setRows(
                activity.map { event in
                    [TableCell(stamp(event.occurredAt, long: true)), TableCell(event.action.title), TableCell(event.actor), TableCell(event.detail)]
                })
            return []
        case .notifications(let list):
            banner = nil
            notifications = list
            unread = list.filter { !$0.isRead }.count
            notificationTable.setRows(
                list.map { entry in
                    [
                        TableCell(stamp(entry.occurredAt)), TableCell(entry.companyName),
                        TableCell(entry.message, style: entry.isRead ? .plain : .bold),
                    ]
                })
            return []
        case .markedRead(let count):
            message = (count == 0 ? "No unread notifications." : "Marked \(count) notification\(count == 1 ? "" : "s") read.", false)
            return [.loadNotifications]
        case .optedOut(let id):
            message = ("Successfully Opted-Out of UPS Online Tools (OAuth)", false)
            return [.loadCompany(id), .loadCompanies]
        case .pasteStarted(let url, let expiresAt):
            optIn?.pasteURL = url
            optIn?.deadline = expiresAt
            optIn?.busy = false
            return []
        case .optInCompleted:
            optIn?.succeeded = true
            optIn?.busy = false
            return optIn.map { [.loadCompany($0.company), .loadCompanies] } ?? []
        case .failed(let failure):
            form.busy = false
            optIn?.busy = false
            activityLoading = false
            switch failure.kind {
            case .connectionLost:
                banner = "\(failure.description) — retrying"
            case .notSignedIn:
                screen = .signIn
                dialog = nil
                message = (failure.description, true)
            case .failed:
                message = (failure.description, true)
            }
            return []
        }
    }

    /// The clock: the spinner turns, and the screens that show live state ask for it again.
    private mutating func tick(_ date: Date) -> [ConsoleEffect] {
        now = date
        tick += 1
        if var wait = optIn, case .optIn = screen, !wait.succeeded, !wait.timedOut, date >= wait.deadline {
            wait.timedOut = true
            optIn = wait
        }
        let interval: TimeInterval = {
            if case .optIn = screen { return 1 }
            return 2
        }()
        guard date.timeIntervalSince(lastPoll) >= interval else { return [] }
        lastPoll = date
        switch screen {
        case .companies: return [.loadCompanies, .loadNotifications]
        case .company(let id): return [.loadCompany(id), .loadNotifications]
        case .optIn(let id): return optIn?.succeeded == true ? [] : [.loadCompany(id)]
        case .notifications: return [.loadNotifications]
        case .activity, .signIn, .starting: return banner == nil ? [] : [.loadNotifications]
        }
    }

    // MARK: Keys

    private mutating func handle(_ key: Key) -> [ConsoleEffect] {
        if key == .control("c") { return [.quit] }
        if showingHelp {
            showingHelp = false
            return []
        }
        if var dialog {
            let outcome = dialog.handle(key)
            self.dialog = dialog
            guard let outcome else { return [] }
            self.dialog = nil
            if outcome == .chosen(0), let current {
                message = nil
                return [.optOut(current.company.id)]
            }
            message = ("Opt-out cancelled; nothing was changed.", false)
            return []
        }
        switch screen {
        case .starting: return key == .character("q") ? [.quit] : []
        case .signIn: return signInKey(key)
        case .companies: return companiesKey(key)
        case .company(let id): return companyKey(key, id)
        case .optIn(let id): return optInKey(key, id)
        case .activity(let id): return activityKey(key, id)
        case .notifications: return notificationsKey(key)
        }
    }

    private mutating func signInKey(_ key: Key) -> [ConsoleEffect] {
        guard !form.busy else { return [] }
        switch key {
        case .tab, .backTab, .up, .down:
            form.focusOnPassword.toggle()
        case .escape:
            return [.quit]
        case .enter:
            if !form.focusOnPassword {
                form.focusOnPassword = true
                return []
            }
            let name = form.name.value.trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty else {
                form.focusOnPassword = false
                message = ("Enter your sign-in name.", true)
                return []
            }
            form.busy = true
            message = nil
            let password = form.password.value
            form.password.clear()
            return [.signIn(name: name, password: password)]
        default:
            if form.focusOnPassword { _ = form.password.handle(key) } else { _ = form.name.handle(key) }
        }
        return []
    }

    private mutating func companiesKey(_ key: Key) -> [ConsoleEffect] {
        if var field = filterField {
            switch key {
            case .enter:
                filterField = nil
            case .escape:
                filterField = nil
                filter = ""
            default:
                _ = field.handle(key)
                filterField = field
                filter = field.value
            }
            refreshCompanyTable(keeping: nil)
            return []
        }
        if companyTable.handle(key) { return [] }
        switch key {
        case .character("q"): return [.quit]
        case .character("?"): showingHelp = true
        case .character("/"):
            filterField = TextField(label: "Filter", value: filter, limit: 100)
        case .escape where !filter.isEmpty:
            filter = ""
            refreshCompanyTable(keeping: nil)
        case .character("n"): return openNotifications()
        case .character("r"): return [.loadCompanies]
        case .enter:
            guard visibleCompanies.indices.contains(companyTable.selected) else { return [] }
            let overview = visibleCompanies[companyTable.selected]
            current = overview
            screen = .company(overview.company.id)
            message = nil
            return [.loadCompany(overview.company.id)]
        default: break
        }
        return []
    }

    private mutating func companyKey(_ key: Key, _ id: CompanyID) -> [ConsoleEffect] {
        switch key {
        case .character("q"): return [.quit]
        case .character("?"): showingHelp = true
        case .escape, .backspace, .left:
            screen = .companies
            message = nil
            return [.loadCompanies]
        case .character("o"):
            guard let current, allowed(.optIn, current) else { return [] }
            return beginOptIn(current)
        case .character("x"):
            guard let current, allowed(.optOut, current) else { return [] }
            guard current.connection.holdsTokens else {
                message = ("\(current.company.name.value) is not opted in; there is nothing to opt out of.", true)
                return []
            }
            dialog = Dialog(
                title: "Opt out", message: "Are you sure you want to opt out of UPS Online Tools (OAuth)?", buttons: ["Yes", "No"], default: 1
            )
        case .character("a"):
            screen = .activity(id)
            activity = []
            activityNext = nil
            activityLoading = true
            activityTable.setRows([])
            return [.loadActivity(id, before: nil)]
        case .character("n"): return openNotifications()
        default: break
        }
        return []
    }

    /// A viewer's key does nothing but say why.
    private mutating func allowed(_ action: CompanyAction, _ overview: CompanyOverview) -> Bool {
        guard AccessPolicy.allows(overview.role, action) else {
            message = ("Your role (\(overview.role.rawValue)) cannot \(action.rawValue); ask an admin of \(overview.company.name.value).", true)
            return false
        }
        return true
    }

    private mutating func beginOptIn(_ overview: CompanyOverview) -> [ConsoleEffect] {
        guard let publicURL else { return [] }
        optIn = OptInWait(
            company: overview.company.id, startURL: OptInLink.url(publicURL: publicURL, company: overview.company.id),
            startedAt: now, deadline: now.addingTimeInterval(Self.optInWait), before: overview.connection.authorizedAt
        )
        screen = .optIn(overview.company.id)
        message = nil
        lastPoll = now
        return []
    }

    private mutating func optInKey(_ key: Key, _ id: CompanyID) -> [ConsoleEffect] {
        guard var wait = optIn else { return [] }
        if wait.succeeded || wait.timedOut {
            switch key {
            case .character("o") where wait.timedOut:
                if let current { return beginOptIn(current) }
            case .character("q"): return [.quit]
            default:
                optIn = nil
                screen = .company(id)
                return [.loadCompany(id)]
            }
            return []
        }
        if wait.pasteURL != nil {
            switch key {
            case .escape:
                optIn = nil
                screen = .company(id)
                message = ("Stopped; nothing was changed.", false)
                return [.loadCompany(id)]
            case .enter:
                let text = wait.pasteField.value.trimmingCharacters(in: .whitespaces)
                guard let url = URL(string: text), url.query != nil else {
                    message = ("That is not the address UPS sent the browser back to (it has no ?code=…&state=…).", true)
                    return []
                }
                wait.busy = true
                optIn = wait
                message = nil
                return [.completeOptIn(url)]
            default:
                _ = wait.pasteField.handle(key)
                optIn = wait
                return []
            }
        }
        switch key {
        case .escape:
            optIn = nil
            screen = .company(id)
            message = ("Stopped waiting; an opt-in finished in the browser still counts.", false)
            return [.loadCompany(id)]
        case .character("p"):
            wait.busy = true
            optIn = wait
            return [.startPasteOptIn(id)]
        case .character("q"): return [.quit]
        default: return []
        }
    }

    private mutating func activityKey(_ key: Key, _ id: CompanyID) -> [ConsoleEffect] {
        switch key {
        case .character("q"): return [.quit]
        case .character("?"): showingHelp = true
        case .escape, .backspace, .left:
            screen = .company(id)
            return [.loadCompany(id)]
        default:
            let atEnd = !activity.isEmpty && activityTable.selected >= activity.count - 1
            _ = activityTable.handle(key)
            // PgDn (or Down) past the last loaded line fetches the next, older page.
            if (key == .pageDown || key == .down || key == .end) && (atEnd || activityTable.selected >= activity.count - 1),
                let next = activityNext, !activityLoading
            {
                activityLoading = true
                return [.loadActivity(id, before: next)]
            }
        }
        return []
    }

    private mutating func openNotifications() -> [ConsoleEffect] {
        screen = .notifications
        message = nil
        return [.loadNotifications]
    }

    private mutating func notificationsKey(_ key: Key) -> [ConsoleEffect] {
        if notificationTable.handle(key) { return [] }
        switch key {
        case .character("q"): return [.quit]
        case .character("?"): showingHelp = true
        case .character("m"): return [.markNotificationsRead]
        case .escape, .backspace, .left:
            screen = .companies
            message = nil
            return [.loadCompanies]
        default: break
        }
        return []
    }

    // MARK: Helpers

    var visibleCompanies: [CompanyOverview] {
        guard !filter.isEmpty else { return companies }
        return companies.filter { $0.company.name.value.localizedCaseInsensitiveContains(filter) }
    }

    private mutating func refreshCompanyTable(keeping id: CompanyID?) {
        let visible = visibleCompanies
        companyTable.setRows(
            visible.map(companyRow),
            keepingSelectionOn: { previous in
                guard let id else { return nil }
                return visible.firstIndex { $0.company.id == id } ?? previous
            })
    }

    private func companyRow(_ overview: CompanyOverview) -> [TableCell] {
        let connection = overview.connection
        let holds = connection.holdsTokens
        return [
            TableCell(overview.company.name.value),
            TableCell(connection.status.title, style: .color(connection.status.tuiColor, bold: connection.status == .reauthorizationRequired)),
            TableCell(overview.role.rawValue),
            TableCell(holds ? connection.accessTokenExpiresAt.map { stamp($0) } ?? "-" : "-"),
            TableCell(holds ? connection.lastRefreshedAt.map { stamp($0) } ?? "-" : "-"),
            TableCell(connection.healthWord, style: connection.healthWord == "ok" || connection.healthWord == "-" ? .plain : .color(.red)),
        ]
    }

    /// "21:30" today, "12-03 21:30" on another day; `long` always with the date.
    func stamp(_ date: Date, long: Bool = false) -> String {
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        let time = String(format: "%02d:%02d", parts.hour ?? 0, parts.minute ?? 0)
        let day = String(format: "%02d-%02d", parts.month ?? 0, parts.day ?? 0)
        if long { return String(format: "%04d-", parts.year ?? 0) + day + " " + time }
        return calendar.isDate(date, inSameDayAs: now) ? time : day + " " + time
    }
}

extension ConnectionStatus {
    var tuiColor: TextStyle.Color {
        switch self {
        case .authenticated: .green
        case .reauthorizationRequired, .blocked: .red
        case .optedOut: .yellow
        case .notConnected: .blue
        }
    }
}

extension UPSConnection {
    /// Whether refreshes are going well, for a company that holds tokens.
    var healthWord: String {
        switch status {
        case .blocked: "blocked"
        case .authenticated: refreshHealth.consecutiveFailures > 0 ? "failing" : "ok"
        case .notConnected, .optedOut, .reauthorizationRequired: "-"
        }
    }
}
