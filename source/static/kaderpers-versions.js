// A release of a site of several releases (kaderpers build --versions): the version switcher in the
// header, the banner of an older release, the notice of a page that a release does not have, and the
// id page's redirect. The release is the folder the page is in (its name, or "latest"), so the pages
// themselves never name it. The list of releases is versions.json in the folder above the release
// (versions.js from file://, where a page cannot fetch); each release's pages and record ids are its
// _static/kaderpers-records.js.
(function () {
  "use strict";

  const NOT_FOUND = "#kp-niet-in-versie";
  const releaseRoot = new URL(document.documentElement.dataset.content_root || "./", location.href);
  const siteRoot = new URL("../", releaseRoot);
  const folder = decodeURIComponent(releaseRoot.pathname.replace(/\/$/, "").split("/").pop());
  const here = location.href.split(/[?#]/)[0];
  const pagePath = here.startsWith(releaseRoot.href) ? here.slice(releaseRoot.href.length) || "index.html" : "index.html";

  function loadScript(url) {
    return new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = url;
      script.onload = () => resolve();
      script.onerror = () => reject(new Error("cannot load " + url));
      document.head.appendChild(script);
    });
  }

  async function loadVersions() {
    if (location.protocol !== "file:") {
      try {
        const response = await fetch(new URL("versions.json", siteRoot));
        if (response.ok) return await response.json();
      } catch (error) {
        // fall back to the script below
      }
    }
    await loadScript(new URL("versions.js", siteRoot).href);
    return window.kaderpersVersions;
  }

  async function loadRecords(slug) {
    const url = new URL(encodeURIComponent(slug) + "/_static/kaderpers-records.js", siteRoot).href;
    window.kaderpersRecords = window.kaderpersRecords || {};
    if (!window.kaderpersRecords[url]) await loadScript(url);
    return window.kaderpersRecords[url];
  }

  // The same page in another release: by record id, then by path; null when it has neither.
  async function samePageIn(slug) {
    const [mine, theirs] = await Promise.all([loadRecords(folder), loadRecords(slug)]);
    if (!mine || !theirs) return null;
    const id = Object.keys(mine.ids).find((key) => mine.ids[key] === pagePath);
    if (id && theirs.ids[id]) return theirs.ids[id];
    if (theirs.pages.includes(pagePath)) return pagePath;
    return null;
  }

  async function addressIn(slug) {
    let path = null;
    try {
      path = await samePageIn(slug);
    } catch (error) {
      path = null;
    }
    const base = new URL(encodeURIComponent(slug) + "/", siteRoot);
    return path ? new URL(path, base).href : new URL("index.html" + NOT_FOUND, base).href;
  }

  function content() {
    return document.querySelector("#main-content .bd-article") || document.querySelector("main") || document.body;
  }

  function note(className, parts) {
    const box = document.createElement("div");
    box.className = className;
    box.setAttribute("role", "note");
    for (const part of parts) box.append(part);
    content().prepend(box);
    return box;
  }

  function link(text, href) {
    const anchor = document.createElement("a");
    anchor.textContent = text;
    anchor.href = href;
    return anchor;
  }

  function followRecordId() {
    const lookup = document.querySelector(".kp-id-lookup");
    if (!lookup) return;
    const wanted = decodeURIComponent(location.hash.slice(1) || new URLSearchParams(location.search).get("id") || "").trim();
    if (!wanted) return;
    for (const item of lookup.querySelectorAll(".kp-id-list li")) {
      const id = item.querySelector(".kp-record-id");
      const target = item.querySelector("a[href]");
      if (id && target && id.textContent.trim() === wanted) {
        location.replace(target.href);
        return;
      }
    }
    note("kp-version-banner", ["Dit id staat niet in deze versie: " + wanted]);
  }

  async function start() {
    followRecordId();
    const data = await loadVersions();
    if (!data || !Array.isArray(data.versions)) return;
    const current = folder === "latest" ? data.latest : folder;
    const known = data.versions.find((version) => version.slug === current);
    for (const switcher of document.querySelectorAll(".kp-version-switcher")) {
      const select = switcher.querySelector("select");
      for (const version of data.versions) {
        const option = document.createElement("option");
        option.value = version.slug;
        option.textContent = version.name + (version.latest ? " (nieuwste)" : "");
        option.selected = version.slug === current;
        select.append(option);
      }
      select.addEventListener("change", async () => {
        location.href = await addressIn(select.value);
      });
      switcher.hidden = false;
    }
    if (location.hash === NOT_FOUND && known) {
      note("kp-version-banner kp-version-not-found", ["De pagina die je bekeek staat niet in versie " + known.name + ". Dit is de startpagina van die versie."]);
    }
    if (known && current !== data.latest) {
      const newest = data.versions.find((version) => version.slug === data.latest);
      const banner = note("kp-version-banner kp-version-old", ["Je bekijkt versie " + known.name + ", niet de nieuwste (" + (newest ? newest.name : data.latest) + "). "]);
      const toNewest = link("Bekijk deze pagina in de nieuwste versie", new URL(encodeURIComponent(data.latest) + "/index.html", siteRoot).href);
      toNewest.className = "kp-version-newest";
      banner.append(toNewest);
      toNewest.href = await addressIn(data.latest);
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
