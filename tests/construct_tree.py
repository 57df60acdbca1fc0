"""A small tree in MyST with every construct the extension, the dialect and sphinx-design produce
(the ``construct_build`` fixture of conftest.py, built once per session with ``--all``).

Shared by test_pdf.py and test_pdf_compat.py.
"""

from __future__ import annotations

from pathlib import Path

from conftest import make_tree

PHASE = """---
title: Fase {n}, {stem}
---

# Fase {n}: {name}

{body}

## Vereisten

<!-- list_vereisten levenscyclus/{stem} no-search -->

## Maatregelen

<!-- list_maatregelen levenscyclus/{stem} -->
"""

RECORD = """---
title: {title}
id: urn:nl:ak:{kind}:{code}
levenscyclus:
- {phase}
onderwerp:
- transparantie
rollen:
- jurist
{extra}---

<!-- tags -->

## {heading}

{body}
"""

CONSTRUCTS = """---
title: Bouwstenen
---

# Bouwstenen

Een zin met een afkorting {abbr}`AVG (Algemene verordening gegevensbescherming)` en een voetnoot[^1].

[^1]: De tekst van de voetnoot.

```{note}
Een gewone notitie.
```

```{admonition} Gelukt
:class: success

Een eigen soort melding.
```

:::{admonition} Leeg blok
:class: warning
<!-- alleen een commentaar -->
:::

```{dropdown} Uitklapper met inhoud
Tekst in de uitklapper die open gedrukt moet worden.
```

````{tab-set}
```{tab-item} Eerste tab
Inhoud van de eerste tab.
```
```{tab-item} Tweede tab
Inhoud van de tweede tab.
```
````

````{grid} 2
```{grid-item-card} Kaart een
:link: levenscyclus/ontwerp
:link-type: doc

Tekst van kaart een.
```
```{grid-item-card} Kaart twee
Tekst van kaart twee.
```
````

```{button-link} https://example.org/knop
Naar de knop
```

Een badge {bdg-primary}`belangrijk` en een icoon {octicon}`check` in de tekst.

```mermaid
graph LR
  Begin --> Einde
```

<div class="blok"><p>Tekst in een HTML-blok met <a href="https://example.org/html">een link</a>.</p></div>

Inline <a href="https://example.org/inline">een inline link</a> in HTML.

![Een grote schermafdruk](afbeeldingen/groot.png)

Een zin met een brede afbeelding ![breed](afbeeldingen/breed.jpg) in de tekst en een icoon ![icoon](afbeeldingen/icoon.png).

| Kolom A | Kolom B |
|---|---|
{rows}
```{dropdown} Uitklapper met een lange tabel

| Kolom C | Kolom D |
|---|---|
{long_rows}```

Einde van de bouwstenen.
"""


def construct_tree(root: Path) -> Path:
    from PIL import Image

    rows = "".join(f"| rij {i} a | rij {i} b met wat meer tekst |\n" for i in range(1, 260))  # with the rest, past 20 pages
    files = {
        "index.md": "---\ntitle: Proefkader\n---\n\n# Welkom bij het proefkader\n\nZie [de ontwerpfase](levenscyclus/ontwerp.md) en [een externe site](https://example.org/kader).\n",
        "levenscyclus/index.md": "---\ntitle: Levenscyclus\n---\n\n# Levenscyclus\n\nDe fasen.\n",
        "levenscyclus/ontwerp.md": PHASE.format(n=2, stem="ontwerp", name="Ontwerp", body="In het ontwerp kies je de aanpak."),
        "levenscyclus/implementatie.md": PHASE.format(n=6, stem="implementatie", name="Implementatie", body="Je neemt het systeem in gebruik."),
        "onderwerpen/index.md": "---\ntitle: Onderwerpen\n---\n\n# Onderwerpen\n\nThema's.\n",
        "onderwerpen/transparantie.md": "---\ntitle: Transparantie\n---\n\n# Transparantie\n\nOpen zijn.\n",
        "rollen/index.md": "---\ntitle: Rollen\n---\n\n# Rollen\n\nWie doet wat.\n",
        "rollen/jurist.md": "---\ntitle: Jurist\n---\n\n# Jurist\n\nDe jurist.\n",
        "voldoen-aan-wetten-en-regels/index.md": "---\ntitle: Voldoen aan wetten en regels\n---\n\n# Voldoen aan wetten en regels\n\nOverzicht.\n",
        "voldoen-aan-wetten-en-regels/vereisten/index.md": "---\ntitle: Vereisten\n---\n\n# Vereisten\n\n<!-- list_vereisten -->\n",
        "voldoen-aan-wetten-en-regels/maatregelen/index.md": "---\ntitle: Maatregelen\n---\n\n# Maatregelen\n\n<!-- list_maatregelen -->\n",
        "voldoen-aan-wetten-en-regels/hulpmiddelen/index.md": "---\ntitle: Hulpmiddelen\n---\n\n# Hulpmiddelen\n\nNog geen.\n",
        "voldoen-aan-wetten-en-regels/vereisten/avg-01-rechtmatig.md": RECORD.format(
            title="Organisaties verwerken persoonsgegevens rechtmatig",
            kind="ver",
            code="avg-01",
            phase="ontwerp",
            extra="",
            heading="Vereiste",
            body="Verwerk alleen met een grondslag. Zie ook [de uitlegvereiste](aia-02-uitleg.md).",
        ),
        "voldoen-aan-wetten-en-regels/vereisten/aia-02-uitleg.md": RECORD.format(
            title="Betrokkenen krijgen uitleg over besluiten",
            kind="ver",
            code="aia-02",
            phase="implementatie",
            extra="",
            heading="Vereiste",
            body="Geef uitleg over elk besluit.",
        ),
        "voldoen-aan-wetten-en-regels/maatregelen/2-owp-01-dpia.md": RECORD.format(
            title="Voer een DPIA uit",
            kind="mtr",
            code="owp-01",
            phase="ontwerp",
            extra="vereiste:\n- avg-01-rechtmatig\n",
            heading="Maatregel",
            body="Doe een DPIA.\n\n## Bijbehorende vereisten\n\n<!-- list_vereisten_on_maatregelen_page -->",
        ),
        "voldoen-aan-wetten-en-regels/maatregelen/6-imp-01-uitleg.md": RECORD.format(
            title="Leg besluiten uit aan betrokkenen",
            kind="mtr",
            code="imp-01",
            phase="implementatie",
            extra="vereiste:\n- aia-02-uitleg\n",
            heading="Maatregel",
            body="Leg uit.",
        ),
        "bouwstenen.md": CONSTRUCTS.replace("{rows}", rows).replace("{long_rows}", "".join(f"| lang {i} | cel {i} |\n" for i in range(1, 120))),
    }
    make_tree(root, files)
    (root / "afbeeldingen").mkdir()
    Image.new("RGBA", (2400, 1400), (30, 90, 160, 200)).save(root / "afbeeldingen" / "groot.png")
    Image.new("RGB", (3000, 300), (200, 40, 40)).save(root / "afbeeldingen" / "breed.jpg", quality=80)
    Image.new("RGBA", (32, 32), (0, 120, 0, 128)).save(root / "afbeeldingen" / "icoon.png")
    return root
