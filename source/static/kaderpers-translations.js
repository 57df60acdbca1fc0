/*
 * Loaded after Sphinx's doctools.js and before its translations.js.
 *
 * 1. doctools.js compiles a catalog's plural rule with `new Function`, which a strict
 *    Content-Security-Policy (no 'unsafe-eval') refuses, so the catalog would be lost.
 *    This version looks the rule up instead of evaluating it.
 * 2. Sphinx's Dutch catalog has the search summary as an empty string, so the search
 *    page said nothing about its results; the Dutch text is supplied here.
 */
(() => {
  const PLURAL_RULES = {
    "(n != 1)": (n) => Number(n !== 1),
    "(n > 1)": (n) => Number(n > 1),
    "0": () => 0,
  };
  const DUTCH = {
    "Search finished, found one page matching the search query.": [
      "Zoeken klaar: één pagina gevonden.",
      "Zoeken klaar: ${resultCount} pagina's gevonden.",
    ],
  };
  const isEmpty = (text) => (Array.isArray(text) ? text.every((form) => !form) : !text);

  Documentation.addTranslations = (catalog) => {
    const messages = Object.fromEntries(Object.entries(catalog.messages).filter(([, text]) => !isEmpty(text)));
    Object.assign(Documentation.TRANSLATIONS, catalog.locale === "nl" ? { ...DUTCH, ...messages } : messages);
    Documentation.PLURAL_EXPR = PLURAL_RULES[catalog.plural_expr] || ((n) => Number(n !== 1));
    Documentation.LOCALE = catalog.locale;
  };
})();
