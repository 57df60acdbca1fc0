"""A small kader tree that exercises every list directive, built once per test session
(the ``kader_fixture_build`` fixture of conftest.py).

Shared by test_tables.py, test_exports.py and test_tables_browser.py. It holds
both spellings, multi-filter lists, a dangling reference, an AI-verordening
profile with ``uitzondering`` expressions, and hostile metadata (a title and a
vocabulary label that are HTML).
"""

from __future__ import annotations

HOSTILE_TITLE = "<script>alert(1)</script>"
HOSTILE_LABEL = "<img src=x onerror=alert(2)>"
#: A title a spreadsheet program would run as a formula.
FORMULA_TITLE = "=SUM(1;2)"

ALL_AI_ACT = """soort-toepassing:
- ai-systeem
- ai-systeem-voor-algemene-doeleinden
- ai-model-voor-algemene-doeleinden
risicogroep:
- hoog-risico-ai-systeem
- geen-hoog-risico-ai-systeem
- uitzondering-van-toepassing
- verboden-ai
rol-ai-act:
- aanbieder
- gebruiksverantwoordelijke
- importeur
- distributeur
transparantieverplichting:
- transparantieverplichting
- geen-transparantieverplichting
- niet-van-toepassing
systeemrisico:
- systeemrisico
- geen-systeemrisico
- niet-van-toepassing
open-source:
- open-source
- geen-open-source
- niet-van-toepassing
"""

OPEN_SOURCE_EXCEPTION = (
    '\'("soort-toepassing-ai-systeem-voor-algemene-doeleinden" || "soort-toepassing-ai-systeem") && '
    '"open-source-open-source" && "transparantieverplichting-geen-transparantieverplichting" && '
    '"risicogroep-geen-hoog-risico-ai-systeem"\''
)

V = "voldoen-aan-wetten-en-regels"

FILES: dict[str, str] = {
    "index.md": "# Testkader\n\nEen klein kader voor de tests.\n",
    "includes/begrippenlijst.md": "*[AIA]: AI-verordening\n*[AVG]: Algemene verordening gegevensbescherming.\n",
    "vocabulaire.yml": f"categorie:\n  impact-assessment: Impact assessment\n  gevaarlijk: '{HOSTILE_LABEL}'\n",
    "levenscyclus/index.md": "# Levenscyclus\n",
    "levenscyclus/probleemanalyse.md": "---\ntitle: Probleemanalyse\nfase: 1\n---\n# Probleemanalyse\n\n"
    "<!-- list_maatregelen levenscyclus/probleemanalyse no-rol no-levenscyclus no-search no-onderwerp -->\n",
    "levenscyclus/ontwerp.md": "---\ntitle: Ontwerp\nfase: 2\n---\n# Ontwerp\n\n"
    "<!-- list_vereisten levenscyclus/ontwerp no-rol no-levenscyclus no-search no-onderwerp -->\n\n"
    "<!-- list_maatregelen levenscyclus/ontwerp no-rol no-levenscyclus no-search no-onderwerp -->\n",
    "levenscyclus/implementatie.md": "---\ntitle: Implementatie\nfase: 6\n---\n# Implementatie\n\n<!-- list_maatregelen levenscyclus/implementatie -->\n",
    "rollen/index.md": "# Rollen\n",
    "rollen/jurist.md": "# Jurist\n\n<!-- list_vereisten rollen/jurist no-rol no-levenscyclus no-search no-onderwerp -->\n",
    "rollen/ontwikkelaar.md": "# Ontwikkelaar\n\n<!-- list_maatregelen rollen/ontwikkelaar no-search -->\n",
    "onderwerpen/index.md": "# Onderwerpen\n",
    "onderwerpen/privacy.md": "# Privacy\n\n<!-- list_hulpmiddelen onderwerp/privacy no-search no-onderwerp no-rol no-levenscyclus no-id -->\n",
    "onderwerpen/publieke-inkoop.md": "# Publieke inkoop\n\n<!-- list_maatregelen onderwerp/publieke-inkoop no-search no-onderwerp no-rol no-levenscyclus -->\n",
    # -- vereisten -------------------------------------------------------------------------
    f"{V}/vereisten/index.md": "---\ntitle: Vereisten\nallow_excel_export: true\n---\n# Vereisten\n\n<!-- list_vereisten -->\n",
    f"{V}/vereisten/aia-01-ai-geletterdheid.md": "---\ntitle: Personeel is AI-geletterd\nid: urn:nl:ak:ver:aia-01\n"
    "levenscyclus:\n- organisatieverantwoordelijkheden\n- ontwerp\nrollen:\n- jurist\nonderwerp:\n- publieke-inkoop\n"
    "soort-toepassing:\n- ai-systeem\n- ai-systeem-voor-algemene-doeleinden\n- ai-model-voor-algemene-doeleinden\n"
    "risicogroep:\n- hoog-risico-ai-systeem\n- geen-hoog-risico-ai-systeem\n- niet-van-toepassing\n"
    "rol-ai-act:\n- aanbieder\n- gebruiksverantwoordelijke\n"
    "transparantieverplichting:\n- transparantieverplichting\n- geen-transparantieverplichting\n- niet-van-toepassing\n"
    "systeemrisico:\n- systeemrisico\n- geen-systeemrisico\n- niet-van-toepassing\n"
    "open-source:\n- open-source\n- geen-open-source\n- niet-van-toepassing\n"
    f"uitzondering:\n- risicogroep-uitzondering-van-toepassing\n- {OPEN_SOURCE_EXCEPTION}\n---\n\n"
    "<!-- tags -->\n\n## Vereiste\n\nTekst.\n\n## Van toepassing op\n\n<!-- tags-ai-act -->\n\n"
    "## Maatregelen\n\n<!-- list_maatregelen vereiste/aia-01-ai-geletterdheid no-search no-onderwerp no-rol no-levenscyclus -->\n",
    f"{V}/vereisten/aia-03-risicobeheer.md": "---\ntitle: Hoog-risico-AI heeft risicobeheer\nid: urn:nl:ak:ver:aia-03\n"
    "levenscyclus:\n- ontwerp\n- implementatie\nrollen:\n- ontwikkelaar\nonderwerp:\n- privacy\n"
    "soort-toepassing:\n- ai-systeem\n- ai-systeem-voor-algemene-doeleinden\nrisicogroep:\n- hoog-risico-ai-systeem\n"
    "rol-ai-act:\n- aanbieder\ntransparantieverplichting:\n- transparantieverplichting\n- geen-transparantieverplichting\n"
    "systeemrisico:\n- niet-van-toepassing\nopen-source:\n- open-source\n- geen-open-source\n- niet-van-toepassing\n"
    "uitzondering:\n- risicogroep-uitzondering-van-toepassing\n---\n\n<!-- tags -->\n\n"
    "## Maatregelen\n\n<!-- list_maatregelen vereiste/aia-03-risicobeheer no-search no-onderwerp no-rol no-levenscyclus -->\n\n"
    "## Hulpmiddelen\n\n<!-- list_hulpmiddelen vereiste/aia-03-risicobeheer no-search no-onderwerp no-rol no-levenscyclus no-id -->\n",
    f"{V}/vereisten/aia-30-systeemrisico.md": "---\ntitle: Aanbieders van AI-modellen met systeemrisico beperken dat risico\n"
    "id: urn:nl:ak:ver:aia-30\nlevenscyclus:\n- ontwikkelen\nrollen:\n- ontwikkelaar\nonderwerp:\n- privacy\n"
    "soort-toepassing:\n- ai-model-voor-algemene-doeleinden\nrisicogroep:\n- niet-van-toepassing\nrol-ai-act:\n- aanbieder\n"
    "transparantieverplichting:\n- niet-van-toepassing\nsysteemrisico:\n- systeemrisico\n"
    "open-source:\n- open-source\n- geen-open-source\n- niet-van-toepassing\n"
    "uitzondering:\n- risicogroep-uitzondering-van-toepassing\n---\n\n<!-- tags -->\n",
    f"{V}/vereisten/avg-01-rechtmatig.md": f"---\ntitle: '{HOSTILE_TITLE}'\nid: urn:nl:ak:ver:avg-01\n"
    f"levenscyclus:\n- ontwerp\nrollen:\n- jurist\nonderwerp:\n- privacy\n{ALL_AI_ACT}---\n\n<!-- tags -->\n\n"
    "## Vereiste\n\nTekst.\n\n## Bronnen\n\n- Artikel 6 AVG\n\n## Van toepassing op\n\n<!-- tags-ai-act -->\n",
    # -- maatregelen -----------------------------------------------------------------------
    f"{V}/maatregelen/index.md": "# Maatregelen\n\n<!-- list_maatregelen export -->\n",
    f"{V}/maatregelen/1-pba-01-doel.md": "---\ntitle: Beschrijf het doel\nid: urn:nl:ak:mtr:pba-01\n"
    "vereiste:\n- avg-01-rechtmatig\n- aia-01-ai-geletterdheid\nlevenscyclus:\n- probleemanalyse\nrollen:\n- jurist\n"
    "onderwerp:\n- publieke-inkoop\n---\n\n<!-- tags -->\n\n## Vereisten\n\n<!-- list_vereisten_on_maatregelen_page -->\n",
    f"{V}/maatregelen/2-owp-01-gevaarlijk.md": f"---\ntitle: '{HOSTILE_TITLE}'\nid: urn:nl:ak:mtr:owp-01\n"
    "vereiste:\n- aia-03-risicobeheer\n- bestaat-niet\nlevenscyclus:\n- ontwerp\n- probleemanalyse\nrollen:\n- ontwikkelaar\n"
    "onderwerp:\n- privacy\n---\n\n<!-- tags -->\n\n## Vereisten\n\n<!-- list_vereisten_on_maatregelen_page -->\n",
    f"{V}/maatregelen/6-imp-01-monitoren.md": "---\ntitle: Monitor de werking\nid: urn:nl:ak:mtr:imp-01\n"
    "vereiste:\n- aia-03-risicobeheer\nlevenscyclus:\n- implementatie\nrollen:\n- ontwikkelaar\n- jurist\n"
    "onderwerp:\n- publieke-inkoop\n- privacy\n---\n\n<!-- tags -->\n\n## Vereisten\n\n<!-- list_vereisten_on_maatregelen_page -->\n",
    # -- hulpmiddelen ----------------------------------------------------------------------
    f"{V}/hulpmiddelen/index.md": "# Hulpmiddelen\n\n<!-- list_hulpmiddelen no-rol no-levenscyclus no-id -->\n",
    f"{V}/hulpmiddelen/DPIA.md": "---\ntitle: DPIA\ncategorie:\n- impact-assessment\nonderwerp:\n- privacy\n"
    "maatregel:\n- 1-pba-01-doel\n- 6-imp-01-monitoren\nvereiste:\n- aia-03-risicobeheer\n---\n\n"
    "## Maatregelen\n\n<!-- list_maatregelen_on_hulpmiddelen_page -->\n\n## Vereisten\n\n<!-- list_vereisten_on_maatregelen_page -->\n",
    f"{V}/hulpmiddelen/gevaarlijk-hulpmiddel.md": f"---\ntitle: '{FORMULA_TITLE}'\ncategorie:\n- gevaarlijk\nonderwerp:\n- privacy\n---\n\nTekst.\n",
    # -- the MyST spelling, and two filters at once -----------------------------------------
    "overzicht/myst.md": "# MyST-lijsten\n\n```{kader-lijst} maatregelen\n:filter: levenscyclus/ontwerp onderwerp/privacy\n"
    ":flags: no-rol search export\n```\n\n"
    "<!-- list_maatregelen vereiste/aia-03-risicobeheer onderwerp/publieke-inkoop no-search -->\n\n"
    "```{kader-lijst} hulpmiddelen\n:flags: add-id no-levenscyclus export\n```\n",
}
