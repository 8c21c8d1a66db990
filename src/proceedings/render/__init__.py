"""Renderers of the compiled document (see `proceedings.compile.document`).

- `markdown_out`: proceedings.md — the compiled document as Markdown (the canonical text);
- `html`: proceedings.html — that Markdown parsed with `dialect` and rendered safely, with
  images embedded; the PDF renderer takes the same HTML with print CSS;
- `pdf`: proceedings.pdf (WeasyPrint).
"""
