"""Printed documents: handouts, personal folders, bundles and the leader manual.

Curriculum and records become Markdown through Jinja templates (`documents`, `templating`,
`markdown`), Markdown becomes HTML, DOCX or Typst in one pandoc process (`pandoc`, with the
filter `templates/render/imr.lua`), and Typst becomes an A4 PDF with the typst package
(`typst_pdf`). `pipeline` ties the steps together; `output` writes the result atomically.
Text from records is escaped by `escape.escape_markdown` and nothing else.
"""
