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
