"""Names in the output folder that the command line and the PDF builder share (no imports: any layer may read them)."""

#: Where a build writes before it publishes: ``OUT/.staging/html``, ``OUT/.staging/doctrees``, ``OUT/.staging/pdf``.
STAGING = ".staging"
