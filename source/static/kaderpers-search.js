/* The instant search in the header (kaderpers, site/search.py makes its index).
 *
 * Opens as a dialog with "/", Ctrl+K (⌘K) or the header's search field. The index and Sphinx's
 * Dutch Snowball stemmer (language_data.js) are loaded by script elements on first use, so the
 * search works offline and from file:// under the site's CSP (no eval, no inline script).
 * The input is an ARIA combobox over a listbox of options grouped by kind; the active option is
 * named by aria-activedescendant, so focus stays in the field. Page text reaches the DOM only as
 * text nodes.
 */
"use strict";

(() => {
  const MAX_RESULTS = 12;
  const EXCERPT = 180;
  const KIND_LABELS = {
    vereiste: "Vereisten",
    maatregel: "Maatregelen",
    hulpmiddel: "Hulpmiddelen",
    pagina: "Pagina's",
    sectie: "Secties",
  };
  // Factors of the ways a query word reaches a stem of the index.
  const NEAR = 0.9;
  const NEAR_STEM = 5;
  const PREFIX = 0.7;
  const PREFIX_OF_WORD = 0.35;
  const TYPO = 0.6;
  const COMPOUND = 0.5;
  const MIN_PART = 4;
  const LINKS = ["", "s", "en", "e"];

  const root = () => document.documentElement.dataset.content_root || "";
  let engine = null;
  let loading = null;

  const loadScript = (src) =>
    new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = src;
      script.onload = resolve;
      script.onerror = () => reject(new Error(`${src} could not be loaded`));
      document.head.appendChild(script);
    });

  const fold = (text) =>
    text.toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "");
  const tokens = (text) => fold(text).match(/[a-z0-9]+/g) || [];
  const CODE = /(?:urn:nl:ak:[a-z]+:)?([a-z]+)-0*(\d+)/g;

  /* One edit (insert, delete, substitute or swap two neighbours) turns a into b. */
  const oneEdit = (a, b) => {
    if (a === b || Math.abs(a.length - b.length) > 1) return false;
    let i = 0;
    while (i < a.length && i < b.length && a[i] === b[i]) i += 1;
    if (a.length === b.length) {
      if (a.slice(i + 1) === b.slice(i + 1)) return true;
      return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
    }
    return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
  };

  class Engine {
    constructor(index, stemmer, stopwords) {
      this.docs = index.docs;
      this.terms = index.terms;
      this.words = index.words;
      this.codes = index.codes;
      this.stemOf = new Map(index.words.map((word, i) => [word, index.stems[i]]));
      this.stemList = Object.keys(index.terms).sort();
      this.stemmer = stemmer;
      this.stopwords = stopwords;
      this.postings = new Map();
    }

    stem(word) {
      return this.stemOf.get(word) || this.stemmer.stemWord(word);
    }

    scores(stem) {
      let found = this.postings.get(stem);
      if (!found) {
        found = new Map();
        const list = this.terms[stem] || [];
        for (let i = 0; i < list.length; i += 2) found.set(list[i], list[i + 1]);
        this.postings.set(stem, found);
      }
      return found;
    }

    /* Entries of a sorted list that start with prefix. */
    static withPrefix(list, prefix, limit) {
      let low = 0;
      let high = list.length;
      while (low < high) {
        const middle = (low + high) >> 1;
        if (list[middle] < prefix) low = middle + 1;
        else high = middle;
      }
      const found = [];
      for (let i = low; i < list.length && found.length < limit; i += 1) {
        if (!list[i].startsWith(prefix)) break;
        found.push(list[i]);
      }
      return found;
    }

    known(word) {
      return this.stemOf.has(word) && !this.stopwords.has(word);
    }

    /* The parts of a compound that the index knows ("verwerkingsregister" → verwerking, register). */
    parts(word) {
      if (word.length < 2 * MIN_PART) return [];
      for (let cut = word.length - MIN_PART; cut >= MIN_PART; cut -= 1) {
        const head = word.slice(0, cut);
        const tail = word.slice(cut);
        if (!this.known(tail)) continue;
        for (const link of LINKS) {
          if (link && !head.endsWith(link)) continue;
          const base = head.slice(0, head.length - link.length);
          if (base.length >= MIN_PART && this.known(base)) return [base, tail];
          if (base.length >= 2 * MIN_PART) {
            const inner = this.parts(base);
            if (inner.length) return [...inner, tail];
          }
        }
      }
      return [];
    }

    /* Per page, the best score of the ways this query word reaches it, and the stems it took. */
    match(word, typing) {
      const ways = new Map(); // stem → factor
      const add = (stem, factor) => {
        if (this.terms[stem] && (ways.get(stem) || 0) < factor) ways.set(stem, factor);
      };
      const own = this.stem(word);
      add(own, 1);
      // Snowball leaves some inflections a letter or two apart ("wachtwoorden" → wachtwor,
      // "wachtwoord" → wachtword): stems that differ only in their last two letters are near.
      if (own.length >= NEAR_STEM) {
        for (let cut = 1; cut <= 2 && own.length - cut >= NEAR_STEM; cut += 1) add(own.slice(0, -cut), NEAR);
        for (const longer of Engine.withPrefix(this.stemList, own.slice(0, -1), 40)) {
          if (longer.length - own.length <= 2) add(longer, NEAR);
        }
      }
      if (typing && word.length >= 2) {
        // A word the kader uses is probably complete: its longer words count for less.
        const factor = this.stemOf.has(word) ? PREFIX_OF_WORD : PREFIX;
        for (const longer of Engine.withPrefix(this.words, word, 40)) add(this.stem(longer), factor);
      }
      if (!ways.size && word.length >= 6) {
        for (const other of this.words) {
          if (oneEdit(word, other)) add(this.stem(other), TYPO);
        }
      }
      const found = new Map();
      for (const [stem, factor] of ways) {
        for (const [doc, score] of this.scores(stem)) {
          const value = score * factor;
          if ((found.get(doc) || 0) < value) found.set(doc, value);
        }
      }
      const stems = new Set(ways.keys());
      // A compound also finds the pages that use its parts, all of them.
      const parts = this.parts(word);
      if (parts.length) {
        const each = parts.map((part) => this.scores(this.stem(part)));
        for (const [doc, score] of each[0]) {
          const least = Math.min(score, ...each.slice(1).map((scores) => scores.get(doc) || 0));
          const value = least * COMPOUND;
          if (value > 0 && (found.get(doc) || 0) < value) found.set(doc, value);
        }
        parts.forEach((part) => stems.add(this.stem(part)));
      }
      return { found, stems };
    }

    search(query) {
      const folded = fold(query);
      const codes = new Set();
      for (const code of folded.matchAll(CODE)) {
        for (const doc of this.codes[`${code[1]}-${Number(code[2])}`] || []) codes.add(doc);
      }
      let words = tokens(query);
      const meaningful = words.filter((word) => !this.stopwords.has(word));
      if (meaningful.length) words = meaningful;
      const typing = !/\s$/.test(query);
      const matches = words.map((word, i) => this.match(word, typing && i === words.length - 1));
      const totals = new Map();
      matches.forEach(({ found }) => {
        for (const [doc, score] of found) {
          const total = totals.get(doc) || { score: 0, matched: 0 };
          total.score += score;
          total.matched += 1;
          totals.set(doc, total);
        }
      });
      const phrase = words.length > 1 ? words.join(" ") : "";
      const ranked = [];
      for (const [doc, total] of totals) {
        let score = total.score * (total.matched / words.length) ** 2;
        if (phrase && tokens(this.docs[doc][1]).join(" ").includes(phrase)) score *= 1.5;
        if (codes.has(doc)) score += 1e6;
        ranked.push([doc, score]);
      }
      for (const doc of codes) if (!totals.has(doc)) ranked.push([doc, 1e6]);
      ranked.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
      // One result per page: a section only when neither its page nor another of its sections ranks higher.
      const shownPages = new Set();
      const distinct = ranked.filter(([doc]) => {
        const page = this.docs[doc][0].split("#")[0];
        if (shownPages.has(page)) return false;
        shownPages.add(page);
        return true;
      });
      const stems = new Set();
      matches.forEach((match) => match.stems.forEach((stem) => stems.add(stem)));
      return { results: distinct.slice(0, MAX_RESULTS).map(([doc]) => doc), stems, words };
    }

    /* The page text around the first matched word, as [text, marked] pieces. */
    excerpt(doc, stems, words) {
      const text = this.docs[doc][4];
      const pieces = [];
      const marked = (word) => {
        const folded = fold(word);
        // the query's stems, its words as prefixes, and its words inside compounds
        return stems.has(this.stem(folded)) || words.some((w) => (w.length >= 3 && folded.startsWith(w)) || (w.length >= MIN_PART && folded.includes(w)));
      };
      const spans = [];
      for (const found of text.matchAll(/[\p{L}\p{N}]+/gu)) {
        if (marked(found[0])) spans.push([found.index, found.index + found[0].length]);
      }
      let start = spans.length ? Math.max(0, spans[0][0] - 40) : 0;
      if (start > 0) start = text.indexOf(" ", start) + 1 || start;
      let end = Math.min(text.length, start + EXCERPT);
      if (end < text.length) end = text.lastIndexOf(" ", end) > start ? text.lastIndexOf(" ", end) : end;
      let at = start;
      for (const [from, to] of spans) {
        if (from < start || to > end) continue;
        if (from > at) pieces.push([text.slice(at, from), false]);
        pieces.push([text.slice(from, to), true]);
        at = to;
      }
      if (at < end) pieces.push([text.slice(at, end), false]);
      if (start > 0) pieces.unshift(["… ", false]);
      if (end < text.length) pieces.push([" …", false]);
      return pieces;
    }
  }

  const load = () => {
    if (!loading) {
      const needed = [];
      if (typeof window.Stemmer !== "function") needed.push(loadScript(`${root()}_static/language_data.js`));
      if (!window.kaderpersSearchIndex) needed.push(loadScript(`${root()}_static/kaderpers-search-index.js`));
      loading = Promise.all(needed).then(() => {
        const stopwords = new Set(window.stopwords || []);
        engine = new Engine(window.kaderpersSearchIndex, new window.Stemmer(), stopwords);
        return engine;
      });
    }
    return loading;
  };

  const element = (tag, attributes = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
    children.forEach((child) => node.append(child));
    return node;
  };

  /* The full results page: the address the theme's own search form submits to. */
  const resultsPage = () => {
    const form = document.querySelector("#pst-search-dialog form, form.bd-search");
    return (form && form.getAttribute("action")) || `${root()}search.html`;
  };

  let dialog = null;
  let field = null;
  let listbox = null;
  let status = null;
  let allLink = null;
  let options = [];
  let active = -1;

  const setActive = (index) => {
    options.forEach((option, i) => option.setAttribute("aria-selected", String(i === index)));
    active = index;
    if (index >= 0) {
      field.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({ block: "nearest" });
    } else {
      field.removeAttribute("aria-activedescendant");
    }
  };

  const open = (option) => {
    window.location.href = option.dataset.href;
  };

  const render = (query, started) => {
    const current = field.value;
    if (current !== query) return; // a later keystroke won
    listbox.replaceChildren();
    options = [];
    const url = new URL(resultsPage(), window.location.href);
    url.searchParams.set("q", query.trim());
    allLink.href = url.href;
    allLink.hidden = !query.trim();
    if (!query.trim()) {
      field.setAttribute("aria-expanded", "false");
      status.textContent = "";
      setActive(-1);
      return;
    }
    const { results, stems, words } = engine.search(query);
    // Results stay in the order of their rank; neighbours of one kind share a group.
    const groups = [];
    results.forEach((doc) => {
      const kind = engine.docs[doc][2];
      if (!groups.length || groups[groups.length - 1][0] !== kind) groups.push([kind, []]);
      groups[groups.length - 1][1].push(doc);
    });
    for (const [kind, docs] of groups) {
      const label = KIND_LABELS[kind] || kind;
      const group = element("div", { role: "group", "aria-label": label, class: "kp-search-group" });
      group.append(element("div", { class: "kp-search-group-label", "aria-hidden": "true" }, label));
      for (const doc of docs) {
        const [href, title, , chip, , parent] = engine.docs[doc];
        const id = `kp-search-option-${options.length}`;
        const option = element("div", { role: "option", id, "aria-selected": "false", class: "kp-search-option" });
        option.dataset.href = new URL(href, new URL(root() || "./", window.location.href)).href;
        const heading = element("div", { class: "kp-search-title" });
        if (chip) heading.append(element("span", { class: "kp-search-chip" }, chip));
        heading.append(element("span", { class: "kp-search-name" }, title));
        option.append(heading);
        if (parent) option.append(element("div", { class: "kp-search-parent" }, parent));
        const excerpt = element("div", { class: "kp-search-excerpt" });
        for (const [text, marked] of engine.excerpt(doc, stems, words)) {
          excerpt.append(marked ? element("mark", {}, text) : document.createTextNode(text));
        }
        option.append(excerpt);
        option.addEventListener("click", () => open(option));
        const index = options.length;
        option.addEventListener("mousemove", () => {
          if (active !== index) setActive(index);
        });
        options.push(option);
        group.append(option);
      }
      listbox.append(group);
    }
    field.setAttribute("aria-expanded", String(options.length > 0));
    status.textContent = options.length ? `${options.length} resultaten` : "Geen resultaten";
    setActive(options.length ? 0 : -1);
    listbox.dataset.query = query;
    listbox.dataset.searchMs = (performance.now() - started).toFixed(2);
  };

  const build = () => {
    // The theme's own field carries the site's search text (html_theme_options search_bar_text).
    const themeField = document.querySelector("#pst-search-dialog input[name=q]");
    const label = (themeField && themeField.getAttribute("placeholder")) || "Zoeken";
    field = element("input", {
      type: "text",
      role: "combobox",
      "aria-autocomplete": "list",
      "aria-expanded": "false",
      "aria-controls": "kp-search-results",
      "aria-label": label,
      placeholder: label,
      autocomplete: "off",
      autocapitalize: "off",
      spellcheck: "false",
      enterkeyhint: "search",
      class: "kp-search-input",
    });
    listbox = element("div", { role: "listbox", id: "kp-search-results", "aria-label": "Zoekresultaten", class: "kp-search-results" });
    status = element("p", { class: "visually-hidden", "aria-live": "polite" });
    allLink = element("a", { class: "kp-search-all" }, "Alle resultaten op de zoekpagina");
    allLink.hidden = true;
    const close = element("button", { type: "button", class: "kp-search-close" }, "Sluiten");
    close.addEventListener("click", () => dialog.close());
    dialog = element(
      "dialog",
      { class: "kp-search", id: "kp-search-dialog", "aria-label": "Zoeken" },
      element("div", { class: "kp-search-bar" }, field, close),
      listbox,
      element("div", { class: "kp-search-footer" }, allLink),
      status,
    );
    field.addEventListener("input", (event) => {
      const started = event.timeStamp; // the keystroke, on performance.now()'s clock
      load().then(() => render(field.value, started));
    });
    field.addEventListener("keydown", (event) => {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (!options.length) return;
        const step = event.key === "ArrowDown" ? 1 : -1;
        setActive((active + step + options.length) % options.length);
      } else if (event.key === "Enter") {
        event.preventDefault();
        if (active >= 0) open(options[active]);
        else if (field.value.trim()) window.location.href = allLink.href;
      }
    });
    dialog.addEventListener("click", (event) => {
      if (event.target === dialog) dialog.close(); // the backdrop
    });
    document.body.append(dialog);
  };

  const show = () => {
    if (!dialog) build();
    if (!dialog.open) dialog.showModal();
    field.focus();
    field.select();
    load().catch(() => {
      status.textContent = "De zoekindex kon niet worden geladen.";
    });
  };

  const typingInto = (target) =>
    target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));

  // Registered before the theme's listener (also on window, capturing), so its own dialog stays shut.
  window.addEventListener(
    "keydown",
    (event) => {
      const modifier = /Mac|iPhone|iPad/.test(navigator.platform) ? event.metaKey && !event.ctrlKey : event.ctrlKey && !event.metaKey;
      if (modifier && !event.shiftKey && !event.altKey && /^k$/i.test(event.key)) {
        event.preventDefault();
        event.stopImmediatePropagation();
        show();
      } else if (event.key === "/" && !event.ctrlKey && !event.metaKey && !event.altKey && !typingInto(event.target)) {
        event.preventDefault();
        show();
      }
    },
    true,
  );

  const wire = () => {
    document.querySelectorAll(".kp-search-button").forEach((button) => button.addEventListener("click", show));
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", wire);
  else wire();
  window.kaderpersSearch = { show, load, search: (query) => load().then(() => engine.search(query)) };
})();
