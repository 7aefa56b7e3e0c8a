"""A tiny PDF generator for the demo site's documents: the "School admissions guide" and
the "Road repair standards" a resident meets on the "Report a pothole" journey.

The guide is served at ``/documents/admissions-guide.pdf``. By default it carries two
deliberate document defects (see ``manifest.json``): it is *untagged* (no structure tree,
no ``/MarkInfo``) and it has *no title* in its document information. Each can be fixed
separately at run time, so the generator builds every combination. The text, fonts and
language (``/Lang``) are the same in every variant, and nothing depends on the clock, so
the bytes are reproducible.
"""

from __future__ import annotations

GUIDE_TITLE = "School admissions guide 2026 to 2027"
STANDARDS_TITLE = "Road repair standards"

Lines = tuple[tuple[str, int, str], ...]

# (structure type, font size, text) of every line on the single page.
_LINES: Lines = (
    ("H1", 20, "School admissions guide 2026 to 2027"),
    ("P", 11, "Example County Council explains how to apply for a school place."),
    ("H2", 14, "Primary school places"),
    ("P", 11, "Apply by 15 January 2027 for children born between 1 September 2022"),
    ("P", 11, "and 31 August 2023. You will be told your offer on 16 April 2027."),
    ("H2", 14, "Secondary school places"),
    ("P", 11, "Apply by 31 October 2026. You will be told your offer on 1 March 2027."),
    ("H2", 14, "Appeals"),
    ("P", 11, "If you are refused a place you can appeal within 20 school days."),
)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


#: The road repair standards (untagged and untitled on the demo site: seeded defects).
STANDARDS_LINES: Lines = (
    ("H1", 20, "Road repair standards"),
    ("P", 11, "Example County Council repairs potholes deeper than 40mm and wider than 300mm."),
    ("H2", 14, "How quickly we repair"),
    ("P", 11, "Dangerous potholes within 24 hours; other potholes within 28 days."),
)


def _content_stream(tagged: bool, lines: Lines) -> bytes:
    parts: list[str] = []
    y = 780
    for mcid, (tag, size, text) in enumerate(lines):
        y -= size + (14 if tag.startswith("H") else 6)
        font = "/F2" if tag.startswith("H") else "/F1"
        show = f"BT {font} {size} Tf 72 {y} Td ({_escape(text)}) Tj ET"
        if tagged:
            show = f"/{tag} <</MCID {mcid}>> BDC {show} EMC"
        parts.append(show)
    return ("\n".join(parts) + "\n").encode("latin-1")


def build_admissions_guide(*, tagged: bool, title: str | None, lines: Lines = _LINES) -> bytes:
    """The bytes of a one-page PDF; ``tagged`` adds a structure tree, ``title`` an /Info title."""
    stream = _content_stream(tagged, lines)
    objects: dict[int, bytes] = {}
    catalog = "<< /Type /Catalog /Pages 2 0 R /Lang (en-GB)"
    if tagged:
        catalog += " /MarkInfo << /Marked true >> /StructTreeRoot 7 0 R"
    if title is not None:
        catalog += " /ViewerPreferences << /DisplayDocTitle true >>"
    objects[1] = (catalog + " >>").encode()
    objects[2] = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
    page = (
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]"
        " /Resources << /Font << /F1 4 0 R /F2 5 0 R >> >> /Contents 6 0 R"
    )
    if tagged:
        page += " /StructParents 0 /Tabs /S"
    objects[3] = (page + " >>").encode()
    objects[4] = (
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    )
    objects[5] = (
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>"
    )
    objects[6] = b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"endstream"
    info_number = 7
    if tagged:
        first_elem = 10
        elems = [f"{first_elem + i} 0 R" for i in range(len(lines))]
        objects[7] = b"<< /Type /StructTreeRoot /K 8 0 R /ParentTree 9 0 R /ParentTreeNextKey 1 >>"
        objects[8] = (
            f"<< /Type /StructElem /S /Document /P 7 0 R /K [{' '.join(elems)}] >>"
        ).encode()
        objects[9] = f"<< /Nums [0 [{' '.join(elems)}]] >>".encode()
        for mcid, (tag, _size, _text) in enumerate(lines):
            objects[first_elem + mcid] = (
                f"<< /Type /StructElem /S /{tag} /P 8 0 R /Pg 3 0 R /K {mcid} >>"
            ).encode()
        info_number = first_elem + len(lines)
    info = "<< /Producer (Example County Council demo site)"
    if title is not None:
        info += f" /Title ({_escape(title)})"
    objects[info_number] = (info + " >>").encode()

    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n"
    xref_at = len(out)
    size = max(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for number in range(1, size):
        out += b"%010d 00000 n \n" % offsets[number]
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        size,
        info_number,
        xref_at,
    )
    return bytes(out)
