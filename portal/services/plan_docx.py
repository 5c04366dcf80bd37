"""An export (`plan_export.Export`) as a Word file, with python-docx.

python-docx has no API for footnotes, restarting numbered lists or
watermarks, so those are written as the WordprocessingML Word itself writes:
a footnotes part, a fresh `w:num` per numbered list, and the VML text shape
Word's own "Draft" watermark is, in the header.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from xml.sax.saxutils import escape

from docx import Document as new_document
from docx.document import Document
from docx.enum.section import WD_SECTION
from docx.opc.constants import CONTENT_TYPE, RELATIONSHIP_TYPE
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Cm, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph
from markdown_it.token import Token

from portal.services.plan_export import NOTE, Export, parse, picture_of

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_WATERMARK = (
    '<w:r {ns}><w:pict><v:shapetype id="_x0000_t136" coordsize="21600,21600" '
    'o:spt="136" adj="10800" path="m@7,l@8,m@5,21600l@6,21600e">'
    '<v:path textpathok="t" o:connecttype="custom"/><v:textpath on="t" fitshape="t"/>'
    '<o:lock v:ext="edit" text="t" shapetype="t"/></v:shapetype>'
    '<v:shape id="DraftWatermark" o:spid="_x0000_s2049" type="#_x0000_t136" '
    'style="position:absolute;margin-left:0;margin-top:0;width:470pt;height:120pt;'
    "rotation:315;z-index:-251657216;mso-position-horizontal:center;"
    "mso-position-horizontal-relative:margin;mso-position-vertical:center;"
    'mso-position-vertical-relative:margin" o:allowincell="f" fillcolor="#d9a0a0" '
    'stroked="f"><v:fill opacity=".4"/>'
    '<v:textpath style="font-family:&quot;Arial&quot;;font-size:1pt" string="DRAFT"/>'
    '<w10:wrap anchorx="margin" anchory="margin"/></v:shape></w:pict></w:r>'
).format(
    ns=nsdecls("w")
    + ' xmlns:v="urn:schemas-microsoft-com:vml"'
    + ' xmlns:o="urn:schemas-microsoft-com:office:office"'
    + ' xmlns:w10="urn:schemas-microsoft-com:office:word"'
)


def write_docx(export: Export) -> bytes:
    """The export as a .docx file."""
    doc = new_document()
    doc.core_properties.title = export.footer
    doc.core_properties.language = "en-GB"
    doc.core_properties.author = ""  # python-docx's template names "python-docx"
    _styles(doc)
    _cover(doc, export)
    writer = _Writer(doc, export)
    for part in export.parts:
        writer.add(part.heading, "Heading 1")
        writer.blocks(parse(part.markdown))
    _header_and_footer(doc, export)
    if writer.used_notes:
        _footnotes_part(doc, export.notes, writer.used_notes)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _styles(doc: Document) -> None:
    normal = doc.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(11)


def _cover(doc: Document, export: Export) -> None:
    doc.add_paragraph(export.title, style="Title")
    doc.add_paragraph(export.version_label, style="Subtitle")
    table = doc.add_table(rows=0, cols=2, style="Table Grid")
    for label, value in export.cover:
        cells = table.add_row().cells
        cells[0].paragraphs[0].add_run(label).bold = True
        cells[1].paragraphs[0].add_run(value)
    doc.add_section(WD_SECTION.NEW_PAGE)


def _header_and_footer(doc: Document, export: Export) -> None:
    for section in doc.sections:
        section.header.is_linked_to_previous = section is not doc.sections[0]
        section.footer.is_linked_to_previous = section is not doc.sections[0]
    first = doc.sections[0]
    if export.draft:
        header = first.header.paragraphs[0]
        header._p.append(parse_xml(_WATERMARK))
    footer = first.footer.paragraphs[0]
    run = footer.add_run(f"{export.footer}    Page ")
    run.font.size = Pt(8.5)
    footer._p.append(_field("PAGE"))
    footer.add_run(" of ").font.size = Pt(8.5)
    footer._p.append(_field("NUMPAGES"))


def _field(instruction: str) -> object:
    return parse_xml(
        f'<w:fldSimple {nsdecls("w")} w:instr=" {instruction} ">'
        '<w:r><w:rPr><w:sz w:val="17"/></w:rPr><w:t>1</w:t></w:r></w:fldSimple>'
    )


def _footnotes_part(doc: Document, notes: Sequence[str], used: Sequence[int]) -> None:
    body = "".join(
        f'<w:footnote w:id="{n}"><w:p><w:r><w:rPr><w:vertAlign w:val="superscript"/>'
        f'</w:rPr><w:footnoteRef/></w:r><w:r><w:rPr><w:sz w:val="18"/></w:rPr>'
        f'<w:t xml:space="preserve"> {escape(notes[n - 1])}</w:t></w:r></w:p></w:footnote>'
        for n in used
    )
    xml = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:footnotes '
        f'xmlns:w="{W_NS}"><w:footnote w:type="separator" w:id="-1"><w:p><w:r>'
        "<w:separator/></w:r></w:p></w:footnote><w:footnote "
        'w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/>'
        f"</w:r></w:p></w:footnote>{body}</w:footnotes>"
    )
    part = Part(
        PackURI("/word/footnotes.xml"),
        CONTENT_TYPE.WML_FOOTNOTES,
        xml.encode("utf-8"),
        doc.part.package,
    )
    doc.part.relate_to(part, RELATIONSHIP_TYPE.FOOTNOTES)


class _Writer:
    """Walks markdown-it tokens into paragraphs, lists and tables."""

    def __init__(self, doc: Document, export: Export) -> None:
        self.doc = doc
        self.export = export
        self.notes = export.notes
        self.used_notes: list[int] = []
        self.lists: list[tuple[str, int | None]] = []  # (kind, numId) innermost last
        self.item_started = False
        self.styles: dict[str, str] = {}  # name: id

    def add(self, words: str, style: str) -> Paragraph:
        """A paragraph in a named style. python-docx reads every style of the
        file to find one by name or to set one, so each is looked up once and
        set by its id (a third of the time for a long plan)."""
        if style not in self.styles:
            self.styles[style] = self.doc.styles[style].style_id
        para = self.doc.add_paragraph(words)
        para._p.get_or_add_pPr().style = self.styles[style]
        return para

    def blocks(self, tokens: Sequence[Token]) -> None:
        i = 0
        while i < len(tokens):
            token = tokens[i]
            kind = token.type
            if kind == "heading_open":
                level = min(int(token.tag[1:]) + 1, 9)
                self.inline(self.add("", f"Heading {level}"), tokens[i + 1])
                i += 2
            elif kind == "paragraph_open":
                self.inline(self.paragraph(), tokens[i + 1])
                i += 2
            elif kind in ("bullet_list_open", "ordered_list_open"):
                ordered = kind == "ordered_list_open"
                start = int(token.attrGet("start") or 1) if ordered else 1
                self.lists.append(
                    (
                        "ordered" if ordered else "bullet",
                        self._num(start) if ordered else None,
                    )
                )
            elif kind in ("bullet_list_close", "ordered_list_close"):
                self.lists.pop()
            elif kind == "list_item_open":
                self.item_started = False
            elif kind == "table_open":
                close = next(
                    j for j in range(i, len(tokens)) if tokens[j].type == "table_close"
                )
                self.table(tokens[i:close])
                i = close
            elif kind in ("code_block", "fence"):
                self.doc.add_paragraph(token.content.rstrip("\n"))
            i += 1

    def paragraph(self) -> Paragraph:
        if not self.lists:
            return self.doc.add_paragraph()
        depth = min(len(self.lists), 3)
        suffix = "" if depth == 1 else f" {depth}"
        kind, num_id = self.lists[-1]
        if self.item_started:  # a later paragraph of the same item
            return self.add("", f"List Continue{suffix}")
        self.item_started = True
        style = f"List Number{suffix}" if kind == "ordered" else f"List Bullet{suffix}"
        para = self.add("", style)
        if num_id is not None:
            num_pr = para._p.get_or_add_pPr().get_or_add_numPr()
            num_pr.get_or_add_ilvl().val = 0
            num_pr.get_or_add_numId().val = num_id
        return para

    def _num(self, start: int) -> int:
        """A new numbering instance of the "List Number" style's list,
        starting at `start`: without one, every numbered list in the file
        would carry on from the last."""
        numbering = self.doc.part.numbering_part.element
        style = self.doc.styles["List Number"]
        style_num = style.element.pPr.numPr.numId.val
        abstract = numbering.num_having_numId(style_num).abstractNumId.val
        num = numbering.add_num(abstract)
        override = parse_xml(
            f'<w:lvlOverride {nsdecls("w")} w:ilvl="0"><w:startOverride w:val="{start}"/>'
            "</w:lvlOverride>"
        )
        num.append(override)
        return int(num.numId)

    def inline(self, para: Paragraph, token: Token) -> None:
        bold = italic = 0
        for child in token.children or []:
            kind = child.type
            if kind == "strong_open":
                bold += 1
            elif kind == "strong_close":
                bold -= 1
            elif kind == "em_open":
                italic += 1
            elif kind == "em_close":
                italic -= 1
            elif kind == "text":
                self.text(para, child.content, bold > 0, italic > 0)
            elif kind == "code_inline":
                para.add_run(child.content).font.name = "Courier New"
            elif kind == "softbreak":
                para.add_run(" ")
            elif kind == "hardbreak":
                para.add_run().add_break()
            elif kind == "image":
                self.picture(para, child)

    def picture(self, para: Paragraph, token: Token) -> None:
        """The picture, at most 12 by 10 cm, or its description."""
        picture = picture_of(self.export, token)
        if picture is None:
            alt = "".join(c.content for c in token.children or [])
            para.add_run(f"[Picture: {alt}]").italic = True
            return
        # At 96 pixels to the inch, shrunk (never enlarged) to fit.
        scale = min(
            1.0, 12 / (picture.width / 96 * 2.54), 10 / (picture.height / 96 * 2.54)
        )
        width = Cm(picture.width / 96 * 2.54 * scale)
        para.add_run().add_picture(io.BytesIO(picture.data), width=width)

    def text(self, para: Paragraph, words: str, bold: bool, italic: bool) -> None:
        at = 0
        for match in NOTE.finditer(words):
            self._run(para, words[at : match.start()], bold, italic)
            self.footnote(para, int(match.group(1)))
            at = match.end()
        self._run(para, words[at:], bold, italic)

    @staticmethod
    def _run(para: Paragraph, words: str, bold: bool, italic: bool) -> None:
        if words:
            run = para.add_run(words)
            run.bold = bold or None
            run.italic = italic or None

    def footnote(self, para: Paragraph, number: int) -> None:
        if not 0 < number <= len(self.notes):
            return
        self.used_notes.append(number)
        para._p.append(
            parse_xml(
                f'<w:r {nsdecls("w")}><w:rPr><w:vertAlign w:val="superscript"/></w:rPr>'
                f'<w:footnoteReference w:id="{number}"/></w:r>'
            )
        )

    def table(self, tokens: Sequence[Token]) -> None:
        rows: list[list[Token]] = []
        for token in tokens:
            if token.type == "tr_open":
                rows.append([])
            elif token.type == "inline" and rows:
                rows[-1].append(token)
        width = max((len(r) for r in rows), default=0)
        if not width:
            return
        table: Table = self.doc.add_table(
            rows=len(rows), cols=width, style="Table Grid"
        )
        for r, row in enumerate(rows):
            for c, cell in enumerate(row):
                para = table.cell(r, c).paragraphs[0]
                self.inline(para, cell)
                if r == 0:
                    for run in para.runs:
                        run.bold = True
        self.doc.add_paragraph()
