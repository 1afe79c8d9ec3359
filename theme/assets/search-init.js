/* The results page starts loading the search index here, right after its
   own content, while the rest of the page (Material's scripts, then
   search.js, deferred until the page is parsed) is still arriving.
   search.js takes window.lzSearchIndex. */
(function () {
  "use strict";

  var root = document.querySelector("[data-lz-search]");  /* the page content, parsed before this script */
  if (!root || !(window.Promise && window.fetch && window.URL && window.WebAssembly)) return;
  var cfg = JSON.parse(root.getAttribute("data-lz-search-config"));

  function assign(a, b) {
    var out = {};
    var k;
    for (k in a) if (Object.prototype.hasOwnProperty.call(a, k)) out[k] = a[k];
    for (k in b) if (Object.prototype.hasOwnProperty.call(b, k)) out[k] = b[k];
    return out;
  }

  /* Dynamic import kept out of the parser's sight for old browsers. */
  function importModule(url) {
    /* eslint-disable-next-line no-new-func */
    return new Function("u", "return import(u)")(url);
  }

  var bundle = new URL(cfg.bundle, window.location.href).href;
  var base = new URL(".", window.location.href).pathname; /* the site root: works under any sub-path */
  var about = window.fetch(new URL(cfg.words, window.location.href).href, { cache: "no-cache" }).then(function (r) {
    if (!r.ok) throw new Error("HTTP " + r.status);
    return r.json();
  });
  /* resolves to { inst: Pagefind instance with every shard merged, about: lz-search.json } */
  window.lzSearchIndex = Promise.all([importModule(bundle), about]).then(function (got) {
    var pf = got[0];
    /* Pagefind takes the query language from <html lang> when the instance
       is made; "und" stops it from re-splitting our index-word splits. */
    var html = document.documentElement;
    var lang = html.getAttribute("lang");
    var inst;
    html.setAttribute("lang", "und");
    try { inst = pf.createInstance({ noWorker: true }); } finally { html.setAttribute("lang", lang); }
    var opts = { baseUrl: base, excerptLength: 36, ranking: cfg.ranking || {} };
    var shards = got[1].shards;
    /* a big site's index comes in shards (generator/search.py), each tagged
       with a 分片 filter so a query can skip those lacking its words */
    return inst.options(shards.length ? assign(opts, { mergeFilter: { "分片": "0" } }) : opts)
      .then(function () { return inst.init(); })
      .then(function () {
        return Promise.all(shards.map(function (dir, i) {
          return inst.mergeIndex(new URL(dir, bundle).pathname,
                                 assign(opts, { language: "und", mergeFilter: { "分片": String(i + 1) } }));
        }));
      })
      .then(function () { return { inst: inst, about: got[1] }; });
  });
  window.lzSearchIndex.catch(function () {}); /* search.js reports a failure */
})();
