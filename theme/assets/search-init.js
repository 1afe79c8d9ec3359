/* Loading the search index: Pagefind's pagefind.js with every shard merged,
   and pagefind/lz-search.json. window.lzSearchLoad(cfg) starts it once and
   returns its promise of { inst, about }.
   The results page includes this script right after its own content, so the
   index loads while the rest of the page (Material's scripts, then search.js)
   is still arriving; every other page has it deferred, and search.js starts
   the load when the header search box is first pointed at or used. */
(function () {
  "use strict";

  if (window.lzSearchLoad) return; /* the results page has it twice: early, and with the header box */
  if (!(window.Promise && window.fetch && window.URL && window.WebAssembly)) return;

  /* Pagefind's ranking: a query matching the whole 名称 (name of the page's
     own record, a meta field written by generator/search.py), a person's
     岗位 or the title outranks the same words in body text
     (bench/search_quality.py measures it; --ranking tries others). */
  var RANKING = { metaWeights: { title: 5.0, "名称": 10.0, "岗位": 10.0 } };

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

  var loading = null;

  /* cfg: { bundle, words, root } as URLs relative to the page: pagefind.js,
     lz-search.json and the site's root (Pagefind's result URLs start there). */
  window.lzSearchLoad = function (cfg) {
    if (loading) return loading;
    var here = window.location.href;
    var bundle = new URL(cfg.bundle, here).href;
    var base = new URL(cfg.root, here).pathname; /* works under any sub-path */
    var about = window.fetch(new URL(cfg.words, here).href, { cache: "no-cache" }).then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.json();
    });
    loading = Promise.all([importModule(bundle), about]).then(function (got) {
      var pf = got[0];
      /* Pagefind takes the query language from <html lang> when the instance
         is made; "und" stops it from re-splitting our index-word splits. */
      var html = document.documentElement;
      var lang = html.getAttribute("lang");
      var inst;
      html.setAttribute("lang", "und");
      try { inst = pf.createInstance({ noWorker: true }); } finally { html.setAttribute("lang", lang); }
      var opts = { baseUrl: base, excerptLength: 36, ranking: RANKING };
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
    loading.catch(function () {}); /* search.js reports a failure */
    return loading;
  };

  var root = document.querySelector("[data-lz-search]"); /* the results page's content, parsed before this script */
  if (root) window.lzSearchLoad(JSON.parse(root.getAttribute("data-lz-search-config")));
})();
