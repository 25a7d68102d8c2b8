#!/usr/bin/env python3
"""Completes the Info.plist that `fyne package --target darwin` writes (it has no document types, no services,
an empty category and Fyne's minimum system version):

    infoplist.py "Certigna Desktop.app/Contents/Info.plist"

- CFBundleDocumentTypes: PDF (com.adobe.pdf), role Viewer, LSHandlerRank Alternate: "Ouvrir avec" lists the
  app and a drop on its Dock icon works, WITHOUT making it the default PDF app (Owner/Default would).
- NSServices: "Signer avec Certigna" in the Services menu of a PDF selected in the Finder (the app answers it:
  cmd/certigna-desktop/openfile_darwin.go).
- LSApplicationCategoryType: productivity. LSMinimumSystemVersion: 12.0 (Go 1.26 needs macOS 12).
Run by scripts/package.sh (build_darwin) before signing; read back by scripts/test-packaging.sh with plistlib.
"""
import plistlib
import sys

path = sys.argv[1]
with open(path, "rb") as f:
    p = plistlib.load(f)

p["LSApplicationCategoryType"] = "public.app-category.productivity"
p["LSMinimumSystemVersion"] = "12.0"
p["CFBundleDocumentTypes"] = [{
    "CFBundleTypeName": "PDF document",
    "CFBundleTypeRole": "Viewer",
    "LSHandlerRank": "Alternate",
    "LSItemContentTypes": ["com.adobe.pdf"],
}]
p["NSServices"] = [{
    "NSMenuItem": {"default": "Signer avec Certigna"},
    "NSMessage": "signPDF",
    "NSPortName": p.get("CFBundleName", "Certigna Desktop"),
    "NSRequiredContext": {},
    "NSSendFileTypes": ["com.adobe.pdf"],
}]
p["NSHighResolutionCapable"] = True

with open(path, "wb") as f:
    plistlib.dump(p, f)
