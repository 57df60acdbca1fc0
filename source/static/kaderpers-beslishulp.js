/*
 * kaderpers: the beslishulp AI-verordening, one question at a time.
 *
 * Reads the decision tree from the `kp-beslishulp-data` JSON island and keeps the
 * answers given in the URL fragment (`#antwoorden=0.2.1`: the position of each
 * answer), so a result can be shared, reopened and walked with the browser's
 * back button; works from file:// too. The `if` expressions of redirects go
 * through a small parser here: no eval, no new Function, no innerHTML, no requests.
 */
(function () {
  "use strict";

  var dom = window.kaderpersDom;
  var h = dom.h;
  var KEY = "antwoorden";

  /** Rich text from the island: strings and [tag, attributes, children]; only safe tags were kept at build time. */
  function rich(items) {
    var fragment = document.createDocumentFragment();
    (items || []).forEach(function (item) {
      if (typeof item === "string") {
        fragment.appendChild(document.createTextNode(item));
      } else if (item[0] === "br") {
        fragment.appendChild(document.createElement("br"));
      } else {
        var node = document.createElement(item[0]);
        if (item[0] === "a" && item[1] && item[1].href) node.setAttribute("href", item[1].href);
        node.appendChild(rich(item[2]));
        fragment.appendChild(node);
      }
    });
    return fragment;
  }

  function isEmpty(items) {
    return !items || !items.length;
  }

  // -- `if` expressions: "label" in labels, "label" not in labels, !, &&, ||, ( ) ------------------

  var TOKEN = /\s*(?:(&&|\|\||!|\(|\))|(?:"([^"]*)"|'([^']*)')\s+(not\s+)?in\s+labels\b)/y;

  function tokenize(text) {
    var tokens = [];
    var source = text.trim();
    TOKEN.lastIndex = 0;
    while (TOKEN.lastIndex < source.length) {
      var start = TOKEN.lastIndex;
      var match = TOKEN.exec(source);
      if (!match) throw new Error("onleesbaar bij teken " + (start + 1));
      if (match[1]) {
        tokens.push({ op: match[1] });
      } else {
        if (match[4]) tokens.push({ op: "!" });
        tokens.push({ label: match[2] !== undefined ? match[2] : match[3] });
      }
    }
    return tokens;
  }

  /** Parse into a function of the gathered labels (a Set). */
  function parseCondition(text) {
    var tokens = tokenize(text);
    var position = 0;
    function peek(op) { return position < tokens.length && tokens[position].op === op; }
    function unary() {
      var token = tokens[position++];
      if (!token) throw new Error("onvolledig");
      if (token.label !== undefined) return function (labels) { return labels.has(token.label); };
      if (token.op === "!") {
        var inner = unary();
        return function (labels) { return !inner(labels); };
      }
      if (token.op === "(") {
        var grouped = or();
        if (!peek(")")) throw new Error("haakje niet gesloten");
        position++;
        return grouped;
      }
      throw new Error("onverwacht " + token.op);
    }
    function chain(operator, operand, combine) {
      var parts = [operand()];
      while (peek(operator)) {
        position++;
        parts.push(operand());
      }
      return parts.length === 1 ? parts[0] : function (labels) { return combine(parts, labels); };
    }
    function and() { return chain("&&", unary, function (parts, labels) { return parts.every(function (p) { return p(labels); }); }); }
    function or() { return chain("||", and, function (parts, labels) { return parts.some(function (p) { return p(labels); }); }); }
    if (!tokens.length) throw new Error("leeg");
    var result = or();
    if (position !== tokens.length) throw new Error("onverwacht einde");
    return result;
  }

  var conditions = new Map();
  function holds(text, labels) {
    if (!conditions.has(text)) {
      var parsed;
      try {
        parsed = parseCondition(text);
      } catch (error) {
        parsed = function () { return false; }; // reported at build time (beslishulp.if)
      }
      conditions.set(text, parsed);
    }
    return conditions.get(text)(labels);
  }

  /** Where an answer leads, given the labels gathered with it; null when no redirect applies. */
  function nextOf(answer, labels) {
    if (answer.next) return answer.next;
    for (var i = 0; i < answer.redirects.length; i++) {
      var redirect = answer.redirects[i];
      if (redirect.next && (redirect["if"] === null || holds(redirect["if"], labels))) return redirect.next;
    }
    return null;
  }

  // -- the wizard ---------------------------------------------------------------------------------

  function Beslishulp(root, data) {
    this.root = root;
    this.data = data;
    this.questions = new Map();
    var self = this;
    data.questions.forEach(function (question) { self.questions.set(question.id, question); });
    this.headingId = "kp-bh-vraag";
  }

  /** The answer positions in the URL. */
  Beslishulp.prototype.choices = function () {
    var match = new RegExp("(?:^#|&)" + KEY + "=([0-9.]*)").exec(window.location.hash);
    if (!match || !match[1]) return [];
    return match[1].split(".").filter(function (part) { return part !== ""; }).map(Number);
  };

  Beslishulp.prototype.go = function (choices) {
    var hash = "#" + KEY + "=" + choices.join(".");
    // A new hash is a step in the browser's history; the page renders at once
    // rather than waiting for the asynchronous hashchange, which then finds it done.
    if (window.location.hash !== hash) window.location.hash = hash;
    this.render(true);
  };

  /** Follow the answers from the first question: the steps taken and where they end. */
  Beslishulp.prototype.follow = function (choices) {
    var question = this.data.questions[0];
    var labels = [];
    var steps = [];
    for (var i = 0; i < choices.length && question; i++) {
      var answer = question.answers[choices[i]];
      if (!answer) break;
      steps.push({ question: question, answer: answer, position: choices[i] });
      answer.labels.forEach(function (label) { if (labels.indexOf(label) < 0) labels.push(label); });
      var next = nextOf(answer, new Set(labels));
      if (!next) return { steps: steps, labels: labels, deadEnd: true };
      if (next.kind === "conclusion") return { steps: steps, labels: labels, conclusion: next.id };
      question = this.questions.get(next.id);
      if (!question) return { steps: steps, labels: labels, deadEnd: true };
    }
    return { steps: steps, labels: labels, question: question };
  };

  Beslishulp.prototype.render = function (moveFocus) {
    this.shownHash = window.location.hash;
    var choices = this.choices();
    var state = this.follow(choices);
    // Answers beyond the end (an edited URL) are dropped.
    var used = state.steps.map(function (step) { return step.position; });
    this.root.textContent = "";
    this.root.appendChild(this.progress(state));
    if (state.conclusion !== undefined) {
      this.root.appendChild(this.conclusion(state));
    } else if (state.deadEnd) {
      this.root.appendChild(h("div", { className: "kp-bh-card" }, [
        h("h2", { id: this.headingId, tabIndex: -1 }, ["De beslishulp kan hier niet verder"]),
        h("p", {}, ["Voor deze combinatie van antwoorden heeft de beslisboom geen vervolg. Wijzig een van je antwoorden."]),
      ]));
    } else {
      this.root.appendChild(this.question(state.question, used));
    }
    if (state.steps.length) this.root.appendChild(this.answered(state, used));
    if (moveFocus) {
      var heading = document.getElementById(this.headingId);
      if (heading) heading.focus();
    }
  };

  Beslishulp.prototype.progress = function (state) {
    var done = state.conclusion !== undefined;
    var text = done ? "Klaar: " + state.steps.length + " vragen beantwoord" : "Vraag " + (state.steps.length + 1);
    var subcategory = !done && state.question && state.question.subcategory ? " \u00b7 " + state.question.subcategory : "";
    return h("p", { className: "kp-bh-progress", attrs: { role: "status" } }, [text + subcategory]);
  };

  Beslishulp.prototype.sources = function (sources) {
    if (!sources || !sources.length) return null;
    var list = h("ul", {}, sources.map(function (source) {
      return h("li", {}, [source.url ? h("a", { href: source.url }, [source.text]) : source.text]);
    }));
    return h("details", { className: "kp-bh-sources" }, [h("summary", {}, ["Bronnen (" + sources.length + ")"]), list]);
  };

  Beslishulp.prototype.question = function (question, used) {
    var self = this;
    var card = h("section", { className: "kp-bh-card kp-bh-question", attrs: { "aria-labelledby": this.headingId } });
    card.appendChild(h("h2", { id: this.headingId, tabIndex: -1 }, [question.text]));
    if (!isEmpty(question.explanation)) card.appendChild(h("div", { className: "kp-bh-explanation" }, [rich(question.explanation)]));
    var list = h("ul", { className: "kp-bh-answers", attrs: { "aria-label": "Antwoorden" } });
    question.answers.forEach(function (answer, position) {
      var button = h("button", { type: "button", className: "kp-bh-answer" }, [answer.text]);
      button.addEventListener("click", function () { self.go(used.concat([position])); });
      list.appendChild(h("li", {}, [button]));
    });
    card.appendChild(list);
    var sources = this.sources(question.sources);
    if (sources) card.appendChild(sources);
    var nav = h("div", { className: "kp-bh-nav" });
    if (used.length) {
      var back = h("button", { type: "button", className: "kp-bh-back" }, ["\u2190 Vorige vraag"]);
      back.addEventListener("click", function () { self.go(used.slice(0, -1)); });
      nav.appendChild(back);
    }
    if (nav.childNodes.length) card.appendChild(nav);
    return card;
  };

  Beslishulp.prototype.answered = function (state, used) {
    var self = this;
    var list = h("ol", { className: "kp-bh-answered" });
    state.steps.forEach(function (step, index) {
      var change = h("button", { type: "button", className: "kp-bh-change" }, ["Wijzig", h("span", { className: "kp-visually-hidden" }, [" je antwoord op: " + step.question.text])]);
      change.addEventListener("click", function () { self.go(used.slice(0, index)); });
      var item = h("li", {}, [
        h("span", { className: "kp-bh-answered-question" }, [step.question.text]),
        " ",
        h("strong", { className: "kp-bh-answered-answer" }, [step.answer.text]),
        " ",
        change,
      ]);
      if (!isEmpty(step.answer.comment)) item.appendChild(h("p", { className: "kp-bh-comment" }, [rich(step.answer.comment)]));
      list.appendChild(item);
    });
    return h("section", { className: "kp-bh-history", attrs: { "aria-labelledby": "kp-bh-history-title" } }, [
      h("h2", { id: "kp-bh-history-title" }, ["Je antwoorden"]),
      list,
    ]);
  };

  /** The AI-verordening profile of the gathered labels, as query parameters (field=value). */
  Beslishulp.prototype.profileQuery = function (labels) {
    var mapping = this.data.labels || {};
    var chosen = {};
    labels.forEach(function (label) {
      (mapping[label] || []).forEach(function (pair) {
        chosen[pair[0]] = chosen[pair[0]] || [];
        if (chosen[pair[0]].indexOf(pair[1]) < 0) chosen[pair[0]].push(pair[1]);
      });
    });
    var params = new URLSearchParams();
    (this.data.fields || []).forEach(function (field) {
      (chosen[field] || []).forEach(function (value) { params.append(field, value); });
    });
    return params.toString();
  };

  Beslishulp.prototype.conclusion = function (state) {
    var self = this;
    var conclusion = this.data.conclusions[state.conclusion] || { text: [state.conclusion], obligation: [], sources: [] };
    var card = h("section", { className: "kp-bh-card kp-bh-conclusion", attrs: { "aria-labelledby": this.headingId } });
    card.appendChild(h("h2", { id: this.headingId, tabIndex: -1 }, ["Conclusie"]));
    card.appendChild(h("div", { className: "kp-bh-conclusion-text" }, [rich(conclusion.text)]));
    if (!isEmpty(conclusion.obligation)) {
      card.appendChild(h("h3", {}, ["Wat moet je doen?"]));
      card.appendChild(h("div", { className: "kp-bh-obligation" }, [rich(conclusion.obligation)]));
    }
    if (!isEmpty(conclusion.comment)) card.appendChild(h("div", { className: "kp-bh-conclusion-comment" }, [rich(conclusion.comment)]));
    var subresults = state.steps.filter(function (step) { return !isEmpty(step.answer.subresult); });
    if (subresults.length) {
      card.appendChild(h("h3", {}, ["Let ook op"]));
      card.appendChild(h("ul", { className: "kp-bh-subresults" }, subresults.map(function (step) {
        return h("li", {}, [rich(step.answer.subresult)]);
      })));
    }
    if (state.labels.length) {
      card.appendChild(h("p", { className: "kp-bh-labels" }, ["Je situatie: "].concat(state.labels.map(function (label) {
        return h("span", { className: "kp-chip kp-chip-label" }, [label]);
      }))));
    }
    var sources = this.sources(conclusion.sources);
    if (sources) card.appendChild(sources);
    var query = this.profileQuery(state.labels);
    var links = this.data.links || {};
    var next = h("ul", { className: "kp-bh-next" });
    if (links.vereisten) {
      next.appendChild(h("li", {}, [h("a", { href: links.vereisten + (query ? "?" + query : ""), className: "kp-bh-vereisten" }, ["Bekijk de vereisten die bij jouw situatie horen"])]));
    }
    if (links.checklist) {
      next.appendChild(h("li", {}, [h("a", { href: links.checklist + (query ? "?" + query : ""), className: "kp-bh-checklist" }, ["Maak hiermee je eigen checklist"])]));
    }
    if (next.childNodes.length) card.appendChild(next);
    var nav = h("div", { className: "kp-bh-nav" });
    var back = h("button", { type: "button", className: "kp-bh-back" }, ["\u2190 Vorige vraag"]);
    back.addEventListener("click", function () { self.go(self.choices().slice(0, state.steps.length - 1)); });
    var restart = h("button", { type: "button", className: "kp-bh-restart" }, ["Opnieuw beginnen"]);
    restart.addEventListener("click", function () { self.go([]); });
    nav.appendChild(back);
    nav.appendChild(restart);
    card.appendChild(nav);
    return card;
  };

  function start() {
    var root = document.getElementById("kp-beslishulp");
    var data = dom.readIsland(document, "kp-beslishulp-data");
    if (!root || !data) return;
    if (!data.questions || !data.questions.length) return;
    Array.prototype.forEach.call(document.querySelectorAll(".kp-without-js"), function (node) { node.hidden = true; });
    var wizard = new Beslishulp(root, data);
    window.addEventListener("hashchange", function () {
      // Back, forward or an edited URL; the wizard's own steps are already shown.
      if (window.location.hash !== wizard.shownHash) wizard.render(true);
    });
    wizard.render(false);
  }

  dom.whenReady(start);
})();
