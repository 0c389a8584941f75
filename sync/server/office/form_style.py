"""The console's form and fact-list look, shared by the office's pages (until they move to the
templates' stylesheet)."""

STYLE = (
    "<style>dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.3em 1em;background:#fff;"
    "padding:1em;border:1px solid #ccd;border-radius:6px}dl.facts dt{color:#555}dl.facts dd{margin:0}"
    "form.step{background:#fff;border:1px solid #ccd;border-radius:6px;padding:.6em 1em;margin:.6em 0}"
    "form.step textarea,form.step input,form.step select{width:100%;font:inherit;padding:.4em}"
    "form.step input[type=checkbox],form.step input[type=file]{width:auto}"
    "label.inline{display:inline-block;margin-right:1.2em}"
    # the log's reasons and facts wrap instead of pushing the table sideways
    "main .scroll td:nth-child(n+4){white-space:normal;min-width:12em}</style>"
)
