"""A4 PDF building blocks shared by the application forms, the A4 receipt and document printouts.

    printing.pdf.fonts     registers the bundled Noto Sans SC (Regular, Bold) with reportlab, once
    printing.pdf.layout    a small canvas toolkit: CJK line wrapping, bordered cells, check boxes
    printing.pdf.receipt   the application receipt (回执) as an A4 page
    printing.pdf.document  a mirror document (title, meta, body) paginated for printing

Every PDF embeds the bundled font (a subset of the glyphs used); reportlab's STSong-Light is never
used because it is not embedded and prints as boxes on a printer without that font.
"""
