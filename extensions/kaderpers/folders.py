"""Names of folders that the command line and the PDF builder share (no imports: any layer may read them)."""

#: Where a build writes before it publishes: ``OUT/.staging/html``, ``OUT/.staging/doctrees``, ``OUT/.staging/pdf``.
STAGING = ".staging"
#: The print copies of images and diagrams: ``OUT/pdf-cache`` unless this environment variable names a folder
#: that builds into different output folders share (``--versions`` shares one between its releases).
PRINT_CACHE_VARIABLE = "KADERPERS_PRINT_CACHE"
PRINT_CACHE = "pdf-cache"
