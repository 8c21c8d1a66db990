"""The documentation of the codes `proceedings check` reports: file and encoding (F1xx),
front matter (M2xx), session tree (T5xx), structure (S3xx), content (C4xx) and meta (X6xx).

A declarative table, one `RuleDoc` per code, read by check/rules/docs.py.
"""

from __future__ import annotations

from proceedings.check.rules.doc_entry import RuleDoc

_FM = "---\n"

CHECK_DOCS: dict[str, RuleDoc] = {
    # --- file and encoding -------------------------------------------------------------------
    "F101": RuleDoc(
        "The file is not valid UTF-8, so nothing in it can be checked or built, and it cannot "
        "be converted automatically (F110 is the convertible case). The finding gives the byte "
        "offset of the first bad byte and the encoding the detector (charset-normalizer) finds "
        "most likely, with how sure that is: *certain* (a byte-order mark), *high* (no other "
        "encoding tried reads the bytes as text) or *low* (others read them too, differently). "
        "The hint says why `--fix` does not convert it — the guess is not certain, the "
        "encoding is single-byte (it reads any bytes, so a guess cannot be confirmed), or "
        "converting back would not give the same bytes — and the exact `iconv` command to "
        "convert it by hand. The rest of the archive is still checked.",
        "sessions/2024-08-24-camp/01-monitoring.md:9:1: F101 not valid UTF-8 at byte offset 42 "
        "(byte 0xe9); most likely Windows-1252 (high confidence: no other encoding tried reads "
        "it as text) (not converted automatically: Windows-1252 is a single-byte encoding, "
        "which reads any bytes, so the guess cannot be confirmed; if it is Windows-1252, "
        "convert it with `iconv -f WINDOWS-1252 -t UTF-8 01-monitoring.md > "
        "01-monitoring.md.utf8 && mv 01-monitoring.md.utf8 01-monitoring.md` and check the "
        "result)",
        "Convert the file with the `iconv` command from the hint and read the result, or "
        "re-save it as UTF-8 in the editor (in VS Code: *Reopen with Encoding*, then *Save "
        "with Encoding* → UTF-8).",
        "text",
    ),
    "F102": RuleDoc(
        "The file starts with a UTF-8 byte-order mark (BOM, bytes EF BB BF). Many tools then "
        "fail to see the front matter; `proceedings` reads it, but the mark is noise in diffs.",
        "<BOM>---\ntitle: 監視アーキテクチャ\n---",
        "`proceedings check --fix` removes the mark. Configure the editor to save UTF-8 "
        "without BOM.",
    ),
    "F103": RuleDoc(
        "The file uses Windows (CRLF) line endings, or the lone CR of old Mac editors. Mixed "
        "endings make diffs noisy and confuse line-based tools; a CR-only file is one long "
        "line to git and grep.",
        "# 監視アーキテクチャ\\r\\n\n## 概要\\r\\n",
        "`proceedings check --fix` converts the file to LF (either kind). A `.gitattributes` line "
        "`*.md text eol=lf` keeps it that way.",
        "text",
    ),
    "F104": RuleDoc(
        "The last line has no newline. Appending to such a file joins two lines, and git shows "
        "`\\ No newline at end of file`.",
        "- 次回までに閾値の事例を集める<end of file, no newline>",
        "`proceedings check --fix` adds the final newline.",
        "text",
    ),
    "F105": RuleDoc(
        "The file cannot be read at all (permissions, or it vanished during the run).",
        "sessions/2024-08-24-camp/01-monitoring.md:1:1: F105 cannot read file: Permission denied",
        "Fix the file's permissions (`chmod u+r FILE`) or restore it from git.",
        "text",
    ),
    "F107": RuleDoc(
        "A note, session.md, asset or session folder is a symbolic link whose real path is "
        "outside the repository (or inside its `.git` folder). A repository takes pull "
        "requests, and such a link would make `check`, the hook and `build` read — and "
        "publish — a file of whoever runs them (a link to `/proc/self/environ` would publish "
        "their environment). The file is never read, shown by `--show-source`, changed by "
        "`--fix` or built; links that stay inside the repository work as before.",
        "sessions/2024-08-24-camp/01-monitoring.md -> /home/editor/.ssh/id_ed25519",
        "Replace the link with the file itself (`cp --remove-destination TARGET LINK`), or "
        "delete it.",
        "text",
    ),
    "F110": RuleDoc(
        "The file is in a legacy encoding — Shift_JIS (CP932, what Japanese editors on Windows "
        "save), EUC-JP, ISO-2022-JP, UTF-16 or UTF-32 — and the detector (charset-normalizer) "
        "reads it one way only, losslessly: encoding the text again gives exactly the file's "
        "bytes. Until it is UTF-8 nothing in it is checked or built. The finding names the "
        "encoding and how sure that is.",
        "sessions/2024-08-24-camp/01-monitoring.md:2:1: F110 not valid UTF-8 at byte offset 11 "
        "(byte 0x8a): the file is Shift_JIS (CP932) (high confidence: no other encoding tried "
        "reads it as text)",
        "`proceedings check --fix` converts it to UTF-8 (`--diff` shows which files it would "
        "convert). Only the encoding changes; a UTF-16 byte-order mark is dropped and line "
        "endings stay (F103 then reports CRLF, which a second `--fix` converts). A file whose "
        "reading is ambiguous or would not convert back is F101 and is never converted.",
        "text",
    ),
    "F109": RuleDoc(
        "A folder in the sessions tree cannot be listed (no read or search permission), so "
        "none of its files can be checked or built. A session folder that cannot be listed "
        "is left out of the build entirely rather than becoming an empty chapter.",
        "sessions/2024-08-24-camp:1:1: F109 cannot list this folder: Permission denied; its "
        "files are left out",
        "Fix the folder's permissions (`chmod u+rx FOLDER`), or remove it.",
        "text",
    ),
    "F108": RuleDoc(
        "The note (or session.md) is larger than `check.max_note_size` (2048 KiB unless the WG "
        "set another), so it is not read at all: parsing a file that size would take "
        "gigabytes of memory in check and build (docs/benchmarks.md). Nothing else is "
        "reported for it, and the build refuses to run.",
        "sessions/2024-08-24-camp/01-monitoring.md:1:1: F108 file is 50.0 MiB, larger than "
        "check.max_note_size (2048 KiB): not read",
        "Split the note into several topics, or move a data dump into a linked file "
        "(`[raw data](data/log.csv)`). If such notes are really wanted, raise "
        "`max_note_size` under `[check]` in proceedings.toml.",
        "text",
    ),
    "F106": RuleDoc(
        "The file contains a NUL byte (U+0000), usually pasted from a binary file or a broken "
        "editor. Markdown cannot hold it: the outputs would show `�` in its place. The finding "
        "points at the first one and counts the others.",
        "- 監視<NUL>の閾値は SLO から決める",
        "`proceedings check --fix` deletes every NUL byte and changes nothing else in the file.",
        "text",
    ),
    # --- front matter ------------------------------------------------------------------------
    "M201": RuleDoc(
        "The note or session.md has no front matter, so it has no title (and session.md no "
        "date). Front matter is the block between two `---` lines at the very top.",
        "# 監視アーキテクチャ\n\n## 概要\n…",
        "Start the file with front matter:\n\n```markdown\n---\ntitle: 監視アーキテクチャ\n"
        "---\n\n# 監視アーキテクチャ\n```",
    ),
    "M202": RuleDoc(
        "The front matter is not valid YAML, or its closing `---` is missing. The finding "
        "points at the line and column where YAML gave up, with a hint where one helps (tabs "
        "used for indentation, a full-width colon or space). A key given twice is reported "
        "here too (YAML would keep the second value and lose the first without a word), as "
        "is a control character YAML refuses. Values that need quotes are M212, unclosed "
        "brackets and quotes M213, full-width slips after a key S310.",
        _FM + "title: 監視\n\tscribes: [田中]\n" + _FM,
        "Indent with spaces (YAML does not allow tabs), or remove the indentation of a "
        "top-level key:\n\n```yaml\ntitle: 監視\nscribes: [田中]\n```",
    ),
    "M203": RuleDoc(
        "A required key is missing (`title` in a note; `title` and `date` in session.md). The "
        "finding points at the closing `---`, where the key can be added.",
        _FM + "scribes: [田中]\n" + _FM,
        "Add the key before the closing line:\n\n```yaml\ntitle: 監視アーキテクチャ\n"
        "scribes: [田中]\n```",
    ),
    "M204": RuleDoc(
        "The key is not part of the format; usually a typo. The hint suggests the closest "
        "known key. Unknown keys are errors so that a typo never silently drops data.",
        _FM + "title: 監視\nscribe: [田中]\n" + _FM,
        "Use the key the hint suggests (`scribes`), or remove it. docs/format.md lists every "
        "key.",
    ),
    "M205": RuleDoc(
        "A value has the wrong type: e.g. `scribes` must be a list, `participants` a count or "
        "a list of names, `status` one of `draft`/`final`, `title` non-empty text.",
        _FM + "title: 監視\nscribes: 田中, 山本\n" + _FM,
        "Write lists as YAML lists:\n\n```yaml\nscribes:\n  - 田中\n  - 山本\n```",
    ),
    "M206": RuleDoc(
        "A date is not a real calendar date, or not in `YYYY-MM-DD` form.",
        _FM + "title: 夏合宿\ndate: 2024-02-30\n" + _FM,
        "Write a real date as `YYYY-MM-DD`, e.g. `date: 2024-02-29`.",
    ),
    "M207": RuleDoc(
        "session.md's `date` differs from the date in its folder name "
        "(`YYYY-MM-DD-slug`). One of them is wrong, and sessions are sorted by date.",
        "sessions/2024-08-24-summer-camp/session.md:\n" + _FM + "title: 夏合宿\n"
        "date: 2024-08-25\n" + _FM,
        "Correct the date in session.md, or rename the folder (`git mv`) to the real date.",
    ),
    "M208": RuleDoc(
        "The front matter parses, but not as `key: value` lines (e.g. a list or a plain "
        "string).",
        _FM + "- title: 監視\n" + _FM,
        "Write one `key: value` per line, without a leading `- `.",
    ),
    "M209": RuleDoc(
        "The front matter uses YAML anchors/aliases or is larger than 64 KiB. Both are refused "
        "so that a crafted file cannot make the checker slow or huge.",
        _FM + "tags: &t [a, b]\nalso: *t\n" + _FM,
        "Write values out in full; move long text into the note body.",
    ),
    "M211": RuleDoc(
        "The front matter uses a YAML merge key (`<<`). A merge adds keys that are not written "
        "where they take effect, so a second `title` could hide behind it unseen.",
        _FM + "title: 監視アーキテクチャ\n<<: {title: 別の題}\n" + _FM,
        "Write every key out in full, each once.",
    ),
    "M212": RuleDoc(
        "A plain (unquoted) value contains `: ` — YAML reads the text after it as another key "
        "— or starts with `@` or `` ` ``, which YAML reserves. Japanese titles often have a "
        "colon (`監視: 設計と運用`). The hint is the line with the value quoted, exactly as "
        "it should be written; the rest of the front matter is then read as if it were, so "
        "each such line is one finding.",
        _FM + "title: 監視: 設計と運用\n" + _FM,
        "Quote the value, as the hint shows:\n\n```yaml\ntitle: \"監視: 設計と運用\"\n```",
    ),
    "M213": RuleDoc(
        "A `[`, `{` or quote in the front matter is never closed. YAML only notices later — "
        "often at the closing `---` — so the finding points at the line and column where the "
        "bracket or quote was opened, and says where the parser noticed.",
        _FM + "title: 監視\ntags: [monitoring, drift\n" + _FM,
        "Close it on the same line:\n\n```yaml\ntags: [monitoring, drift]\n```",
    ),
    # --- session tree ------------------------------------------------------------------------
    "T501": RuleDoc(
        "A Markdown file in a session folder is not named `NN-slug.md` (two digits, a hyphen, "
        "a slug of a-z, 0-9 and hyphens). It would not be built.",
        "sessions/2024-08-24-camp/\n  session.md\n  monitoring.md",
        "Rename it with its position: `git mv monitoring.md 01-monitoring.md`.",
        "text",
    ),
    "T502": RuleDoc(
        "Note numbers in a session have a gap (01, 02, 04). The number gives the order in the "
        "proceedings, so a gap usually means a renamed or missing note.",
        "sessions/2024-08-24-camp/\n  01-monitoring.md\n  02-responsibility.md\n"
        "  04-feature-store.md",
        "Renumber so there is no gap: `git mv 04-feature-store.md 03-feature-store.md`.",
        "text",
    ),
    "T503": RuleDoc(
        "Two notes in a session share a number, so their order is undefined.",
        "sessions/2024-08-24-camp/\n  01-monitoring.md\n  01-drift.md",
        "Give each note its own number (and close any gap this leaves).",
        "text",
    ),
    "T504": RuleDoc(
        "A file under `sessions/` is neither a session folder, session.md, a note, nor a known "
        "asset type (or is a link that leaves the repository). Nothing is ignored silently.",
        "sessions/2024-08-24-camp/\n  notes.docx\n  images/diagram.pptx",
        "Convert it to Markdown or an image (png, jpg, svg, …), move it out of `sessions/`, "
        "or delete it.",
        "text",
    ),
    "T505": RuleDoc(
        "A session folder has no session.md, so the session has no title or date.",
        "sessions/2024-08-24-camp/\n  01-monitoring.md",
        "Add session.md:\n\n```markdown\n---\ntitle: 夏合宿 2024\ndate: 2024-08-24\n---\n\n"
        "合宿の概要…\n```",
    ),
    "T506": RuleDoc(
        "A folder under `sessions/` is not named `YYYY-MM-DD-slug`, or its date is not a real "
        "date.",
        "sessions/\n  summer camp 2024/",
        "Rename it as the hint proposes: the date comes from session.md, the slug from the "
        "folder's name or the session's title (`session` when neither has ASCII letters; "
        "then pick a readable one). `proceedings rename \"sessions/summer camp 2024\" "
        "summer-camp` renames it to `2024-08-24-summer-camp` and rewrites the links to it.",
        "text",
    ),
    "T507": RuleDoc(
        "A session folder has session.md but no topic notes.",
        "sessions/2024-08-24-camp/\n  session.md",
        "Add a note with `proceedings new-session --add-topic`, or remove the empty session.",
        "text",
    ),
    # --- structure ---------------------------------------------------------------------------
    "S301": RuleDoc(
        "The note's H1 differs from the `title` in its front matter. The build uses the title "
        "for the table of contents, so readers would see two different names.",
        _FM + "title: ML システムの監視\n" + _FM + "\n# 監視アーキテクチャ",
        "Make both the same (spacing differences are ignored).",
    ),
    "S302": RuleDoc(
        "The note has no `# title` heading. Reviewers reading the file on GitHub see no title.",
        _FM + "title: 監視アーキテクチャ\n" + _FM + "\n## 概要\n\n…",
        "Add the title as the first heading: `# 監視アーキテクチャ`.",
    ),
    "S303": RuleDoc(
        "The note has more than one H1. A note has one title; its parts are `##` sections.",
        "# 監視アーキテクチャ\n\n## 概要\n\n…\n\n# 議論",
        "Make the extra headings `## …`.",
    ),
    "S304": RuleDoc(
        "A required section (`sections.required` in proceedings.toml; by default Summary | 概要 "
        "and Discussion | 議論) is missing. Every missing section is reported, and any of a "
        "section's configured names is accepted. Sections are the headings one level below "
        "the H1. When a heading looks like a misspelt section name, the hint says so.",
        "# 監視アーキテクチャ\n\n## 概要\n\n統合か分離かを議論した。\n\n## 議論と結論\n\n…",
        "Rename the heading to a configured name (`## 議論`), or add the section. "
        "`proceedings check --fix` inserts each missing heading, in the configured order, "
        "with a `✎` placeholder paragraph to fill in.",
    ),
    "S305": RuleDoc(
        "A section has neither content nor subsections. A section that holds only a `✎` "
        "placeholder is reported as C401 instead.",
        "## 議論\n\n## 今後の課題\n\n- 事例を集める",
        "Write the section, or remove the heading.",
    ),
    "S306": RuleDoc(
        "A heading skips a level (`##` followed by `####`). The merged proceedings shift every "
        "heading, and a skipped level breaks the outline and the PDF bookmarks.",
        "## 議論\n\n#### 統合派の立論",
        "Use the next level: `### 統合派の立論`.",
    ),
    "S307": RuleDoc(
        "Two headings under the same parent have the same text, so their anchors clash and "
        "readers cannot tell them apart. The same heading in different notes, or under "
        "different parents (every note has `## 議論`), is fine.",
        "## 議論\n\n### 論点\n\n…\n\n### 論点\n\n…",
        "Merge the two sections, or name them apart (`### 論点: 監視`, `### 論点: 通知`).",
    ),
    "S308": RuleDoc(
        "Two notes in one session have the same title, so the table of contents shows the "
        "same entry twice.",
        "01-monitoring.md: title: 監視\n02-alerting.md:   title: 監視",
        "Give each topic its own title.",
        "text",
    ),
    "S309": RuleDoc(
        "Lists or block quotes are nested deeper than the Markdown parser goes (100 levels: a "
        "list item counts two, a quote one, so about 48 nested lists or 98 nested quotes). "
        "Past that depth the parser stops and the rest of the outermost list or quote (often "
        "the rest of the note) would be missing from the Markdown, HTML and PDF outputs. It is "
        "an error, so the build refuses the note instead of dropping text.",
        "- 1\n  - 2\n    - 3\n      …\n" + " " * 98 + "- 50 (the 50th level: dropped)",
        "Nest less deeply: start a new list (or quote) at the top level, or make the deepest "
        "levels plain paragraphs.",
    ),
    "S310": RuleDoc(
        "A full-width character typed by an IME stands where the format needs an ASCII one: a "
        "full-width space after the front-matter fence (`---　`), a full-width colon after a "
        "key (`title：監視`) or a full-width space after one (`title:　監視`), a full-width "
        "space or `＃` in a heading (`##　概要`, `＃＃ 概要`). Markdown and YAML would read "
        "these as no front matter, a string instead of a key, or a paragraph instead of a "
        "heading, and report confusing findings about that. `proceedings` reads the line as "
        "it was meant and reports this one finding instead; fenced code is left alone.",
        "---　\ntitle：監視アーキテクチャ\n---\n\n# 監視アーキテクチャ\n\n##　概要",
        "`proceedings check --fix` makes the slip ASCII on each reported line:\n\n"
        "```markdown\n---\ntitle: 監視アーキテクチャ\n---\n\n# 監視アーキテクチャ\n\n"
        "## 概要\n```",
    ),
    # --- content -----------------------------------------------------------------------------
    "C401": RuleDoc(
        "A paragraph still starts with `✎`: template guidance written by `proceedings "
        "new-session` (or `--fix`) that was never replaced. It is a warning, so a freshly "
        "scaffolded session passes; `--fail-on warning` makes it block.",
        "## 概要\n\n✎ 議論の結論と主な論点を 2〜3 文でまとめてください。",
        "Replace the paragraph with the real text.",
    ),
    "C402": RuleDoc(
        "A relative link points at a file that does not exist (paths are relative to the "
        "note's folder; `/x` is relative to the repository root). The hint suggests a close "
        "file name.",
        "詳細は [責任分界](02-responsibilty.md) を参照。",
        "Fix the path: `[責任分界](02-responsibility.md)`.",
    ),
    "C403": RuleDoc(
        "An image (Markdown `![…](…)` or HTML `<img src>`) points at a file that does not "
        "exist, so the built proceedings would show a broken image.",
        "![監視構成](images/observabilty.svg)",
        "Fix the path, or add the image to the session's `images/` folder.",
    ),
    "C404": RuleDoc(
        "A link's `#anchor` names no heading in the target note (or in this note, for `#…` "
        "alone). Anchors follow GitHub's rule: the heading text lower-cased, punctuation "
        "dropped, spaces turned into `-`; Japanese is kept (`## 監視・通知` → `#監視通知`); a "
        "repeated heading gets `-1`, `-2`. When a file is checked on its own (pre-commit), "
        "links elsewhere in its session that it breaks are reported too.",
        "[落としどころ](01-monitoring.md#落とし所)",
        "Link to an existing heading: `[落としどころ](01-monitoring.md#落としどころ)` (the "
        "hint suggests the closest anchor).",
    ),
    "C405": RuleDoc(
        "A link or image leaves the repository: a relative path that climbs above the WG "
        "root, a `file:` URL, or a drive path. The published proceedings cannot reach it, and "
        "it may reveal a local path.",
        "[資料](../../../Documents/slides.pdf)\n![図](file:///C:/Users/tanaka/fig.png)",
        "Copy the file into the session folder and link it relatively: `[資料](slides.pdf)`.",
    ),
    "C406": RuleDoc(
        "Raw HTML in a note. The build escapes it (it shows as text, and scripts never run), so "
        "it is a warning: usually Markdown can say the same. HTML comments are not reported.",
        "重要: <span style=\"color:red\">本番で事故</span>",
        "Use Markdown: `重要: **本番で事故**`. If the HTML is intended, silence the line with "
        "`<!-- proceedings-disable-next-line C406 -->`.",
    ),
    "C407": RuleDoc(
        "An e-mail address would be published (the WG repository is public). The whole file "
        "is scanned, front matter and code included. Documentation domains (example.com, "
        "*.example, *.test, *.invalid) and `git@host:` remotes are not reported. The message "
        "shows the address shortened.",
        "質問は tanaka.taro@corp.co.jp まで。",
        "Remove the address; write the person's name or the WG's public contact instead.",
    ),
    "C408": RuleDoc(
        "A phone number would be published. Recognised: Japanese numbers (03-1234-5678, "
        "090-1234-5678, 0120-123-456, (03) 1234-5678, full-width digits too), numbers with a "
        "country code (+81 3-1234-5678, +1 415 555 0100) and North American ones "
        "((415) 555-0100). Dates (2024-03-16), times, ISO timestamps, version numbers and "
        "numbers inside URLs are not reported.",
        "連絡先: 090-1234-5678(田中)",
        "Remove the number. If something that is not a phone number is reported, silence that "
        "line with `<!-- proceedings-disable-next-line C408 -->`.",
    ),
    "C410": RuleDoc(
        "A footnote is defined (`[^label]: …`) but no `[^label]` in the text cites it. "
        "Markdown leaves such a definition out of the outputs, so its text would vanish.",
        "監視は SLO から設計する。\n\n[^slo]: SLO の定義は SRE 本の第 4 章を参照。",
        "Cite it where it belongs (`監視は SLO[^slo] から設計する。`), or delete the "
        "definition if it is a leftover.",
    ),
    "C411": RuleDoc(
        "The same footnote label is defined twice in one note. Markdown keeps only the last "
        "definition, so the text of the earlier one would vanish from the outputs.",
        "監視は SLO[^1] から設計する。\n\n[^1]: SLO の定義。\n\n[^1]: 閾値の決め方。",
        "Merge the two definitions into one, or give the second its own label (`[^2]`) and "
        "cite it.",
    ),
    "C409": RuleDoc(
        "A name or term from `check.private_terms` in proceedings.toml appears (any case; "
        "spaces inside a term may be any whitespace, including a line break). The message "
        "names the list entry, not the term, so CI logs do not republish it. Note that "
        "proceedings.toml itself is in the repository: list code names, not secrets.",
        "# proceedings.toml: [check] private_terms = [\"Project Kestrel\"]\n\n"
        "次期基盤 (project kestrel) の検証結果では…",
        "Remove or rephrase the term: `次期基盤の検証結果では…`.",
    ),
    "C412": RuleDoc(
        "A bidi control (the right-to-left and left-to-right embeddings, overrides and "
        "isolates U+202A–U+202E and U+2066–U+2069, the marks U+200E, U+200F, U+061C), another "
        "invisible character (U+200B, U+2060, U+FEFF, U+2028, U+2029) or a control character "
        "(C0 other than tab and line endings, DEL, C1) is in a note or session.md. A "
        "right-to-left override makes a title, a scribe's name or a sentence display in another "
        "order than it is written (\"Trojan source\"), and control characters act on the "
        "terminals the text is shown on. The whole file is scanned, front matter included, one "
        "finding per line; a front-matter value that gets such a character from a YAML escape "
        "(`\"\\u202e\"`) is reported at its key. `proceedings check` shows the character "
        "as an escape such as `\\u202e`.",
        "---\ntitle: \"監視の設計 \\u202e(案)\"\nscribes: [\"田中\\u2066太郎\\u2069\"]\n---",
        "Delete the character. Zero-width joiners (emoji, some scripts) are not reported; "
        "right-to-left text itself needs no control characters.",
    ),
    # --- meta --------------------------------------------------------------------------------
    "X601": RuleDoc(
        "A disable comment suppresses nothing: the finding it was written for is gone, so the "
        "comment would silently hide a future one. Only codes that ran are judged.",
        "<!-- proceedings-disable-next-line C406 -->\nHTML はもう使っていない行",
        "Remove the comment, or the code from it.",
    ),
    "X602": RuleDoc(
        "A disable comment names something that is neither a code nor a rule name, so it "
        "disables nothing.",
        "<!-- proceedings-disable-next-line C999 -->",
        "Use a code or name from `proceedings rules`, e.g. `C406` or `raw-html`.",
    ),
    "X603": RuleDoc(
        "A rule failed on this file because of a bug in `proceedings`. The other rules still "
        "ran. Please report it with the file (or a reduced copy).",
        "sessions/…/01-x.md:1:1: X603 rule S305 failed: IndexError: …",
        "Report the bug; `PROCEEDINGS_DEBUG=1 proceedings check FILE` shows the traceback.",
        "text",
    ),
}
