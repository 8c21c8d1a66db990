"""The documentation of the codes `proceedings build` reports: PDF output (P7xx) and the
build itself (B8xx).

A declarative table, one `RuleDoc` per code, read by check/rules/docs.py.
"""

from __future__ import annotations

from proceedings.check.rules.doc_entry import RuleDoc

# Codes reported by `proceedings build` and the PDF renderer (registered in compile.py and
# render/pdf.py), documented here so `proceedings explain` and docs/rules.md cover every code.
BUILD_DOCS: dict[str, RuleDoc] = {
    "P701": RuleDoc(
        "A character in the notes (or the templates) has no glyph in any installed font, so "
        "the PDF would print it as an empty box (\"tofu\"). WeasyPrint only logs this; "
        "`proceedings build` makes it an error naming the characters, the notes that use "
        "them and the missing font.",
        "sessions/2024-08-24-camp/01-monitoring.md:12:1: P701 no installed font can draw "
        "「監」 (U+76E3) …",
        "Install a CJK font (Debian/Ubuntu: `apt-get install fonts-noto-cjk`), or list a font "
        "file in `build.fonts`; `proceedings doctor` checks the setup.",
        "text",
    ),
    "P702": RuleDoc(
        "The PDF renderer refused a resource outside the WG repository: a `file://` path, a "
        "network URL or a link it would have followed. Only `data:` URLs and files inside the "
        "repository are read, so a note cannot pull local files into the PDF.",
        "<img src=\"file:///etc/passwd\">",
        "Reference images inside the repository with a relative path "
        "(`![図](images/fig.png)`).",
    ),
    "P703": RuleDoc(
        "HarfBuzz subsetting (`libharfbuzz-subset0`) is missing, so WeasyPrint falls back to "
        "fontTools and a Japanese PDF builds several times slower. The output is the same.",
        "proceedings/proceedings.pdf:1:1: P703 fonts are subset with fontTools …",
        "Install it (`apt-get install libharfbuzz-subset0`); `proceedings doctor` checks it.",
        "text",
    ),
    "B801": RuleDoc(
        "At build time, an image a note shows does not exist (the checker reports the same as "
        "C403 before the build starts). The image is replaced by a visible "
        "“missing image” label.",
        "![構成](images/arch.svg)   ← images/arch.svg is not in the session",
        "Add the image to the session folder, or fix the path.",
    ),
    "B802": RuleDoc(
        "An image path leads outside the sessions folder; the build only embeds images from "
        "the sessions folder (the checker reports it as C405).",
        "![ロゴ](../../assets/logo.png)",
        "Copy the image into the session (e.g. `images/logo.png`) and link it relatively.",
    ),
    "B803": RuleDoc(
        "An image file is not SVG, PNG, JPEG, GIF, WebP or AVIF, which browsers and the PDF "
        "renderer cannot all show — or its content is not what its name says (a `.png` that "
        "is really a JPEG, or no image at all), which the PDF would drop without a word.",
        "![図](images/diagram.tiff)",
        "Convert it, e.g. `convert diagram.tiff diagram.png`, and link the PNG.",
    ),
    "B804": RuleDoc(
        "An image is loaded from the network, so the outputs are not self-contained and may "
        "change or vanish.",
        "![図](https://example.com/fig.png)",
        "Download the image into the session's `images/` folder and link it relatively.",
    ),
    "B805": RuleDoc(
        "A link points to a note or file that is not part of this build (a session left out "
        "with `--session`/`--since`, or a file outside the sessions folder); it is shown as "
        "text.",
        "[README](../../README.md)",
        "Link to notes and assets inside the sessions folder, or use a full https:// URL; "
        "when building a selection on purpose, this warning is expected.",
    ),
    "B806": RuleDoc(
        "A link names a heading that does not exist in its target note; the built link points "
        "to the top of that note instead (the checker reports it as C404).",
        "[議論](02-beta.md#議論まとめ)",
        "Use the anchor of an existing heading (see C404 for how anchors are formed).",
    ),
    "B807": RuleDoc(
        "A link or image uses a URL scheme other than http(s) or mailto (e.g. `javascript:`, "
        "`ftp:`, `tel:`); it is shown as text so nothing unsafe reaches the output.",
        "[開く](javascript:alert(1))",
        "Use an https:// link, or write the text without a link.",
    ),
    "B808": RuleDoc(
        "With `build.allow_raw_html = true`, raw HTML outside the allowlist (tags, attributes, "
        "URLs) was removed from the output.",
        "<span onclick=\"x()\">押す</span>",
        "Use Markdown, or only the allowlisted tags and attributes.",
    ),
    "B812": RuleDoc(
        "An image is loaded over plain `http://`. The outputs never load images over an "
        "unencrypted connection (anyone on the way could swap the picture), so it is left "
        "out of the Markdown, HTML and PDF; the text `[image missing: …]` stands in its place.",
        "![構成図](http://example.org/architecture.png)",
        "Use the image's `https://` address, or download it into the session's `images/` "
        "folder and link it relatively.",
    ),
    "B813": RuleDoc(
        "An SVG image holds active content: `<script>`, `on…` event handlers, embedded HTML "
        "(`<foreignObject>`), or references to other files and addresses (`href`, `url(…)`, "
        "`@import`). A browser runs these when the copy in `<output>/assets/` is opened by "
        "itself, so the outputs get a copy without them; the drawing is otherwise unchanged.",
        '![構成図](images/architecture.svg)   <!-- the SVG has <svg onload="…"> -->',
        "Export the image again without scripts or links (e.g. as plain SVG), so the "
        "published copy is the file itself.",
    ),
    "B810": RuleDoc(
        "The output folder's `.proceedings-manifest.json` — the build's record of the files "
        "it wrote, which is what lets it delete a copied image no note uses any more — is "
        "not a valid record: not JSON, another shape, a path that is not a plain relative "
        "path to an output or a copied asset, a hash that is not SHA-256. The whole record "
        "is ignored (so no file is deleted because of it) and replaced by a correct one.",
        "proceedings/.proceedings-manifest.json:1:1: B810 the record of the build's own "
        "files path '../README.md' is not a plain relative path …",
        "Nothing, usually: the build has written a new record. Files an earlier build "
        "copied into `assets/` that are no longer used are then not known to be the build's; "
        "delete them by hand if there are any. Never edit the record by hand.",
        "text",
    ),
}
