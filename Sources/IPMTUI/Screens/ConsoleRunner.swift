public import Foundation
import IPMDomain

/// Runs the TUI on a real terminal: feeds the model keys, resizes and the clock, performs its
/// effects against the console, draws each frame by difference. Every effect runs in a task
/// of its own and answers through the same stream, so a slow or lost database never stops
/// the keys or the screen.
public struct ConsoleRunner: Sendable {
    private let console: any TUIConsole

    public init(console: any TUIConsole) {
        self.console = console
    }

    /// Takes the terminal, runs until the admin quits or a signal ends it, restores the
    /// terminal. Returns the exit status.
    public func run(terminal: TerminalSession) async throws -> Int32 {
        try await terminal.run { events in
            let (inputs, continuation) = AsyncStream<Message>.makeStream(bufferingPolicy: .unbounded)
            let session = SessionBox()
            var model = ConsoleModel(size: terminal.size, now: Date())
            model.animates = terminal.capabilities.attributes
            var renderer = ScreenRenderer(capabilities: terminal.capabilities)
            let forward = Task {
                for await event in events { continuation.yield(.terminal(event)) }
            }
            let clock = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(250))
                    continuation.yield(.input(.tick(Date())))
                }
            }
            defer {
                forward.cancel()
                clock.cancel()
            }
            let console = console
            Task {
                do {
                    if let admin = try await console.resumeSession() {
                        await session.set(admin, ownsSession: false)
                        continuation.yield(.input(.signedIn(displayName: admin.admin.displayName, publicURL: admin.publicURL)))
                    } else {
                        continuation.yield(.input(.resumed(signedIn: false)))
                    }
                } catch {
                    continuation.yield(.input(.resumed(signedIn: false)))
                    continuation.yield(.input(.failed(Self.failure(error))))
                }
            }
            terminal.write(renderer.frame(model.draw()))
            var status: Int32 = 0
            loop: for await message in inputs {
                var effects: [ConsoleEffect] = []
                switch message {
                case .terminal(.key(let key)): effects = model.handle(.key(key))
                case .terminal(.resize(let size)):
                    model.resize(size)
                    renderer.invalidate()
                case .terminal(.terminate(let signal)):
                    status = 128 + signal
                    break loop
                case .input(let input): effects = model.handle(input)
                }
                if effects.contains(.quit) { break loop }
                for effect in effects { perform(effect, session: session, continuation: continuation) }
                terminal.write(renderer.frame(model.draw()))
            }
            continuation.finish()
            await session.end()
            return status
        }
    }

    private enum Message: Sendable {
        case terminal(TerminalEvent)
        case input(ConsoleInput)
    }

    /// The signed-in admin, shared by the effect tasks.
    private actor SessionBox {
        var admin: (any TUIAdmin)?
        var ownsSession = false
        /// Effects in flight, so a poll is not sent again while the last one still waits.
        var inFlight: Set<ConsoleEffect> = []

        func set(_ admin: any TUIAdmin, ownsSession: Bool) {
            self.admin = admin
            self.ownsSession = ownsSession
        }

        func begin(_ effect: ConsoleEffect) -> Bool { inFlight.insert(effect).inserted }
        func finish(_ effect: ConsoleEffect) { inFlight.remove(effect) }

        /// Signs out a session the TUI opened; one `ipm login` opened stays for the CLI.
        func end() async {
            if ownsSession, let admin { await admin.signOut() }
            admin = nil
        }
    }

    private func perform(_ effect: ConsoleEffect, session: SessionBox, continuation: AsyncStream<Message>.Continuation) {
        let console = console
        Task {
            guard await session.begin(effect) else { return }
            defer { Task { await session.finish(effect) } }
            do {
                if case .signIn(let name, let password) = effect {
                    let admin = try await console.signIn(name, password: Password(unchecked: password))
                    await session.set(admin, ownsSession: true)
                    continuation.yield(.input(.signedIn(displayName: admin.admin.displayName, publicURL: admin.publicURL)))
                    return
                }
                guard let admin = await session.admin else { return }
                let input: ConsoleInput
                switch effect {
                case .signIn, .quit: return
                case .loadCompanies: input = .companies(try await admin.companies())
                case .loadCompany(let id): input = .company(try await admin.company(id))
                case .loadActivity(let id, let before):
                    input = .activity(try await admin.activity(id, limit: ConsoleModel.activityPage, before: before), appending: before != nil)
                case .loadNotifications: input = .notifications(try await admin.notifications(limit: 100))
                case .markNotificationsRead: input = .markedRead(try await admin.markNotificationsRead())
                case .optOut(let id):
                    try await admin.optOut(id)
                    input = .optedOut(id)
                case .startPasteOptIn(let id):
                    let started = try await admin.startOptIn(id)
                    input = .pasteStarted(authorizationURL: started.authorizationURL, expiresAt: started.expiresAt)
                case .completeOptIn(let url):
                    try await admin.completeOptIn(redirectedURL: url)
                    input = .optInCompleted
                }
                continuation.yield(.input(input))
            } catch {
                continuation.yield(.input(.failed(Self.failure(error))))
            }
        }
    }

    private static func failure(_ error: any Error) -> TUIFailure {
        if let failure = error as? TUIFailure { return failure }
        return TUIFailure(.failed, String(describing: error))
    }
}
