"""Validate a Tableau workbook (``.twb``) against Tableau's published XML schema with lxml.

The schema (``shared/tableau/twb_2025.3.0.xsd``) imports two namespaces without a
``schemaLocation``, which libxml2 cannot compile. The imports are pointed at small in-memory stub
schemas through an lxml resolver; the xsd file itself is never modified.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from lxml import etree

from job_assets.settings import REPO_ROOT

XSD_ENV = "JOBS_TWB_XSD"
XSD_RELATIVE = Path("shared") / "tableau" / "twb_2025.3.0.xsd"

USER_NS = "http://www.tableausoftware.com/xml/user"
XML_NS = "http://www.w3.org/XML/1998/namespace"
_USER_STUB_URL = "jobs-stub://user.xsd"
_XML_STUB_URL = "jobs-stub://xml.xsd"

_USER_STUB = b"""<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"
           targetNamespace="http://www.tableausoftware.com/xml/user" elementFormDefault="qualified">
  <xs:attributeGroup name="UserAttributes-AG">
    <xs:anyAttribute namespace="##targetNamespace" processContents="skip"/>
  </xs:attributeGroup>
</xs:schema>
"""

_XML_STUB = b"""<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"
           targetNamespace="http://www.w3.org/XML/1998/namespace">
  <xs:attribute name="base" type="xs:anyURI"/>
  <xs:attribute name="lang" type="xs:language"/>
  <xs:attribute name="id" type="xs:ID"/>
</xs:schema>
"""

_STUBS = {_USER_STUB_URL: _USER_STUB, _XML_STUB_URL: _XML_STUB}
_STUB_FOR_NS = {USER_NS: _USER_STUB_URL, XML_NS: _XML_STUB_URL}
_XS = "{http://www.w3.org/2001/XMLSchema}"

_cache: dict[Path, etree.XMLSchema] = {}
_lock = threading.Lock()


class _StubResolver(etree.Resolver):
    """Serve the two stub schemas from memory; everything else resolves normally."""

    def resolve(self, system_url, public_id, context):  # noqa: ANN001, ANN201 (lxml API)
        stub = _STUBS.get(system_url)
        if stub is not None:
            return self.resolve_string(stub, context)
        return None


def default_xsd_path() -> Path:
    """Locate the schema: env ``JOBS_TWB_XSD``, else ``shared/tableau/`` above the repo."""
    env = os.environ.get(XSD_ENV, "").strip()
    candidates: list[Path] = []
    if env:
        candidates.append(Path(env).expanduser())
    else:
        candidates.extend(parent / XSD_RELATIVE for parent in (REPO_ROOT, *REPO_ROOT.parents))
    for candidate in candidates:
        if candidate.is_file():
            return candidate.resolve()
    where = env if env else f"{XSD_RELATIVE} in {REPO_ROOT} or any parent directory"
    raise FileNotFoundError(
        f"Tableau workbook schema not found ({where}); set {XSD_ENV} to the path of "
        "twb_2025.3.0.xsd"
    )


def load_schema(xsd_path: Path | None = None) -> etree.XMLSchema:
    """Parse and compile the workbook schema once per path (cached, thread-safe)."""
    path = (xsd_path or default_xsd_path()).resolve()
    with _lock:
        schema = _cache.get(path)
        if schema is None:
            if not path.is_file():
                raise FileNotFoundError(f"Tableau workbook schema not found: {path}")
            parser = etree.XMLParser(resolve_entities=False, no_network=True)
            parser.resolvers.add(_StubResolver())
            tree = etree.parse(str(path), parser)
            for imp in tree.getroot().iter(f"{_XS}import"):
                stub = _STUB_FOR_NS.get(imp.get("namespace", ""))
                if stub is not None and not imp.get("schemaLocation"):
                    imp.set("schemaLocation", stub)  # in memory only
            schema = etree.XMLSchema(tree)
            _cache[path] = schema
    return schema


def validate_twb(xml_bytes: bytes, xsd_path: Path | None = None) -> list[str]:
    """Return the schema errors of a ``.twb`` document (empty list = valid).

    A document that is not well-formed XML yields one ``parse error`` entry instead of raising.
    """
    schema = load_schema(xsd_path)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    try:
        doc = etree.fromstring(xml_bytes, parser)
    except etree.XMLSyntaxError as exc:
        return [f"parse error: {exc}"]
    if schema.validate(doc):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]
