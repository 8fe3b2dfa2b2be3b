/// The sign-in pages' one small stylesheet, served from the sandbox itself so the pages'
/// Content-Security-Policy can forbid inline styles.
enum Stylesheet {
    static let css = """
        *, *::before, *::after { box-sizing: border-box; }
        body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #242424; background: #f4f2ef; }
        header { background: #351c15; color: #fff; padding: .75rem 1.5rem; display: flex; gap: 1rem; align-items: baseline; }
        header .brand { font-weight: 700; color: #ffc400; font-size: 1.25rem; }
        header .sandbox { font-size: .875rem; opacity: .85; }
        main { max-width: 28rem; margin: 2.5rem auto; background: #fff; padding: 2rem; border-radius: .5rem; box-shadow: 0 1px 4px rgba(0, 0, 0, .15); }
        h1 { margin: 0 0 1.25rem; font-size: 1.75rem; }
        label { display: block; font-weight: 600; margin-bottom: .25rem; }
        input[type=text], input[type=password] { width: 100%; padding: .625rem .75rem; font: inherit; border: 1px solid #767676; border-radius: .25rem; }
        input:focus-visible, button:focus-visible { outline: 3px solid #0662bb; outline-offset: 2px; }
        .agreement { display: flex; gap: .625rem; align-items: flex-start; margin: 1.25rem 0; }
        .agreement input { margin-top: .3rem; width: 1.1rem; height: 1.1rem; flex: none; }
        .agreement label { font-weight: 400; font-size: .9375rem; }
        .actions { display: flex; gap: .75rem; margin-top: 1.5rem; }
        button { font: inherit; font-weight: 600; padding: .625rem 1.5rem; border-radius: 1.5rem; border: 2px solid #ffc400; background: #ffc400; color: #242424; cursor: pointer; }
        button.secondary { background: #fff; border-color: #242424; }
        .error { background: #fdecea; border-left: 4px solid #c4001d; color: #7a0012; padding: .75rem 1rem; margin: 0 0 1.25rem; }
        """
}
