extension Templates {
    static let settings = #"""
        <h1>Settings</h1>
        <p class="lead">Your companies and their UPS OAuth status. Select a company and click API.</p>
        {{#hasCompanies}}
        <table class="companies">
        <caption>Companies</caption>
        <thead><tr><th scope="col">Company</th><th scope="col">UPS OAuth</th><th scope="col">Health</th><th scope="col">Your role</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
        <tbody>
        {{#companies}}
        <tr>
        <th scope="row"><a href="/companies/{{id}}">{{name}}</a></th>
        <td><span class="status status-{{statusKey}}">{{statusTitle}}</span>{{#optInLink}} <a href="{{optInLink}}">Opt in again</a>{{/optInLink}}</td>
        <td>{{#health}}<span class="health health-{{healthKey}}">{{healthText}}</span>{{#lastRefreshedAt}}<br><small>refreshed {{lastRefreshedAt}}</small>{{/lastRefreshedAt}}{{#nextAttemptAt}}<br><small>next attempt {{nextAttemptAt}}</small>{{/nextAttemptAt}}{{/health}}</td>
        <td>{{role}}</td>
        <td class="row-actions"><a class="button small" href="/companies/{{id}}/api" aria-label="API for {{name}}">API</a> <a href="/companies/{{id}}/activity" aria-label="Activity of {{name}}">Activity</a></td>
        </tr>
        {{/companies}}
        </tbody>
        </table>
        {{/hasCompanies}}
        {{^hasCompanies}}<p>You do not belong to any company yet. Ask a company admin or an operator to add you.</p>{{/hasCompanies}}
        """#

    static let company = #"""
        <nav class="crumbs" aria-label="Breadcrumb"><a href="/settings">Settings</a> › {{name}}</nav>
        <h1>{{name}}</h1>
        <dl class="facts">
        <dt>UPS OAuth</dt><dd><span class="status status-{{statusKey}}">{{statusTitle}}</span></dd>
        {{#authorizedAt}}<dt>Authorized</dt><dd>{{authorizedAt}}</dd>{{/authorizedAt}}
        {{#blockedAt}}<dt>Blocked since (UTC)</dt><dd>{{blockedAt}}</dd>{{/blockedAt}}
        {{#health}}
        <dt>Health</dt><dd><span class="health health-{{healthKey}}">{{healthText}}</span></dd>
        <dt>Last successful refresh (UTC)</dt><dd>{{#lastRefreshedAt}}{{lastRefreshedAt}}{{/lastRefreshedAt}}{{^lastRefreshedAt}}none since the opt-in{{/lastRefreshedAt}}</dd>
        <dt>Failed refreshes in a row</dt><dd>{{failures}}</dd>
        {{#lastError}}<dt>Last error</dt><dd>{{lastError}}</dd>{{/lastError}}
        {{#nextAttemptAt}}<dt>Next attempt (UTC)</dt><dd>{{nextAttemptAt}}</dd>{{/nextAttemptAt}}
        {{#accessTokenExpiresAt}}<dt>Access token until (UTC)</dt><dd>{{accessTokenExpiresAt}}</dd>{{/accessTokenExpiresAt}}
        {{#refreshTokenExpiresAt}}<dt>Refresh token until (UTC)</dt><dd>{{refreshTokenExpiresAt}}</dd>{{/refreshTokenExpiresAt}}
        {{/health}}
        <dt>Your role</dt><dd>{{role}}</dd>
        </dl>
        {{#reason}}<p class="warning" role="status">{{reason}}{{#optInLink}} <a href="{{optInLink}}">Opt in again</a>{{/optInLink}}</p>{{/reason}}
        {{#blockedReason}}<p class="warning" role="status">{{blockedReason}}</p>{{/blockedReason}}
        {{#optIn}}<p class="warning optin-{{optInState}}" role="status">{{optIn}}</p>{{/optIn}}
        <p class="actions"><a class="button" href="/companies/{{id}}/api">API</a> <a class="button secondary" href="/companies/{{id}}/activity">Activity</a></p>
        {{#refreshNotice}}<p class="{{#succeeded}}notice{{/succeeded}}{{^succeeded}}warning{{/succeeded}}" role="status">{{message}}</p>{{/refreshNotice}}
        {{#canRefresh}}
        <form method="post" action="/companies/{{id}}/refresh" class="inline">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <button type="submit" class="secondary" aria-describedby="refresh-hint">Refresh now</button>
        <span id="refresh-hint" class="hint">Renews the UPS tokens at once, at most once every {{refreshInterval}} seconds.</span>
        </form>
        {{/canRefresh}}
        {{#canInvite}}
        <h2>Invitations</h2>
        {{#issued}}
        <div class="notice" role="status">
        <p>Invitation created: whoever opens this link before {{expires}} (UTC) can sign up once and join as {{role}}. Copy it now: it will not be shown again.</p>
        <label for="invitation-link">Invitation link</label>
        <input id="invitation-link" type="text" readonly value="{{link}}">
        </div>
        {{/issued}}
        <form method="post" action="/companies/{{id}}/invitations" class="card">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <label for="invite-role">Role of the newcomer</label>
        <select id="invite-role" name="role">
        <option value="viewer">viewer (sees status and activity)</option>
        <option value="admin">admin (also opts in and out, invites)</option>
        </select>
        <div class="actions"><button type="submit">Create invitation link</button></div>
        </form>
        {{#hasInvitations}}
        <table class="invitations">
        <caption>Pending invitations</caption>
        <thead><tr><th scope="col">Role</th><th scope="col">Invited by</th><th scope="col">Created (UTC)</th><th scope="col">Expires (UTC)</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
        <tbody>
        {{#invitations}}
        <tr><td>{{role}}</td><td>{{invitedBy}}</td><td>{{created}}</td><td>{{expires}}</td>
        <td><form method="post" action="/companies/{{companyID}}/invitations/{{id}}/revoke" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" class="secondary small" aria-label="Revoke the {{role}} invitation created {{created}}">Revoke</button></form></td></tr>
        {{/invitations}}
        </tbody>
        </table>
        {{/hasInvitations}}
        {{^hasInvitations}}<p>No pending invitations.</p>{{/hasInvitations}}
        {{/canInvite}}
        """#

    /// The seed's "UPS API" pop-up, as a page that looks like a dialog (it works without JS).
    static let apiPanel = #"""
        <div class="backdrop">
        <section class="dialog" role="dialog" aria-modal="true" aria-labelledby="dialog-title">
        <h1 id="dialog-title">UPS API</h1>
        <p class="company">Company: <strong>{{name}}</strong></p>
        <h2>Credentials</h2>
        {{#authenticated}}
        <p class="status-line"><strong>Authenticated</strong></p>
        <p>This company has been authenticated using UPS OAuth</p>
        {{#canManage}}
        <form method="post" action="/companies/{{id}}/opt-out" data-confirm="Are you sure you want to opt out of UPS Online Tools (OAuth)?">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <input type="hidden" name="confirmed" value="">
        <button type="submit" class="danger">OPT-OUT</button>
        </form>
        {{/canManage}}
        {{/authenticated}}
        {{#blocked}}
        <p class="status-line"><strong>{{statusTitle}}</strong></p>
        <p class="warning" role="status">{{blockedReason}}</p>
        <p>The company keeps its UPS authorization; IPM retries by itself{{#health.nextAttemptAt}} (next attempt {{health.nextAttemptAt}} UTC){{/health.nextAttemptAt}} and the company is authenticated again as soon as UPS answers.</p>
        {{#canManage}}
        <form method="post" action="/companies/{{id}}/opt-out" data-confirm="Are you sure you want to opt out of UPS Online Tools (OAuth)?">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <input type="hidden" name="confirmed" value="">
        <button type="submit" class="danger">OPT-OUT</button>
        </form>
        {{/canManage}}
        {{/blocked}}
        {{^holdsTokens}}
        <p class="status-line"><strong>{{statusTitle}}</strong></p>
        {{#reason}}<p class="warning" role="status">{{reason}}</p>{{/reason}}
        {{#optIn}}<p class="warning optin-{{optInState}}" role="status">{{optIn}}</p>{{/optIn}}
        {{#canManage}}
        {{^choose}}
        <p>Connect {{name}} to UPS Online Tools? You will sign in at UPS.com to grant permission.</p>
        <div class="actions">
        <a class="button" href="/companies/{{id}}/api?step=method">Continue</a>
        <a class="button secondary" href="/companies/{{id}}">Cancel</a>
        </div>
        {{/choose}}
        {{#choose}}
        <p>Choose how {{name}} connects to UPS Online Tools:</p>
        <form method="post" action="/companies/{{id}}/opt-in" class="actions">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <button type="submit">OAuth</button>
        <a class="button secondary" href="/companies/{{id}}">Cancel</a>
        </form>
        {{/choose}}
        <p class="warning">Warning: When using the Opt-In method, changing the password for the ups.com user that opted in will invalidate any previous Opt-In. Consequently, company admins will need to opt-in again whenever the password is changed.</p>
        {{/canManage}}
        {{^canManage}}<p>Your role lets you see this company's status; a company admin can connect it to UPS.</p>{{/canManage}}
        {{/holdsTokens}}
        {{> tip}}
        <p class="close"><a class="button secondary" href="/companies/{{id}}">Close</a></p>
        </section>
        </div>
        """#

    static let optOutConfirmation = #"""
        <div class="backdrop">
        <section class="dialog" role="alertdialog" aria-modal="true" aria-labelledby="dialog-title" aria-describedby="question">
        <h1 id="dialog-title">UPS API</h1>
        <p class="company">Company: <strong>{{name}}</strong></p>
        <p id="question">Are you sure you want to opt out of UPS Online Tools (OAuth)?</p>
        <form method="post" action="/companies/{{id}}/opt-out" class="actions">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <input type="hidden" name="confirmed" value="yes">
        <button type="submit" class="danger">OK</button>
        <a class="button secondary" href="/companies/{{id}}/api">Cancel</a>
        </form>
        </section>
        </div>
        """#

    /// Success or failure of an opt-in or opt-out, as in the seed ("Success", the sentence, Close).
    static let outcome = #"""
        <div class="backdrop">
        <section class="dialog" role="dialog" aria-modal="true" aria-labelledby="dialog-title">
        <h1 id="dialog-title" class="{{#succeeded}}success{{/succeeded}}{{^succeeded}}failure{{/succeeded}}">{{heading}}</h1>
        <p role="{{#succeeded}}status{{/succeeded}}{{^succeeded}}alert{{/succeeded}}">{{message}}</p>
        {{#hint}}<p class="hint">{{hint}}</p>{{/hint}}
        <p class="close"><a class="button" href="{{closeURL}}">Close</a></p>
        {{> tip}}
        </section>
        </div>
        """#

    /// IPM's start URL for opt-ins begun in the CLI or the TUI.
    static let startConfirmation = #"""
        <div class="backdrop">
        <section class="dialog" role="dialog" aria-modal="true" aria-labelledby="dialog-title">
        <h1 id="dialog-title">Opt in {{name}} to UPS Online Tools (OAuth)?</h1>
        <p>You will sign in at UPS.com to grant permission. The opt-in is bound to this browser, signed in as {{displayName}}.</p>
        <form method="post" action="/companies/{{id}}/opt-in" class="actions">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <button type="submit">Continue</button>
        <a class="button secondary" href="/companies/{{id}}">Cancel</a>
        </form>
        <p class="warning">Warning: When using the Opt-In method, changing the password for the ups.com user that opted in will invalidate any previous Opt-In. Consequently, company admins will need to opt-in again whenever the password is changed.</p>
        {{> tip}}
        </section>
        </div>
        """#

    static let activity = #"""
        <nav class="crumbs" aria-label="Breadcrumb"><a href="/settings">Settings</a> › <a href="/companies/{{id}}">{{name}}</a> › Activity</nav>
        <h1>Activity of {{name}}</h1>
        {{#hasEvents}}
        <table class="activity">
        <caption>Newest first</caption>
        <thead><tr><th scope="col">When (UTC)</th><th scope="col">Who</th><th scope="col">What</th><th scope="col">Detail</th></tr></thead>
        <tbody>
        {{#events}}
        <tr><td><time datetime="{{iso}}">{{when}}</time></td><td>{{actor}}</td><td>{{action}}</td><td>{{detail}}</td></tr>
        {{/events}}
        </tbody>
        </table>
        {{/hasEvents}}
        {{^hasEvents}}<p>Nothing has happened yet.</p>{{/hasEvents}}
        <p class="pager">{{#newest}}<a href="/companies/{{id}}/activity">Newest</a> {{/newest}}{{#older}}<a href="/companies/{{id}}/activity?before={{older}}">Older</a>{{/older}}</p>
        """#
}
