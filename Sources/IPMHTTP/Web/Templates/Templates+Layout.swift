/// The templates are Swift strings, so they are embedded in the binary and cannot go
/// missing at run time. `{{x}}` is HTML-escaped by swift-mustache; `{{{body}}}` inserts a
/// page that was already rendered (and escaped) by its own template.
enum Templates {
    static let layout = #"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} | UPS Customer Solutions</title>
        <link rel="stylesheet" href="/static/ipm.css">
        <script src="/static/ipm.js" defer></script>
        </head>
        <body>
        <a class="skip" href="#main">Skip to content</a>
        <header class="top">
        <a class="brand" href="/settings">UPS Customer Solutions</a>
        {{#admin}}
        <nav aria-label="Main">
        <details class="menu">
        <summary>Manage</summary>
        <ul>
        <li><a href="/settings">Settings</a></li>
        <li><a href="/settings/api-tokens">API tokens</a></li>
        </ul>
        </details>
        <a href="/notifications" class="notifications">Notifications{{#unread}} <span class="badge" aria-label="{{unread}} unread">{{unread}}</span>{{/unread}}</a>
        <span class="who">{{displayName}}</span>
        <form method="post" action="/sign-out" class="inline">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <button type="submit" class="link">Sign out</button>
        </form>
        </nav>
        {{/admin}}
        </header>
        <main id="main">
        {{{body}}}
        </main>
        <footer>Intelligent Pickup Manager</footer>
        </body>
        </html>
        """#

    static let apiTokens = #"""
        <nav class="crumbs" aria-label="Breadcrumb"><a href="/settings">Settings</a> › API tokens</nav>
        <h1>API tokens</h1>
        <p class="lead">Personal tokens let programs use the JSON API (<a href="/openapi.json">/openapi.json</a>) as you: send <code>Authorization: Bearer TOKEN</code>.</p>
        {{#created}}
        <div class="notice" role="status">
        <p>Token <strong>{{name}}</strong> created; it works until {{expires}} (UTC). Copy it now: it will not be shown again.</p>
        <label for="new-token">New API token</label>
        <input id="new-token" type="text" readonly value="{{secret}}">
        </div>
        {{/created}}
        {{#error}}<p class="error" role="alert" id="error">{{error}}</p>{{/error}}
        <form method="post" action="/settings/api-tokens" class="card">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <label for="token-name">Token name</label>
        <input id="token-name" name="name" type="text" maxlength="100" required placeholder="e.g. nightly report">
        <label for="token-days">Expires after (days, at most {{maxDays}})</label>
        <input id="token-days" name="days" type="number" min="1" max="{{maxDays}}" value="{{defaultDays}}" required>
        <div class="actions"><button type="submit">Create token</button></div>
        </form>
        {{#hasTokens}}
        <table>
        <caption>Your tokens</caption>
        <thead><tr><th scope="col">Name</th><th scope="col">Created (UTC)</th><th scope="col">Expires (UTC)</th><th scope="col">Last used (UTC)</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
        <tbody>
        {{#tokens}}
        <tr><th scope="row">{{name}}</th><td>{{created}}</td><td>{{expires}}{{#expired}} (expired){{/expired}}</td><td>{{lastUsed}}</td>
        <td><form method="post" action="/settings/api-tokens/{{id}}/revoke" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" class="secondary small" aria-label="Revoke {{name}}">Revoke</button></form></td></tr>
        {{/tokens}}
        </tbody>
        </table>
        {{/hasTokens}}
        {{^hasTokens}}<p>You have no API tokens.</p>{{/hasTokens}}
        """#

    static let tip = #"""
        <p class="tip">Tip: If you require assistance, reach out to your Account Executive{{#support}} ({{support}}){{/support}}.</p>
        """#

    static let signIn = #"""
        <section class="card narrow">
        <h1>Sign in</h1>
        {{#error}}<p class="error" role="alert" id="error">{{error}}</p>{{/error}}
        {{#notice}}<p class="notice" role="status">{{notice}}</p>{{/notice}}
        <form method="post" action="/sign-in">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <input type="hidden" name="next" value="{{next}}">
        <label for="name">Sign in name</label>
        <input id="name" name="name" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required value="{{name}}"{{#error}} aria-describedby="error"{{/error}}>
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required>
        <p class="aside"><a href="/forgot-password">Forgot your password?</a></p>
        <button type="submit">SIGN IN</button>
        </form>
        <p class="aside">Don't have an account? <a href="/signup">Sign up now</a></p>
        </section>
        """#

    static let forgotPassword = #"""
        <section class="card narrow">
        <h1>Forgot your password?</h1>
        <p>IPM does not send passwords by email. Ask an admin of your company or an operator to set a new one for you; an operator runs <code>ipm admin set-password YOUR-SIGN-IN-NAME</code>.</p>
        {{> tip}}
        <p><a class="button" href="/sign-in">Back to sign in</a></p>
        </section>
        """#

    static let message = #"""
        <section class="card narrow">
        <h1>{{heading}}</h1>
        <p{{#isError}} class="error" role="alert"{{/isError}}>{{message}}</p>
        <p><a class="button" href="{{link}}">{{linkText}}</a></p>
        </section>
        """#
}
