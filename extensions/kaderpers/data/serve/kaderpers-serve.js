/* kaderpers serve: reload the page when the site has been rebuilt, and show what went wrong.
 *
 * Loaded only by the pages `kaderpers serve` builds. It listens to the server's events
 * (same origin, allowed by the site's Content-Security-Policy: connect-src 'self') and
 * writes its banner with DOM calls only: the policy allows no inline script.
 */
"use strict";

(() => {
  const EVENTS = "/_kaderpers/events";
  const MAX_SHOWN = 20;
  let shownBuild = null;

  function banner() {
    let element = document.getElementById("kaderpers-serve-banner");
    if (!element) {
      element = document.createElement("div");
      element.id = "kaderpers-serve-banner";
      element.setAttribute("role", "status");
      element.setAttribute("aria-live", "polite");
      document.body.prepend(element);
    }
    return element;
  }

  function problemList(problems) {
    const list = document.createElement("ul");
    for (const problem of problems.slice(0, MAX_SHOWN)) {
      const item = document.createElement("li");
      item.textContent = problem;
      list.append(item);
    }
    if (problems.length > MAX_SHOWN) {
      const item = document.createElement("li");
      item.textContent = `… and ${problems.length - MAX_SHOWN} more: see the terminal`;
      list.append(item);
    }
    return list;
  }

  function render(state) {
    const element = banner();
    element.replaceChildren();
    element.className = "";
    if (state.state === "building") {
      element.className = "kp-serve-building";
      element.textContent = "Rebuilding…";
      return;
    }
    if (state.state === "failed") {
      element.className = "kp-serve-failed";
      const title = document.createElement("strong");
      title.textContent = "The build failed; this is the last good site. ";
      const error = document.createElement("code");
      error.textContent = state.error;
      element.append(title, error);
      if (state.problems.length) element.append(problemList(state.problems));
      return;
    }
    if (state.problems.length) {
      element.className = "kp-serve-problems";
      const details = document.createElement("details");
      const summary = document.createElement("summary");
      const count = state.problems.length;
      summary.textContent = `The last build reported ${count} problem${count === 1 ? "" : "s"}`;
      details.append(summary, problemList(state.problems));
      element.append(details);
      return;
    }
    element.remove();
  }

  function here() {
    const path = window.location.pathname;
    return path.endsWith("/") ? `${path}index.html` : path;
  }

  // Pages written by a build: a list of paths, or null when not known (then every page reloads).
  function rewritten(written) {
    return written === null || written.includes(here());
  }

  function connect() {
    const events = new EventSource(EVENTS);
    events.addEventListener("state", (event) => {
      const state = JSON.parse(event.data);
      let reload = false;
      if (shownBuild === null) {
        // A page loaded while a build runs shows that build when its file was written already.
        shownBuild = state.state === "building" && rewritten(state.written) ? state.next : state.build;
        document.body.dataset.kpServe = "listening"; // for tests: the page follows rebuilds now
      } else if (state.state === "building") {
        reload = shownBuild !== state.next && rewritten(state.written); // its own file is written
      } else if (state.state === "built" && state.build !== shownBuild) {
        reload = rewritten(state.written);
        shownBuild = state.build; // a page the build did not write shows that build already
      }
      if (reload) {
        events.close();
        window.location.reload();
        return;
      }
      render(state);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", connect);
  } else {
    connect();
  }
})();
