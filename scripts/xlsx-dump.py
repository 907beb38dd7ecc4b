#!/usr/bin/env python3
"""Prints an .xlsx workbook as JSON, read with Python's standard library only (zipfile and
ElementTree), independently of the library that wrote it: each sheet's name, frozen pane,
filter, column widths, and every cell with its type, value, number format and boldness.

    scripts/xlsx-dump.py FILE.xlsx

Cell types are the file's own: "s" (shared string) and "inlineStr" are text, "n" a number,
"b" a boolean, "str" a formula's cached string; "f" is set when the cell holds a formula.
"""
import json
import posixpath
import re
import sys
import zipfile
import xml.etree.ElementTree as ET

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
      "rel": "http://schemas.openxmlformats.org/package/2006/relationships"}
BUILTIN_FORMATS = {0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00", 14: "mm-dd-yy", 22: "m/d/yy h:mm", 49: "@"}


def text_of(element):
    return "".join(t.text or "" for t in element.iter("{%s}t" % NS["m"]))


def column_index(ref):
    letters = re.match(r"[A-Z]+", ref).group(0)
    index = 0
    for letter in letters:
        index = index * 26 + (ord(letter) - 64)
    return index - 1


def main(path):
    book = zipfile.ZipFile(path)
    shared = []
    if "xl/sharedStrings.xml" in book.namelist():
        root = ET.fromstring(book.read("xl/sharedStrings.xml"))
        shared = [text_of(si) for si in root.findall("m:si", NS)]
    styles = ET.fromstring(book.read("xl/styles.xml"))
    custom = {int(f.get("numFmtId")): f.get("formatCode") for f in styles.findall("m:numFmts/m:numFmt", NS)}
    fonts = [f.find("m:b", NS) is not None and f.find("m:b", NS).get("val", "1") not in ("0", "false")
             for f in styles.findall("m:fonts/m:font", NS)]
    xfs = []
    for xf in styles.findall("m:cellXfs/m:xf", NS):
        number = int(xf.get("numFmtId", "0"))
        xfs.append({"format": custom.get(number, BUILTIN_FORMATS.get(number, str(number))),
                    "bold": fonts[int(xf.get("fontId", "0"))]})
    workbook = ET.fromstring(book.read("xl/workbook.xml"))
    rels = ET.fromstring(book.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels.findall("rel:Relationship", NS)}
    sheets = []
    for sheet in workbook.findall("m:sheets/m:sheet", NS):
        target = targets[sheet.get("{%s}id" % NS["r"])]
        target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        root = ET.fromstring(book.read(target))
        pane = root.find("m:sheetViews/m:sheetView/m:pane", NS)
        autofilter = root.find("m:autoFilter", NS)
        columns = [{"min": int(c.get("min")), "max": int(c.get("max")), "width": float(c.get("width"))}
                   for c in root.findall("m:cols/m:col", NS)]
        rows = []
        for row in root.findall("m:sheetData/m:row", NS):
            cells = []
            for c in row.findall("m:c", NS):
                kind = c.get("t", "n")
                value_element = c.find("m:v", NS)
                raw = value_element.text if value_element is not None else None
                if kind == "s":
                    value = shared[int(raw)]
                elif kind == "inlineStr":
                    value = text_of(c.find("m:is", NS))
                elif kind == "b":
                    value = raw == "1"
                elif kind == "n" and raw is not None:
                    value = float(raw)
                else:
                    value = raw
                style = xfs[int(c.get("s", "0"))]
                cells.append({"ref": c.get("r"), "col": column_index(c.get("r")), "t": kind, "v": value,
                              "format": style["format"], "bold": style["bold"], "f": c.find("m:f", NS) is not None})
            rows.append({"r": int(row.get("r")), "cells": cells})
        sheets.append({"name": sheet.get("name"),
                       "frozen": pane.get("topLeftCell") if pane is not None and pane.get("state") == "frozen" else None,
                       "autofilter": autofilter.get("ref") if autofilter is not None else None,
                       "columns": columns, "rows": rows})
    json.dump({"sheets": sheets}, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
