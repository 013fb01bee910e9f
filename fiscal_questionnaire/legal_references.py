"""The legal texts behind each rule, kept as data so a change of law is a change here.

The VAT articles of the Code général des impôts (CGI) moved to the Code des impositions sur les
biens et services (CIBS) on 1 Sept 2026 (ordonnance n° 2025-1247 du 17 décembre 2025). Both are
shown while clients and the administration still quote the CGI numbers. A CIBS equivalent is only
filled in once checked against the ordonnance; an empty one means "not verified yet", not "none".
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class LegalReference:
    cgi: str = ""  # article of the CGI, as numbered until 31 Aug 2026
    cibs: str = ""  # its equivalent in the CIBS since 1 Sept 2026, when verified
    other: str = ""  # laws, decrees and other codes

    def parts(self) -> list[str]:
        article = f"{self.cgi} (désormais {self.cibs})" if self.cgi and self.cibs else self.cgi
        return [part for text in (article, self.other) for part in text.split(" ; ") if part]


def citation(*references: LegalReference) -> str:
    """One line for a reason shown to the collaborator, each text cited once.

    For example "CGI, art. 289 bis (désormais CIBS, art. L. 216-42 et s.) ; loi n° …".
    """
    parts = [part for reference in references for part in reference.parts()]
    return " ; ".join(dict.fromkeys(parts))


VAT_LIABILITY = LegalReference(cgi="CGI, art. 256 A")
E_INVOICING = LegalReference(
    cgi="CGI, art. 289 bis",
    cibs="CIBS, art. L. 216-42 et s.",
    other="loi n° 2023-1322 du 29 décembre 2023, art. 91",
)
# The dates: 1 Sept 2026 for reception and for large and mid-size companies, 1 Sept 2027 for
# the others.
E_INVOICING_CALENDAR = LegalReference(
    other="loi n° 2023-1322 du 29 décembre 2023, art. 91 ; décret n° 2022-1299 du 7 octobre 2022",
)
SIZE_CATEGORY = LegalReference(
    other=(
        "loi n° 2008-776 du 4 août 2008, art. 51 ; décret n° 2008-1354 du 18 décembre 2008, art. 3"
    ),
)
VAT_GROUP = LegalReference(cgi="CGI, art. 256 C")
EXEMPT_OPERATIONS = LegalReference(cgi="CGI, art. 261 à 261 E")
E_REPORTING_TRANSACTIONS = LegalReference(cgi="CGI, art. 290")
# VAT on services is due when paid (art. 269, 2, c) unless the supplier opts for debits.
E_REPORTING_PAYMENTS = LegalReference(cgi="CGI, art. 290 A et art. 269, 2, c")
E_REPORTING_FREQUENCY = LegalReference(other="décret n° 2022-1299 du 7 octobre 2022")
FRANCHISE = LegalReference(cgi="CGI, art. 293 B", cibs="CIBS, art. L. 223-1 et s.")
SIMPLIFIED_REGIME = LegalReference(cgi="CGI, art. 302 septies A")
PUBLIC_SECTOR = LegalReference(other="Code de la commande publique, art. L. 2192-1 et s.")
