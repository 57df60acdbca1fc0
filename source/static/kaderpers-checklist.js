/*
 * kaderpers: Mijn checklist.
 *
 * The selection is the query, with the front-matter keys as names
 * (`?rollen=jurist&levenscyclus=ontwerp&rol-ai-act=aanbieder`; a key may repeat,
 * and a value may list several separated by commas). Within a key any chosen value
 * counts; all keys together must hold. The records come from the
 * `kp-checklist-data` island; checks and notes are kept in localStorage per
 * selection. Plain DOM code: no inline handlers, no innerHTML, no requests.
 */
(function () {
  "use strict";

  var dom = window.kaderpersDom;
  var h = dom.h;
  var STORAGE_PREFIX = "kaderpers-checklist:";
  /** The parts of a phase, in the order shown: key in records(), heading, kind of record. */
  var PARTS = [
    { key: "vereisten", title: "Vereisten", kind: "vereiste" },
    { key: "maatregelen", title: "Maatregelen", kind: "maatregel" },
    { key: "ook", title: "Ook voor jouw rol en fase", kind: "maatregel",
      explanation: "Maatregelen voor jouw selectie die geen van de getoonde vereisten invullen." },
  ];

  function overlaps(own, chosen) {
    return chosen.some(function (value) { return own.indexOf(value) >= 0; });
  }

  function Checklist(root, data) {
    this.root = root;
    this.data = data;
    this.fields = data.selection.map(function (s) { return s.field; }).concat(data.profile.map(function (p) { return p.field; }));
    this.selection = this.readQuery(window.location.search);
  }

  /** field → chosen values, from a query string; unknown keys and values are left out. */
  Checklist.prototype.readQuery = function (search) {
    var params = new URLSearchParams(search);
    var selection = {};
    var known = {};
    this.data.selection.concat(this.data.profile).forEach(function (group) {
      known[group.field] = group.choices.map(function (choice) { return choice[0]; });
    });
    this.fields.forEach(function (field) {
      var values = [];
      params.getAll(field).forEach(function (raw) {
        raw.split(",").forEach(function (value) {
          if (known[field].indexOf(value) >= 0 && values.indexOf(value) < 0) values.push(value);
        });
      });
      if (values.length) selection[field] = values;
    });
    return selection;
  };

  Checklist.prototype.query = function () {
    var params = new URLSearchParams();
    var selection = this.selection;
    this.fields.forEach(function (field) {
      (selection[field] || []).forEach(function (value) { params.append(field, value); });
    });
    return params.toString();
  };

  Checklist.prototype.storageKey = function () {
    var selection = this.selection;
    var canonical = this.fields.filter(function (f) { return selection[f]; }).map(function (f) {
      return f + "=" + selection[f].slice().sort().join(",");
    }).join("&");
    return STORAGE_PREFIX + canonical;
  };

  Checklist.prototype.load = function () {
    try {
      var stored = JSON.parse(window.localStorage.getItem(this.storageKey()) || "{}");
      return { checked: stored.checked || {}, notes: stored.notes || {} };
    } catch (error) {
      return { checked: {}, notes: {} };
    }
  };

  Checklist.prototype.save = function () {
    try {
      window.localStorage.setItem(this.storageKey(), JSON.stringify(this.state));
    } catch (error) {
      // Storage may be full or switched off: the checklist still works for this visit.
    }
  };

  // -- which records ----------------------------------------------------------------------------

  Checklist.prototype.matchesSelection = function (record) {
    var selection = this.selection;
    return this.data.selection.every(function (group) {
      var chosen = selection[group.field];
      return !chosen || overlaps(record[group.field] || [], chosen);
    });
  };

  /**
   * The records of the selection, in three parts: the vereisten that match, the maatregelen that
   * match and meet one of them, and the maatregelen that match but meet none of them ("ook").
   * A maatregel every vereiste of which the AI-verordening profile rules out serves obligations
   * that do not apply: it is left out.
   */
  Checklist.prototype.records = function () {
    var self = this;
    var answers = new Map();
    this.data.profile.forEach(function (question) {
      if (self.selection[question.field]) answers.set(question.field, self.selection[question.field]);
    });
    var profile = window.kaderpersProfile;
    var shownVereisten = new Set();
    var vereisten = [];
    this.data.vereisten.forEach(function (record, position) {
      if (self.matchesSelection(record) && profile.matches(record, answers)) {
        shownVereisten.add(position);
        vereisten.push(record);
      }
    });
    var maatregelen = [];
    var ook = [];
    this.data.maatregelen.forEach(function (record) {
      if (!self.matchesSelection(record)) return;
      if (record.vereisten.some(function (v) { return shownVereisten.has(v); })) {
        maatregelen.push(record);
      } else if (!(answers.size && record.vereisten.length && record.vereisten.every(function (v) { return !profile.matches(self.data.vereisten[v], answers); }))) {
        ook.push(record);
      }
    });
    return { vereisten: vereisten, maatregelen: maatregelen, ook: ook };
  };

  /** Groups by phase: a record goes under the first chosen phase it belongs to. */
  Checklist.prototype.groups = function (records) {
    var chosen = this.selection.levenscyclus;
    var phases = this.data.phases.filter(function (phase) { return !chosen || chosen.indexOf(phase[0]) >= 0; });
    var groups = phases.map(function (phase) { return { key: phase[0], title: phase[1], vereisten: [], maatregelen: [], ook: [] }; });
    var rest = { key: "", title: "Zonder fase", vereisten: [], maatregelen: [], ook: [] };
    PARTS.forEach(function (part) {
      var kind = part.key;
      records[kind].forEach(function (record) {
        var group = groups.filter(function (g) { return record.levenscyclus.indexOf(g.key) >= 0; })[0] || rest;
        group[kind].push(record);
      });
    });
    return groups.concat([rest]).filter(function (g) { return PARTS.some(function (part) { return g[part.key].length; }); });
  };

  // -- the form -----------------------------------------------------------------------------------

  Checklist.prototype.form = function () {
    var self = this;
    var form = h("form", { className: "kp-checklist-form", method: "get", attrs: { "aria-label": "Kies wat voor jou geldt" } });
    this.data.selection.forEach(function (group) {
      var fieldset = h("fieldset", { className: "kp-checklist-group" }, [h("legend", {}, [group.legend])]);
      var options = h("div", { className: "kp-checklist-options" });
      group.choices.forEach(function (choice) {
        var id = "kp-cl-" + group.field + "-" + choice[0];
        var box = h("input", { type: "checkbox", id: id, name: group.field, value: choice[0] });
        box.checked = (self.selection[group.field] || []).indexOf(choice[0]) >= 0;
        options.appendChild(h("div", { className: "kp-option" }, [box, h("label", { htmlFor: id }, [choice[1]])]));
      });
      fieldset.appendChild(options);
      form.appendChild(fieldset);
    });
    var profile = h("fieldset", { className: "kp-checklist-group kp-profile-filter" }, [h("legend", {}, ["Je situatie onder de AI-verordening"])]);
    var grid = h("div", { className: "kp-profile-questions" });
    this.data.profile.forEach(function (question) {
      var id = "kp-cl-" + question.field;
      var select = h("select", { id: id, name: question.field }, [h("option", { value: "" }, ["Alles (weet ik niet)"])]);
      var texts = {};
      question.choices.forEach(function (choice) {
        texts[choice[0]] = choice[1];
        select.appendChild(h("option", { value: choice[0] }, [choice[1]]));
      });
      var chosen = self.selection[question.field] || [];
      if (chosen.length > 1) {
        select.appendChild(h("option", { value: chosen.join(",") }, [chosen.map(function (v) { return texts[v]; }).join(" of ")]));
      }
      select.value = chosen.join(",");
      grid.appendChild(h("div", { className: "kp-profile-question" }, [h("label", { htmlFor: id }, [question.label]), select]));
    });
    profile.appendChild(grid);
    form.appendChild(profile);
    form.appendChild(h("button", { type: "submit", className: "kp-checklist-submit" }, ["Toon mijn checklist"]));
    form.addEventListener("change", function () {
      self.selection = self.readQuery(new URLSearchParams(new FormData(form)).toString());
      try {
        window.history.replaceState(null, "", "?" + self.query());
      } catch (error) {
        // file:// may refuse; the submit button carries the selection instead.
      }
      self.renderList();
    });
    return form;
  };

  // -- the list -----------------------------------------------------------------------------------

  Checklist.prototype.item = function (kind, record) {
    var self = this;
    var key = kind + ":" + record.id;
    var id = "kp-cl-" + kind + "-" + record.id;
    var box = h("input", { type: "checkbox", id: id, className: "kp-checklist-done" });
    box.checked = !!this.state.checked[key];
    box.addEventListener("change", function () {
      if (box.checked) self.state.checked[key] = true; else delete self.state.checked[key];
      self.save();
    });
    var note = h("textarea", { id: id + "-notitie", className: "kp-checklist-note", rows: 2, value: this.state.notes[key] || "" });
    note.addEventListener("input", function () {
      if (note.value) self.state.notes[key] = note.value; else delete self.state.notes[key];
      self.save();
    });
    var item = h("li", { className: "kp-checklist-item", attrs: { "data-kind": kind, "data-id": record.id } }, [
      h("div", { className: "kp-checklist-check" }, [
        box,
        h("label", { htmlFor: id }, [h("span", { className: "kp-chip kp-chip-id" }, [record.id]), " ", record.title]),
        " ",
        h("a", { href: record.url, className: "kp-checklist-read" }, ["lees meer", h("span", { className: "kp-visually-hidden" }, [" over " + record.id])]),
      ]),
      h("label", { htmlFor: note.id, className: "kp-checklist-note-label" }, ["Notitie"]),
      note,
    ]);
    return item;
  };

  Checklist.prototype.renderList = function () {
    var self = this;
    this.state = this.load();
    var records = this.records();
    this.current = records;
    this.list.textContent = "";
    var groups = this.groups(records);
    this.status.textContent = records.vereisten.length + " vereisten en " + (records.maatregelen.length + records.ook.length) + " maatregelen";
    groups.forEach(function (group) {
      var section = h("section", { className: "kp-checklist-phase" }, [h("h2", {}, [group.title])]);
      PARTS.forEach(function (part) {
        var records = group[part.key];
        if (!records.length) return;
        var block = h("div", { className: "kp-checklist-part", attrs: { "data-part": part.key } }, [h("h3", {}, [part.title + " (" + records.length + ")"])]);
        if (part.explanation) block.appendChild(h("p", { className: "kp-checklist-part-note" }, [part.explanation]));
        block.appendChild(h("ul", { className: "kp-checklist-items" }, records.map(function (record) { return self.item(part.kind, record); })));
        section.appendChild(block);
      });
      self.list.appendChild(section);
    });
    this.groupsShown = groups;
  };

  function csvField(text) {
    var value = String(text);
    if (/^[=+\-@\t\r]/.test(value)) value = "'" + value; // a spreadsheet shows it as text, never runs it
    return /[",\n\r;]/.test(value) ? '"' + value.replace(/"/g, '""') + '"' : value;
  }

  Checklist.prototype.csv = function () {
    var self = this;
    var rows = [["Fase", "Deel", "Soort", "ID", "Titel", "Gedaan", "Notitie", "URL"]];
    this.groupsShown.forEach(function (group) {
      PARTS.forEach(function (part) {
        group[part.key].forEach(function (record) {
          var key = part.kind + ":" + record.id;
          rows.push([group.title, part.title, part.kind, record.id, record.title, self.state.checked[key] ? "ja" : "nee", self.state.notes[key] || "", new URL(record.url, window.location.href).href]);
        });
      });
    });
    return rows.map(function (row) { return row.map(csvField).join(","); }).join("\r\n") + "\r\n";
  };

  Checklist.prototype.render = function () {
    var self = this;
    this.root.textContent = "";
    this.root.appendChild(this.form());
    this.status = h("p", { className: "kp-checklist-count", attrs: { role: "status", "aria-live": "polite" } });
    var download = h("button", { type: "button", className: "kp-checklist-csv" }, ["Download als CSV"]);
    download.addEventListener("click", function () {
      var blob = new Blob(["\ufeff" + self.csv()], { type: "text/csv;charset=utf-8" });
      var link = h("a", { href: URL.createObjectURL(blob), download: "mijn-checklist.csv" });
      document.body.appendChild(link);
      link.click();
      link.remove();
      setTimeout(function () { URL.revokeObjectURL(link.href); }, 1000);
    });
    var print = h("button", { type: "button", className: "kp-checklist-print" }, ["Afdrukken"]);
    print.addEventListener("click", function () { window.print(); });
    this.root.appendChild(h("div", { className: "kp-checklist-actions" }, [this.status, download, print]));
    this.list = h("div", { className: "kp-checklist-list" });
    this.root.appendChild(this.list);
    this.renderList();
  };

  function start() {
    var root = document.getElementById("kp-checklist");
    var data = dom.readIsland(document, "kp-checklist-data");
    if (!root || !data || !window.kaderpersProfile) return;
    Array.prototype.forEach.call(document.querySelectorAll(".kp-without-js"), function (node) { node.hidden = true; });
    new Checklist(root, data).render();
  }

  dom.whenReady(start);
})();
