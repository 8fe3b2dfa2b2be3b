extension Templates {
    static let signUpByInvitationOnly = #"""
        <section class="card narrow">
        <h1>Sign up</h1>
        <p>Accounts are created by invitation. Ask an admin of your company to invite you: they create an invitation link on the company's page in IPM and send it to you. Open that link to choose your sign-in name and password.</p>
        <p>An operator can also create your account with <code>ipm admin create</code>.</p>
        {{> tip}}
        <p><a class="button" href="/sign-in">Back to sign in</a></p>
        </section>
        """#

    static let signUp = #"""
        <section class="card narrow">
        <h1>Sign up</h1>
        <p class="lead">{{invitedBy}} invited you to join <strong>{{company}}</strong> as {{role}}.</p>
        {{#error}}<p class="error" role="alert" id="error">{{error}}</p>{{/error}}
        <form method="post" action="/signup">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <input type="hidden" name="invitation" value="{{invitation}}">
        <label for="name">Sign in name</label>
        <input id="name" name="name" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required maxlength="64" value="{{name}}" aria-describedby="name-hint{{#error}} error{{/error}}">
        <p class="aside" id="name-hint">Letters a-z, digits and . _ - @</p>
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="new-password" required minlength="{{minimumPasswordLength}}" aria-describedby="password-hint">
        <p class="aside" id="password-hint">At least {{minimumPasswordLength}} characters.</p>
        <label for="password-confirmation">Repeat the password</label>
        <input id="password-confirmation" name="passwordConfirmation" type="password" autocomplete="new-password" required minlength="{{minimumPasswordLength}}">
        <label for="display-name">Display name (optional)</label>
        <input id="display-name" name="displayName" type="text" autocomplete="name" maxlength="100" value="{{displayName}}">
        <label for="email">Email (optional)</label>
        <input id="email" name="email" type="email" autocomplete="email" value="{{email}}">
        <button type="submit">SIGN UP</button>
        </form>
        <p class="aside">Already have an account? <a href="/sign-in">Sign in</a></p>
        </section>
        """#
}
