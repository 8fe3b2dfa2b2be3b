extension Templates {
    static let notifications = #"""
        <nav class="crumbs" aria-label="Breadcrumb"><a href="/settings">Settings</a> › Notifications</nav>
        <h1>Notifications</h1>
        <p class="lead">What happened to the UPS OAuth connections of your companies, newest first.</p>
        {{#hasUnread}}
        <form method="post" action="/notifications/read" class="inline">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <button type="submit" class="secondary small">Mark all as read</button>
        </form>
        {{/hasUnread}}
        {{#hasNotifications}}
        <table>
        <caption>Notifications</caption>
        <thead><tr><th scope="col">When (UTC)</th><th scope="col">Company</th><th scope="col">What happened</th></tr></thead>
        <tbody>
        {{#notifications}}
        <tr{{#unread}} class="unread"{{/unread}}><td>{{when}}</td><td><a href="/companies/{{companyID}}">{{company}}</a></td>
        <td>{{#unread}}<strong>New:</strong> {{/unread}}<strong>{{title}}.</strong> {{message}}{{#optInLink}} <a href="{{optInLink}}">Opt in again</a>{{/optInLink}}</td></tr>
        {{/notifications}}
        </tbody>
        </table>
        {{/hasNotifications}}
        {{^hasNotifications}}<p>There are no notifications for your companies.</p>{{/hasNotifications}}
        """#
}
