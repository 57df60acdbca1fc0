/*
 * kaderpers: the filter layer of the kader tables.
 *
 * Works on every `.kp-list.kp-search` container that kaderpers.tables emits:
 * a text search, a multi-select per chip column (options from the chip texts),
 * a live result count, sortable column headers and, where the container has a
 * `kp-profile-data` island, the AI-verordening profile filter.
 *
 * Plain DOM code loaded from a file: no inline handlers, no innerHTML with
 * content, no eval, no requests. Rows are hidden with the `hidden` attribute.
 */
(function () {
  "use strict";

  var dom = window.kaderpersDom;
  var h = dom.h;
  var readIsland = dom.readIsland;
  var collator = new Intl.Collator("nl", { numeric: true, sensitivity: "base" });

  /** Create an element; `props` are DOM properties, `children` nodes or strings. */
  function clean(text) {
    return text.replace(/\s+/g, " ").trim();
  }

  function columnKey(cell) {
    for (var i = 0; i < cell.classList.length; i++) {
      var name = cell.classList[i];
      if (name.indexOf("kp-col-") === 0) return name.slice(7);
    }
    return "";
  }

  /** The values of a cell: its chip texts, or its whole text when it has no chips. */
  function cellValues(cell) {
    var chips = cell.querySelectorAll(".kp-chip");
    if (chips.length) {
      return Array.prototype.map.call(chips, function (chip) { return clean(chip.textContent); });
    }
    var text = clean(cell.textContent);
    return text ? [text] : [];
  }

  /** The AI-verordening profile test, from kaderpers-profile.js (loaded before this file; without it nothing is hidden). */
  function profileMatches(record, answers) {
    return window.kaderpersProfile ? window.kaderpersProfile.matches(record, answers) : true;
  }

  // -- one table ---------------------------------------------------------------------------

  function KaderTable(container, number) {
    this.container = container;
    this.prefix = container.id || "kp-lijst-" + number;
    this.table = container.querySelector("table.kp-table");
    this.tbody = this.table.tBodies[0];
    this.data = readIsland(container, "kp-table-data") || { plural: "rijen", filterable: [], order: {} };
    this.profile = readIsland(container, "kp-profile-data");
    this.headers = Array.prototype.slice.call(this.table.tHead.rows[0].cells);
    this.columns = this.headers.map(columnKey);
    this.rows = Array.prototype.map.call(this.tbody.rows, function (tr, position) {
      var cells = Array.prototype.slice.call(tr.cells);
      return {
        tr: tr,
        position: position,
        text: clean(tr.textContent).toLowerCase(),
        values: cells.map(cellValues),
        sortText: cells.map(function (cell) { return clean(cell.textContent); }),
      };
    });
    if (this.profile) {
      var profileRows = this.profile.rows || [];
      this.rows.forEach(function (row) { row.profile = profileRows[row.position]; });
    }
    this.selected = {};
    this.answers = new Map();
    this.query = "";
    this.sort = { index: -1, direction: "none" };
    this.build();
    this.apply();
  }

  KaderTable.prototype.build = function () {
    var self = this;
    var plural = this.data.plural;
    var bar = h("div", { className: "kp-filters", attrs: { role: "search", "aria-label": "Filter de " + plural } });

    var searchId = this.prefix + "-zoek";
    this.search = h("input", { type: "search", id: searchId, className: "kp-search-input", placeholder: "Titel, wet, rol, onderwerp\u2026", autocomplete: "off" });
    this.search.addEventListener("input", function () {
      self.query = clean(self.search.value).toLowerCase();
      self.apply();
    });
    bar.appendChild(h("div", { className: "kp-filter-search" }, [h("label", { htmlFor: searchId }, ["Zoek in de " + plural]), this.search]));

    this.multiselects = [];
    (this.data.filterable || []).forEach(function (column) {
      var index = self.columns.indexOf(column);
      if (index >= 0) bar.appendChild(self.buildMultiselect(column, index));
    });

    this.reset = h("button", { type: "button", className: "kp-reset" }, ["Wis filters"]);
    this.reset.addEventListener("click", function () { self.clear(); });
    bar.appendChild(this.reset);

    this.count = h("p", { className: "kp-count", attrs: { role: "status", "aria-live": "polite" } });

    var wrapper = this.table.parentElement === this.container ? this.table : this.table.parentElement;
    this.container.insertBefore(bar, wrapper);
    if (this.profile) this.container.insertBefore(this.buildProfile(), wrapper);
    this.container.insertBefore(this.count, wrapper);

    this.headers.forEach(function (th, index) { self.makeSortable(th, index); });
  };

  /** The options of a column: the distinct chip texts, in the table's order for that column or alphabetically. */
  KaderTable.prototype.options = function (column, index) {
    var seen = new Set();
    this.rows.forEach(function (row) { row.values[index].forEach(function (v) { seen.add(v); }); });
    var values = Array.from(seen);
    var order = (this.data.order || {})[column];
    if (order) {
      values.sort(function (a, b) {
        var ia = order.indexOf(a), ib = order.indexOf(b);
        if (ia < 0) ia = order.length;
        if (ib < 0) ib = order.length;
        return ia - ib || collator.compare(a, b);
      });
    } else {
      values.sort(collator.compare);
    }
    return values;
  };

  KaderTable.prototype.buildMultiselect = function (column, index) {
    var self = this;
    var title = clean(this.headers[index].textContent);
    var count = h("span", { className: "kp-multiselect-count" });
    var summary = h("summary", {}, [title, count]);
    var fieldset = h("fieldset", {}, [h("legend", { className: "kp-visually-hidden" }, ["Filter op " + title.toLowerCase()])]);
    var chosen = new Set();
    this.selected[index] = chosen;
    var boxes = [];
    this.options(column, index).forEach(function (value, position) {
      var id = self.prefix + "-" + column + "-" + position;
      var box = h("input", { type: "checkbox", id: id, value: value });
      box.addEventListener("change", function () {
        if (box.checked) chosen.add(value); else chosen.delete(value);
        count.textContent = chosen.size ? " (" + chosen.size + ")" : "";
        self.apply();
      });
      boxes.push(box);
      fieldset.appendChild(h("div", { className: "kp-option" }, [box, h("label", { htmlFor: id }, [value])]));
    });
    var details = h("details", { className: "kp-multiselect kp-multiselect-" + column }, [summary, fieldset]);
    details.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && details.open) {
        details.open = false;
        summary.focus();
      }
    });
    this.multiselects.push({ boxes: boxes, chosen: chosen, count: count });
    return details;
  };

  KaderTable.prototype.buildProfile = function () {
    var self = this;
    var fieldset = h("fieldset", { className: "kp-profile-filter" }, [
      h("legend", {}, ["Filter op je AI-verordening-profiel"]),
      h("p", { className: "kp-hint" }, ["Kies wat voor jouw toepassing geldt. Laat een vraag op \u2018Alles\u2019 staan als je het niet weet: dan telt elk antwoord."]),
    ]);
    var grid = h("div", { className: "kp-profile-questions" });
    this.profileSelects = {};
    (this.profile.questions || []).forEach(function (question) {
      var id = self.prefix + "-profiel-" + question.field;
      var select = h("select", { id: id, name: question.field }, [h("option", { value: "" }, ["Alles (weet ik niet)"])]);
      question.choices.forEach(function (choice) {
        select.appendChild(h("option", { value: choice[0] }, [choice[1]]));
      });
      select.addEventListener("change", function () { self.readProfile(); });
      self.profileSelects[question.field] = select;
      grid.appendChild(h("div", { className: "kp-profile-question" }, [h("label", { htmlFor: id }, [question.label]), select]));
    });
    fieldset.appendChild(grid);
    this.profileFromUrl();
    return fieldset;
  };

  /** A profile given in the query (`?rol-ai-act=aanbieder&risicogroep=...`, as the beslishulp links). */
  KaderTable.prototype.profileFromUrl = function () {
    var params = new URLSearchParams(window.location.search);
    var selects = this.profileSelects;
    var given = false;
    Object.keys(selects).forEach(function (field) {
      var select = selects[field];
      var texts = {};
      Array.prototype.forEach.call(select.options, function (option) { if (option.value) texts[option.value] = option.textContent; });
      var values = params.getAll(field).filter(function (value, at, all) { return texts[value] && all.indexOf(value) === at; });
      if (!values.length) return;
      given = true;
      if (values.length > 1) {
        var labels = values.map(function (value) { return texts[value]; });
        select.appendChild(h("option", { value: values.join(",") }, [labels.join(" of ")]));
      }
      select.value = values.join(",");
    });
    if (given) this.readProfile(true);
  };

  /** Read the selects; answers that the soort toepassing makes meaningless are cleared and disabled. */
  KaderTable.prototype.readProfile = function (quiet) {
    var selects = this.profileSelects;
    var soort = selects["soort-toepassing"];
    var notAsked = new Set((this.profile.notAsked || {})[soort ? "soort-toepassing-" + soort.value : ""] || []);
    var answers = new Map();
    Object.keys(selects).forEach(function (field) {
      var select = selects[field];
      select.disabled = notAsked.has(field);
      if (select.disabled) select.value = "";
      if (select.value) answers.set(field, select.value.split(","));
    });
    this.answers = answers;
    if (!quiet) this.apply();
  };

  KaderTable.prototype.makeSortable = function (th, index) {
    var self = this;
    var label = clean(th.textContent);
    var button = h("button", { type: "button", className: "kp-sort" }, [label, h("span", { className: "kp-sort-icon", attrs: { "aria-hidden": "true" } })]);
    button.addEventListener("click", function () { self.sortBy(index); });
    th.textContent = "";
    th.appendChild(button);
    th.setAttribute("aria-sort", "none");
  };

  KaderTable.prototype.sortKey = function (row, index) {
    var order = (this.data.order || {})[this.columns[index]];
    if (order) {
      var best = order.length;
      row.values[index].forEach(function (v) { var at = order.indexOf(v); if (at >= 0 && at < best) best = at; });
      return best;
    }
    return row.sortText[index];
  };

  /** Cycle a column through ascending, descending and the original order. */
  KaderTable.prototype.sortBy = function (index) {
    var self = this;
    var next = "ascending";
    if (this.sort.index === index) next = { ascending: "descending", descending: "none", none: "ascending" }[this.sort.direction];
    this.sort = { index: index, direction: next };
    this.headers.forEach(function (th, i) { th.setAttribute("aria-sort", i === index ? next : "none"); });
    var sign = next === "descending" ? -1 : 1;
    var ordered = this.rows.slice().sort(function (a, b) {
      if (next === "none") return a.position - b.position;
      var ka = self.sortKey(a, index), kb = self.sortKey(b, index);
      var c = typeof ka === "number" ? ka - kb : collator.compare(ka, kb);
      return sign * c || a.position - b.position;
    });
    ordered.forEach(function (row) { self.tbody.appendChild(row.tr); });
  };

  KaderTable.prototype.clear = function () {
    this.search.value = "";
    this.query = "";
    this.multiselects.forEach(function (m) {
      m.boxes.forEach(function (box) { box.checked = false; });
      m.chosen.clear();
      m.count.textContent = "";
    });
    if (this.profileSelects) {
      var selects = this.profileSelects;
      Object.keys(selects).forEach(function (field) { selects[field].value = ""; selects[field].disabled = false; });
      this.answers = new Map();
    }
    this.apply();
  };

  /** Search, multi-selects (any chosen value within one, all of them together) and profile, combined. */
  KaderTable.prototype.apply = function () {
    var self = this;
    var shown = 0;
    this.rows.forEach(function (row) {
      var visible = (!self.query || row.text.indexOf(self.query) >= 0) && profileMatches(row.profile, self.answers);
      Object.keys(self.selected).forEach(function (index) {
        var chosen = self.selected[index];
        if (visible && chosen.size && !row.values[index].some(function (v) { return chosen.has(v); })) visible = false;
      });
      row.tr.hidden = !visible;
      if (visible) shown += 1;
    });
    var total = this.rows.length;
    var plural = this.data.plural;
    this.count.textContent = shown === total ? total + " " + plural : shown + " van " + total + " " + plural + " getoond";
  };

  function start() {
    var containers = document.querySelectorAll(".kp-list.kp-search");
    Array.prototype.forEach.call(containers, function (container, number) {
      if (container.querySelector("table.kp-table")) new KaderTable(container, number + 1);
    });
    // Build-time exports: save instead of opening in the browser.
    Array.prototype.forEach.call(document.querySelectorAll(".kp-downloads a[href]"), function (link) {
      var path = link.getAttribute("href").split(/[?#]/)[0];
      link.setAttribute("download", path.slice(path.lastIndexOf("/") + 1));
    });
  }

  dom.whenReady(start);
})();
