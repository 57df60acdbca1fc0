/*
 * kaderpers: the AI-verordening profile, shared by the vereisten tables (kader-tables.js)
 * and Mijn checklist (kaderpers-checklist.js).
 *
 * `answers` maps a field (rol-ai-act, risicogroep, ...) to the values the reader chose:
 * one from a select, or several from a link (a beslishulp conclusion for who is both
 * aanbieder and gebruiksverantwoordelijke).
 */
(function () {
  "use strict";

  /** Evaluate a parsed `uitzondering` expression: a label is true when the reader chose it. */
  function evaluate(expression, chosen) {
    if (typeof expression === "string") return chosen.has(expression);
    var operator = expression[0];
    var operands = expression.slice(1);
    if (operator === "not") return !evaluate(operands[0], chosen);
    if (operator === "and") return operands.every(function (e) { return evaluate(e, chosen); });
    if (operator === "or") return operands.some(function (e) { return evaluate(e, chosen); });
    return false;
  }

  /**
   * A record applies to a profile when, for every question the reader answered and
   * the record has labels for, an answer is among them (an unanswered question
   * matches everything), and none of its exceptions holds for the answers given.
   */
  function matches(record, answers) {
    if (!record || answers.size === 0) return true;
    var labels = record.labels || {};
    var fields = Object.keys(labels);
    for (var i = 0; i < fields.length; i++) {
      var own = labels[fields[i]];
      if (answers.has(fields[i]) && !answers.get(fields[i]).some(function (value) { return own.indexOf(value) >= 0; })) return false;
    }
    var chosen = new Set();
    answers.forEach(function (values, field) { values.forEach(function (value) { chosen.add(field + "-" + value); }); });
    return !(record.uitzondering || []).some(function (expression) { return evaluate(expression, chosen); });
  }

  window.kaderpersProfile = { matches: matches, evaluate: evaluate };
})();
