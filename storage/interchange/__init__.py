"""Interchange formats, one module each with its to/from pair: Inflow JSON (`json_format`), Inflow
Markdown (`markdown_format`) and browsers' bookmark HTML (`bookmarks_html`); `detect` tells them apart."""
