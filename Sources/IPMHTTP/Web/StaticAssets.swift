/// The stylesheet and the one small script, served from the binary.
enum StaticAssets {
    static let stylesheet = #"""
        :root { --brown: #351c15; --gold: #ffb500; --ink: #1f1f1f; --muted: #5f5f5f; --line: #d9d4cf; --ok: #1b6e3a; --bad: #a3261b; --warn-bg: #fff6e0; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #f6f4f2; }
        .skip { position: absolute; left: -999px; } .skip:focus { left: 8px; top: 8px; background: #fff; padding: 4px 8px; z-index: 10; }
        .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
        header.top { display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: 8px; padding: 10px 16px; background: var(--brown); color: #fff; }
        header.top a { color: #fff; }
        .brand { font-weight: 700; text-decoration: none; }
        nav[aria-label="Main"] { display: flex; align-items: center; gap: 12px; }
        details.menu { position: relative; }
        details.menu summary { cursor: pointer; padding: 4px 8px; border: 1px solid rgba(255,255,255,.5); border-radius: 4px; list-style: none; }
        details.menu ul { position: absolute; right: 0; margin: 4px 0 0; padding: 4px 0; list-style: none; background: #fff; border: 1px solid var(--line); border-radius: 4px; min-width: 140px; z-index: 5; }
        details.menu ul a { display: block; padding: 6px 12px; color: var(--ink); text-decoration: none; }
        details.menu ul a:hover, details.menu ul a:focus { background: #f0ebe6; }
        .badge { display: inline-block; min-width: 1.4em; padding: 0 6px; border-radius: 10px; background: var(--gold); color: #000; font-weight: bold; text-align: center; }
        tr.unread td { background: #fff8e1; }
        main { max-width: 960px; margin: 0 auto; padding: 16px; }
        footer { text-align: center; color: var(--muted); font-size: 13px; padding: 24px 16px; }
        h1 { font-size: 1.6rem; margin: .4em 0; } h2 { font-size: 1.1rem; margin: 1em 0 .4em; }
        .card, .dialog { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 20px; box-shadow: 0 2px 8px rgba(0,0,0,.06); }
        .narrow { max-width: 420px; margin: 24px auto; }
        .backdrop { padding: 24px 0; } .dialog { max-width: 520px; margin: 0 auto; }
        label { display: block; font-weight: 600; margin: 12px 0 4px; }
        input[type=text], input[type=password] { width: 100%; padding: 10px; font-size: 1rem; border: 1px solid #8a8580; border-radius: 4px; }
        button, .button { display: inline-block; padding: 10px 18px; font: inherit; font-weight: 700; color: var(--brown); background: var(--gold); border: 0; border-radius: 20px; cursor: pointer; text-decoration: none; }
        .button.secondary, button.secondary { background: #fff; color: var(--brown); border: 1px solid var(--brown); }
        .button.small { padding: 4px 12px; }
        button.danger { background: var(--bad); color: #fff; }
        button.link { background: none; border: 0; color: #fff; text-decoration: underline; padding: 0; font-weight: 400; }
        button:focus-visible, .button:focus-visible, a:focus-visible, summary:focus-visible, input:focus-visible { outline: 3px solid #0a66c2; outline-offset: 2px; }
        form.inline { display: inline; }
        .actions { display: flex; flex-wrap: wrap; gap: 10px; align-items: center; margin: 16px 0; }
        .error { color: var(--bad); background: #fdecea; padding: 8px 12px; border-radius: 4px; }
        .notice { background: #e8f3ec; padding: 8px 12px; border-radius: 4px; }
        .warning { background: var(--warn-bg); border-left: 4px solid var(--gold); padding: 8px 12px; }
        .tip { color: var(--muted); font-size: .95rem; }
        .success { color: var(--ok); } .failure { color: var(--bad); }
        .status { display: inline-block; padding: 2px 10px; border-radius: 12px; font-size: .9rem; background: #eee; }
        .status-authenticated { background: #e3f1e8; color: var(--ok); }
        .status-reauthorization_required { background: #fdecea; color: var(--bad); }
        .status-blocked, .health-blocked { background: #fdecea; color: var(--bad); }
        .health { display: inline-block; padding: 0 8px; border-radius: 10px; }
        .health-failing { background: #fff4e0; color: #8a5300; }
        .health-ok { color: var(--ok); }
        table { width: 100%; border-collapse: collapse; background: #fff; }
        caption { text-align: left; color: var(--muted); padding: 4px 0; }
        th, td { text-align: left; padding: 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
        dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; }
        dl.facts dt { font-weight: 600; } dl.facts dd { margin: 0; }
        .crumbs { color: var(--muted); font-size: .95rem; }
        @media (max-width: 600px) {
          table, thead, tbody, tr, th, td { display: block; } thead { display: none; }
          tr { border-bottom: 1px solid var(--line); padding: 8px 0; } th, td { border: 0; padding: 2px 8px; }
          h1 { font-size: 1.35rem; }
        }
        """#

    /// Asks the browser's confirm before a form with `data-confirm` is sent; without JS the
    /// server shows a confirmation page instead.
    static let script = #"""
        document.addEventListener('submit', function (event) {
          var form = event.target;
          var question = form.getAttribute && form.getAttribute('data-confirm');
          if (!question) { return; }
          if (window.confirm(question)) {
            form.elements.confirmed.value = 'yes';
          } else {
            event.preventDefault();
          }
        });
        """#
}
