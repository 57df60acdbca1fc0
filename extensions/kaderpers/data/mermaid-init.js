// Draws every <pre class="mermaid"> with the site's own copy of mermaid (no CDN).
// "antiscript" keeps the diagrams' links working and strips any script from them.
mermaid.initialize({ startOnLoad: true, securityLevel: "antiscript" });
