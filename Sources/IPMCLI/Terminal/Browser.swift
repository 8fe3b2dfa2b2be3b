import Foundation

/// Opens an address in the person's browser when there is one: `$BROWSER` (the usual
/// convention, first entry of a `:` list), else `xdg-open` on a desktop (`DISPLAY` or
/// `WAYLAND_DISPLAY`), `open` on macOS. It does not wait: some browsers run until closed.
enum Browser {
    /// Whether a browser was asked to open `url`.
    @discardableResult
    static func open(_ url: URL, environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        guard let program = command(environment) else { return false }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = [url.absoluteString]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
            return true
        } catch {
            return false
        }
    }

    /// Whether two URLs share scheme, host and port (the scheme's default port when none is written).
    static func sameOrigin(_ a: URL, _ b: URL) -> Bool {
        guard let aScheme = a.scheme?.lowercased(), let bScheme = b.scheme?.lowercased(), ["http", "https"].contains(aScheme) else { return false }
        return aScheme == bScheme && a.host?.lowercased() == b.host?.lowercased() && a.host != nil && port(a) == port(b)
    }

    /// `https://host:port`, for messages.
    static func origin(_ url: URL) -> String {
        "\(url.scheme?.lowercased() ?? "?")://\(url.host ?? "?"):\(port(url).map(String.init) ?? "?")"
    }

    private static func port(_ url: URL) -> Int? {
        url.port ?? (url.scheme?.lowercased() == "https" ? 443 : url.scheme?.lowercased() == "http" ? 80 : nil)
    }

    static func command(_ environment: [String: String]) -> String? {
        if let browser = environment["BROWSER"]?.split(separator: ":").first.map(String.init), !browser.isEmpty {
            return executable(browser, environment)
        }
        #if os(macOS)
        return "/usr/bin/open"
        #else
        guard !(environment["DISPLAY"] ?? "").isEmpty || !(environment["WAYLAND_DISPLAY"] ?? "").isEmpty else { return nil }
        return executable("xdg-open", environment)
        #endif
    }

    private static func executable(_ name: String, _ environment: [String: String]) -> String? {
        if name.contains("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
        for directory in (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }
}
