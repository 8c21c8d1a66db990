"""Renderers: the compiled document as Markdown, HTML and PDF."""
