/// The UPS.com sign-in pages the sandbox imitates (seed: "Log In", "Email or Username",
/// the agreement, "Continue"; then "Welcome back, Username", "Password", "Login"), as plain
/// accessible HTML: every input has a `<label for>`, errors are announced with `role="alert"`.
/// Everything echoed goes through `HTMLText`.
enum SignInPages {
    /// Page 1: email or username, and the agreement naming the app.
    static func account(_ request: AuthorizationRequest, username: String = "", error: String? = nil) -> String {
        let hidden = request.parameters.compactMap { name, value in value.map { hiddenField(name, $0) } }.joined(separator: "\n")
        let describedBy = error == nil ? "" : #" aria-describedby="error" aria-invalid="true""#
        return layout(
            title: "Log in", heading: "Log in", error: error,
            form: """
                <form method="post" action="\(SignInRoutes.path)">
                \(hidden)
                <label for="username">Email or Username</label>
                <input id="username" name="username" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required value="\(HTMLText(username))"\(describedBy)>
                <div class="agreement">
                <input id="agreement" name="agreement" type="checkbox" value="accepted">
                <label for="agreement">By continuing, I agree to the UPS Technology Agreement and authorize \(HTMLText(request.client.appName)) to access data associated with my UPS.com username listed above, including UPS shipping account numbers, contact information, rates, and package tracking status.</label>
                </div>
                <div class="actions">
                <button type="submit" name="action" value="continue">Continue</button>
                <button type="submit" name="action" value="cancel" class="secondary" formnovalidate>Cancel</button>
                </div>
                </form>
                """)
    }

    /// Page 2: the password of the user page 1 found.
    static func password(signInID: String, displayName: String, error: String? = nil) -> String {
        let describedBy = error == nil ? "" : #" aria-describedby="error" aria-invalid="true""#
        return layout(
            title: "Password", heading: "Welcome back, \(HTMLText(displayName))", error: error,
            form: """
                <form method="post" action="\(SignInRoutes.passwordPath)">
                \(hiddenField("signin", signInID))
                <label for="password">Password</label>
                <input id="password" name="password" type="password" autocomplete="current-password" required\(describedBy)>
                <div class="actions">
                <button type="submit" name="action" value="login">Login</button>
                <button type="submit" name="action" value="cancel" class="secondary" formnovalidate>Cancel</button>
                </div>
                </form>
                """)
    }

    /// A request the pages cannot go on with; there is nowhere safe to send the browser back to.
    static func problem(_ message: String) -> String {
        layout(
            title: "Sign-in problem", heading: "We can't continue", error: message,
            form: """
                <p>Go back to the application and start again.</p>
                """)
    }

    private static func hiddenField(_ name: String, _ value: String) -> String {
        #"<input type="hidden" name="\#(HTMLText(name))" value="\#(HTMLText(value))">"#
    }

    private static func layout(title: String, heading: String, error: String?, form: String) -> String {
        let alert = error.map { #"<p class="error" id="error" role="alert">\#(HTMLText($0))</p>"# } ?? ""
        return """
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(HTMLText(title)) | UPS sandbox</title>
            <link rel="stylesheet" href="\(SignInRoutes.stylesheetPath)">
            </head>
            <body>
            <header><span class="brand">UPS</span> <span class="sandbox">Sandbox: a local stand-in for UPS.com, for tests and demos</span></header>
            <main>
            <h1>\(heading)</h1>
            \(alert)
            \(form)
            </main>
            </body>
            </html>
            """
    }
}
