/*
 * kaderpers: the DOM helpers the site's scripts share (kader-tables.js,
 * kaderpers-beslishulp.js, kaderpers-checklist.js); loaded before them.
 *
 * Plain DOM code: no innerHTML, no eval, no requests.
 */
(function () {
  "use strict";

  /**
   * A new element: `props` are set as properties (`attrs`: as attributes), strings
   * among `children` become text, and null or undefined children are skipped.
   */
  function h(tag, props, children) {
    var node = document.createElement(tag);
    Object.keys(props || {}).forEach(function (key) {
      if (key === "attrs") {
        Object.keys(props.attrs).forEach(function (name) { node.setAttribute(name, props.attrs[name]); });
      } else {
        node[key] = props[key];
      }
    });
    (children || []).forEach(function (child) {
      if (child === null || child === undefined) return;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  /** The data of the first `<script class="className">` JSON island inside `within`; null if there is none or it is not JSON. */
  function readIsland(within, className) {
    var island = within.querySelector("script." + className);
    if (!island) return null;
    try {
      return JSON.parse(island.textContent);
    } catch (error) {
      return null;
    }
  }

  /** Run `start` once the document is parsed. */
  function whenReady(start) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", start);
    } else {
      start();
    }
  }

  window.kaderpersDom = { h: h, readIsland: readIsland, whenReady: whenReady };
})();
