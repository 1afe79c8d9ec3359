/* Full-text search on Pagefind's pagefind.js (no framework, no network).
   Every page: "/" focuses the header search box, which shows the first
   results under it as the reader types.
   search.html: reads ?q= and filter parameters, shows filters, results with
   title, unit, form type, status and a highlighted excerpt.
   Written in ES5 so that old browsers parse it and show a clear message
   instead of failing silently. */
(function () {
  "use strict";

  var PAGE_SIZE = 10;
  var DEBOUNCE_MS = 250;

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  /* Normalise what a clerk types. Numbers (phone numbers, document numbers)
     are searched as a whole: otherwise Pagefind falls back to the longest
     indexed prefix and a phone number would find every page containing "1". */
  var PUNCT = /[\u3000\s，、；;,。.：:！!？?（）()《》〈〉【】〔〕［］\[\]「」『』‘’'·•…—\-－~～\/／\\|]+/g;

  function prepare(q) {
    q = String(q || "").replace(/[“”„＂]/g, "\"").replace(PUNCT, " ").trim();
    if (/^[0-9０-９\s"]+$/.test(q) && /[0-9０-９]/.test(q)) q = "\"" + q.replace(/"/g, "").trim() + "\"";
    return q;
  }

  var HAN = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/;
  var RUNS = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[^\s\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+/g;
  var MAX_SPLITS = 4; /* query variants tried per search */

  /* Query segmentation that agrees with the index. Pagefind 1.5 would split
     the query with the browser's Intl.Segmenter, which often cuts Chinese
     differently from the jieba segmentation of the index (upstream issue
     1237): a query word the index does not have finds nothing (陈晓红 is
     indexed as one word, the browser asks for 陈 + 晓红). We split with the
     index's own words (pagefind/lz-search.json, written at build time), try
     the few likely splits (the browser's too where index words fall short),
     and merge. */
  function Splitter(about) {
    var words = about.words;
    this.words = words; /* sorted, as Python sorts them (by code point) */
    this.masks = about.masks || null; /* bit n set: shard n holds the word */
    this.shardCount = about.shards.length + 1;
    this.known = Object.create(null);
    this.longest = 1;
    for (var i = 0; i < words.length; i++) {
      this.known[words[i]] = true;
      if (words[i].length > this.longest) this.longest = Math.min(words[i].length, 12);
    }
    this.icu = undefined; /* made on first use: loading the browser's Chinese dictionary takes 10–30 ms */
  }

  /* The shards holding every Chinese word of a query string (a word, or a
     longer word starting with it: Pagefind extends query words), as a list
     of shard names for Pagefind's filter; null when all may. A shard that
     lacks a word would otherwise answer with its nearest word. */
  Splitter.prototype.shardsFor = function (query) {
    if (!this.masks || !query) return null;
    var all = Math.pow(2, this.shardCount) - 1;
    var need = all;
    var terms = query.replace(/"/g, "").split(" ");
    for (var t = 0; t < terms.length; t++) {
      var term = terms[t];
      if (!term || !HAN.test(term)) continue;
      var lo = 0, hi = this.words.length;
      while (lo < hi) { var mid = (lo + hi) >> 1; if (this.words[mid] < term) lo = mid + 1; else hi = mid; }
      var mask = 0;
      for (var k = lo; k < this.words.length && this.words[k].lastIndexOf(term, 0) === 0; k++) mask |= this.masks[k];
      if (mask === 0) continue; /* unknown anywhere: as with one index */
      need &= mask;
    }
    if (need === all) return null;
    var out = [];
    for (var n = 0; n < this.shardCount; n++) if (need & (1 << n)) out.push(String(n));
    return out;
  };

  /* The best splits of a run of text into index words (fewest words); a
     character that is no index word on its own stands alone, at a cost. */
  Splitter.prototype.best = function (run) {
    var n = run.length;
    var memo = [];
    memo[n] = [{ cost: 0, words: [] }];
    for (var i = n - 1; i >= 0; i--) {
      var out = [];
      for (var j = i + 1; j <= Math.min(n, i + this.longest); j++) {
        var w = run.slice(i, j);
        var known = this.known[w] === true;
        if (!known && j > i + 1) continue;
        var step = known ? 1 : 3;
        for (var k = 0; k < memo[j].length; k++) {
          out.push({ cost: memo[j][k].cost + step, words: [w].concat(memo[j][k].words) });
        }
      }
      out.sort(function (a, b) { return a.cost - b.cost || b.words[0].length - a.words[0].length; });
      memo[i] = out.slice(0, MAX_SPLITS * 2);
    }
    /* The fewest-word splits are the likely ones; a split with one word more
       catches pages the index cut finer (药剂科主任: 药剂|科主任 here,
       药剂|科|主任 there). */
    var top = memo[0][0];
    function singles(split) { return split.words.filter(function (w) { return w.length === 1; }).length; }
    /* …but not one that only chops words into characters (东 台 市 …): those
       match nearly every page and make the search slow */
    var splits = memo[0].filter(function (s) {
      return s.cost === top.cost || (s.cost === top.cost + 1 && singles(s) <= singles(top) + 1);
    });
    return {
      splits: splits.map(function (s) { return s.words.join(" "); }),
      primary: splits.filter(function (s) { return s.cost === top.cost; }).length,
      complete: top.cost === top.words.length /* every piece is an index word */
    };
  };

  Splitter.prototype.browser = function (part) {
    if (this.icu === undefined) {
      try { this.icu = new Intl.Segmenter("zh", { granularity: "word" }); } catch (e) { this.icu = null; }
    }
    if (!this.icu) return null;
    var out = [];
    var it = this.icu.segment(part)[Symbol.iterator]();
    for (var r = it.next(); !r.done; r = it.next()) if (r.value.isWordLike) out.push(r.value.segment);
    return out.join(" ");
  };

  /* How to run a query: `loose` query strings rank the pages (the first
     `primary` of them are the likeliest splits); `phrases` lists, for each
     Chinese or numeric part of the query, its splits to run as exact phrases:
     a page holding every part as typed (not just its words scattered about)
     comes first. The browser's own split is tried only where index words do
     not cover a part. */
  Splitter.prototype.plan = function (q) {
    var exact = /^".+"$/.test(q);
    var parts = q.replace(/"/g, " ").match(RUNS) || [];
    var options = [];
    var phrases = [];
    var primary = 1;
    var most = 1;
    for (var i = 0; i < parts.length; i++) {
      var part = parts[i].toLowerCase();
      var list = [part];
      if (HAN.test(part)) {
        var best = this.best(part);
        list = best.splits.slice(0, MAX_SPLITS);
        var b = best.complete ? null : this.browser(part);
        if (b && list.indexOf(b) < 0) list.push(b);
        primary = Math.max(primary, Math.min(best.primary, list.length));
        /* a one-word part needs no phrase search: the loose search has it */
        if (list.some(function (v) { return v.indexOf(" ") >= 0; })) phrases.push(list);
      }
      options.push(list);
      most = Math.max(most, list.length);
    }
    var loose = [];
    var firsts = 0;
    for (var v = 0; v < most; v++) {
      var words = options.map(function (list) { return list[Math.min(v, list.length - 1)]; }).join(" ");
      if (loose.indexOf(words) < 0) {
        loose.push(words);
        if (v < primary) firsts++;
      }
    }
    /* a quoted query is one phrase: all its parts, adjacent */
    if (exact) phrases = [loose.slice()];
    /* single characters beside real words are mostly particles or verbs
       (拿回扣, 收红包): without them the query still says what it means */
    var relaxed = loose[0].split(" ").filter(function (w) { return !(w.length === 1 && HAN.test(w)); }).join(" ");
    if (exact || relaxed === loose[0] || !relaxed) relaxed = null;
    return { exact: exact, loose: loose, primary: firsts, phrases: phrases, relaxed: relaxed };
  };

  function onKey() {
    document.addEventListener("keydown", function (e) {
      if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) return;
      var t = e.target;
      if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
      var box = document.getElementById("lz-search-q") || document.getElementById("lz-hsearch-q");
      if (!box || box.offsetParent === null) return;
      e.preventDefault();
      box.focus();
      box.select();
    });
  }

  /* Calls fn when the text of a box changes, but not while a Chinese input
     method is still composing (its pinyin would be searched letter by
     letter): then once the characters are chosen. */
  function whenTyped(input, fn) {
    input.addEventListener("input", function (e) { if (!e.isComposing) fn(); });
    input.addEventListener("compositionend", fn);
  }

  function supported() {
    return !!(window.Promise && window.fetch && window.URL && window.WebAssembly && window.URLSearchParams && window.history &&
              window.history.replaceState);
  }

  /* A loaded index (search-init.js) and how to query it, for the results
     page and the header box alike. */
  function Searcher(got) {
    var self = this;
    this.pf = got.inst;
    this.about = got.about;
    this.splitter = new Splitter(got.about);
    /* pages of the kept full index that a later build replaced or removed
       (generator/reindex.py): the index still answers with them */
    this.hidden = null;
    (got.about.hide || []).forEach(function (id) { (self.hidden = self.hidden || Object.create(null))[id] = true; });
    this.names = Object.create(null); /* bare name → value of the 名称 filter */
    (got.about.filters["名称"] || []).forEach(function (n) { self.names[bare(n)] = n; });
  }

  /* The search itself, shared by the page and by bench/search_quality.py.
     Pages are ranked by Pagefind's score (best over the loose variants; later,
     less likely variants count a little less); pages holding every part of
     the query as a phrase come first, then (unless the query was quoted)
     pages that only hold its words. */
  Searcher.prototype.query = function (raw, filters) {
    var inst = this.pf;
    var hidden = this.hidden;
    var pf = {
      search: function (term, options) {
        return inst.search(term, options).then(function (res) {
          if (!res || !hidden) return res;
          return { results: res.results.filter(function (r) { return !hidden[r.id]; }) };
        });
      }
    };
    var q = prepare(raw);
    var opts = filters ? { filters: filters } : {};
    if (!q && !filters) return Promise.resolve(null);
    var plan = q ? this.splitter.plan(q) : { exact: false, loose: [null], primary: 1, phrases: [], relaxed: null };
    var splitter = this.splitter;
    function find(v) {
      var shards = splitter.shardsFor(v);
      if (shards && !shards.length) return Promise.resolve(null); /* no shard holds every word */
      return pf.search(v, shards ? { filters: merge(filters, { "分片": { any: shards } }) } : opts);
    }
    var loose = Promise.all(plan.loose.map(find));
    /* A query that is exactly the name of a unit, department or rule (or a
       rule's number) puts that page first, whatever the word statistics say
       (卫生局 → the bureau's page, not one of the hundred pages naming it). */
    var name = q && !plan.exact ? this.names[bare(raw)] : null;
    /* (with the query words: a search by filter alone loads the whole index) */
    var pinned = name ? pf.search(plan.loose[0], { filters: merge(filters, { "名称": name }) }) : Promise.resolve(null);
    var exact = Promise.all(plan.phrases.map(function (list) {
      return Promise.all(list.map(function (v) { return find("\"" + v + "\""); }));
    }));
    return Promise.all([loose, exact]).then(function (got) {
      var best = Object.create(null);
      var order = [];
      function add(r, score, likely) {
        var seen = best[r.id];
        if (!seen) { seen = best[r.id] = { r: r, score: score, parts: 0, likely: false }; order.push(r.id); }
        else if (score > seen.score) seen.score = score;
        seen.likely = seen.likely || likely;
        return seen;
      }
      for (var i = 0; i < got[0].length; i++) {
        var rs = (got[0][i] && got[0][i].results) || [];
        for (var j = 0; j < rs.length; j++) add(rs[j], rs[j].score * Math.pow(0.85, i), i < plan.primary);
      }
      for (var p = 0; p < got[1].length; p++) {
        var hit = Object.create(null);
        for (var v = 0; v < got[1][p].length; v++) {
          var es = (got[1][p][v] && got[1][p][v].results) || [];
          for (var k = 0; k < es.length; k++) {
            if (hit[es[k].id]) continue;
            hit[es[k].id] = true;
            add(es[k], 0, false).parts++;
          }
        }
      }
      var need = got[1].length;
      /* pages found only by an unlikely split of the words are noise */
      var merged = order.map(function (id) { return best[id]; }).filter(function (m) {
        return m.parts === need || (!plan.exact && m.likely);
      });
      merged.sort(function (a, b) {
        return (b.parts === need) - (a.parts === need) || b.score - a.score;
      });
      var results = merged.map(function (m) {
        var loaded = null;
        return {
          id: m.r.id, score: m.score, phrase: m.parts === need,
          data: function () { return loaded || (loaded = m.r.data()); }
        };
      });
      /* few results: add those of the query without its single characters */
      var more = results.length < PAGE_SIZE && plan.relaxed ? find(plan.relaxed) : Promise.resolve(null);
      return Promise.all([pinned, more]).then(function (extra) {
        var ids = Object.create(null);
        results.forEach(function (r) { ids[r.id] = true; });
        ((extra[1] && extra[1].results) || []).forEach(function (r) {
          if (ids[r.id]) return;
          ids[r.id] = true;
          results.push({ id: r.id, score: r.score, phrase: false, data: function () { return r.data(); } });
        });
        var first = Object.create(null);
        ((extra[0] && extra[0].results) || []).forEach(function (r) { first[r.id] = true; });
        var head = results.filter(function (r) { return first[r.id]; });
        var tail = results.filter(function (r) { return !first[r.id]; });
        return { variants: plan.loose, phrases: plan.phrases, results: head.concat(tail) };
      });
    });
  };

  function SearchPage(root) {
    this.root = root;
    this.cfg = JSON.parse(root.getAttribute("data-lz-search-config"));
    this.form = root.querySelector("[data-lz-search-form]");
    this.input = root.querySelector("#lz-search-q");
    this.filterBox = root.querySelector("[data-lz-search-filters]");
    this.status = root.querySelector("[data-lz-search-status]");
    this.list = root.querySelector("[data-lz-search-results]");
    this.more = root.querySelector("[data-lz-search-more]");
    this.selects = {};
    this.seq = 0;
    this.results = [];
    this.shown = 0;
    this.timer = null;
    this.timings = { start: performance.now() };
  }

  SearchPage.prototype.say = function (text) {
    this.status.textContent = text;
  };

  /* The index was set loading by search-init.js from the top of the page. */
  SearchPage.prototype.load = function () {
    var self = this;
    var loading = window.lzSearchLoad ? window.lzSearchLoad(this.cfg) : Promise.reject(new Error("search-init.js did not run"));
    return loading.then(function (got) {
      var searcher = self.searcher = new Searcher(got);
      self.about = searcher.about;
      self.splitter = searcher.splitter;
      return searcher.pf;
    });
  };

  SearchPage.prototype.filtersFromUrl = function (params) {
    var out = {};
    var names = this.cfg.filters;
    for (var i = 0; i < names.length; i++) {
      var v = params.get(names[i]);
      if (v) out[names[i]] = v;
    }
    return out;
  };

  SearchPage.prototype.sortValues = function (name, values) {
    var order = this.cfg.order[name];
    return values.sort(function (a, b) {
      if (order) {
        var ia = order.indexOf(a), ib = order.indexOf(b);
        if (ia !== ib) return (ia < 0 ? 999 : ia) - (ib < 0 ? 999 : ib);
      }
      if (/^\d+$/.test(a) && /^\d+$/.test(b)) return Number(b) - Number(a); /* years: newest first */
      return a.localeCompare(b, "zh-Hans-CN");
    });
  };

  SearchPage.prototype.buildFilters = function (all, chosen) {
    var self = this;
    var names = this.cfg.filters;
    var any = false;
    for (var i = 0; i < names.length; i++) {
      var name = names[i];
      if (!all[name]) continue;
      var values = this.sortValues(name, all[name].slice());
      if (values.length < 2 && !chosen[name]) continue; /* a filter with one value narrows nothing */
      any = true;
      var id = "lz-search-f-" + i;
      var wrap = el("span", "lz-search__filter");
      var label = el("label", null, name);
      label.setAttribute("for", id);
      var sel = el("select");
      sel.id = id;
      sel.name = name;
      sel.appendChild(new Option("全部", ""));
      for (var j = 0; j < values.length; j++) {
        var opt = new Option(values[j], values[j]);
        opt.setAttribute("data-value", values[j]);
        sel.appendChild(opt);
      }
      sel.value = chosen[name] || "";
      sel.addEventListener("change", function () { self.run(true); });
      wrap.appendChild(label);
      wrap.appendChild(sel);
      this.filterBox.appendChild(wrap);
      this.selects[name] = sel;
    }
    this.filterBox.hidden = !any;
  };

  SearchPage.prototype.chosenFilters = function () {
    var out = {};
    var n = 0;
    for (var name in this.selects) {
      if (Object.prototype.hasOwnProperty.call(this.selects, name) && this.selects[name].value) {
        out[name] = this.selects[name].value;
        n++;
      }
    }
    return n ? out : null;
  };

  SearchPage.prototype.writeUrl = function (q, filters) {
    var params = new URLSearchParams();
    if (q) params.set("q", q);
    if (filters) for (var k in filters) if (Object.prototype.hasOwnProperty.call(filters, k)) params.set(k, filters[k]);
    var s = params.toString();
    window.history.replaceState(null, "", window.location.pathname + (s ? "?" + s : ""));
    document.title = (q ? "检索：" + q + " - " : "") + this.baseTitle;
  };

  SearchPage.prototype.run = function (now) {
    var self = this;
    if (this.timer) window.clearTimeout(this.timer);
    if (now) return this.search();
    this.timer = window.setTimeout(function () { self.search(); }, DEBOUNCE_MS);
    return null;
  };

  function bare(text) {
    return String(text || "").replace(/[“”„＂"]/g, "").replace(PUNCT, "").toLowerCase();
  }

  function merge(a, b) {
    var out = {};
    var k;
    for (k in a || {}) if (Object.prototype.hasOwnProperty.call(a, k)) out[k] = a[k];
    for (k in b) if (Object.prototype.hasOwnProperty.call(b, k)) out[k] = b[k];
    return out;
  }

  /* for bench/search_quality.py */
  SearchPage.prototype.query = function (raw, filters) {
    return this.searcher.query(raw, filters);
  };

  SearchPage.prototype.search = function () {
    var self = this;
    var raw = this.input.value;
    var filters = this.chosenFilters();
    var seq = ++this.seq;
    var t0 = performance.now();
    this.writeUrl(raw.trim(), filters);
    if (!prepare(raw) && !filters) {
      this.list.innerHTML = "";
      this.more.hidden = true;
      this.say("请输入检索词，或选择筛选条件。");
      return Promise.resolve();
    }
    this.say("正在检索 …");
    return this.query(raw, filters).then(function (res) {
      if (seq !== self.seq || !res) return;
      self.results = res.results;
      self.shown = 0;
      self.list.innerHTML = "";
      if (!res.results.length) {
        self.more.hidden = true;
        self.say(raw.trim()
          ? "没有找到与“" + raw.trim() + "”相关的已公布记录。请检查用字，或换一个较短的词（例如只输入姓名、单位简称或“回扣”这样的关键词）" +
            (filters ? "，也可以把筛选条件改为“全部”。" : "。")
          : "没有符合筛选条件的记录。");
        self.timings.last = performance.now() - t0;
        return;
      }
      return self.showMore().then(function () {
        if (seq !== self.seq) return;
        self.say("找到 " + res.results.length + " 条结果" + (filters ? "（已按条件筛选）" : "") + "。");
        self.timings.last = performance.now() - t0;
        if (self.timings.first === undefined) self.timings.first = performance.now(); /* ms since navigation */
      });
    }).catch(function (err) {
      self.say("检索出错：" + (err && err.message ? err.message : err) + "。请刷新页面后重试。");
    });
  };

  SearchPage.prototype.showMore = function () {
    var self = this;
    var seq = this.seq;
    var batch = this.results.slice(this.shown, this.shown + PAGE_SIZE);
    return Promise.all(batch.map(function (r) { return r.data(); })).then(function (items) {
      if (seq !== self.seq) return;
      var first = null;
      for (var i = 0; i < items.length; i++) {
        var li = renderHit(items[i], self.about.statusClass);
        if (!first) first = li;
        self.list.appendChild(li);
      }
      self.shown += items.length;
      var left = self.results.length - self.shown;
      self.more.hidden = left <= 0;
      if (left > 0) self.more.textContent = "显示更多结果（还有 " + left + " 条）";
      return first;
    });
  };

  /* One result: title link, what and whose it is, status, highlighted excerpt. */
  function renderHit(d, statusClass, titleTag) {
    var m = d.meta || {};
    var li = el("li", "lz-hit");
    var h = el(titleTag || "h2", "lz-hit__title");
    var a = el("a", null, m.title || d.url);
    a.href = d.url;
    h.appendChild(a);
    li.appendChild(h);
    var info = el("p", "lz-hit__meta");
    var parts = [m["类别"], m["单位"], m["表类"], m["年度"] ? m["年度"] + "年度" : "", m["职务"]];
    for (var i = 0; i < parts.length; i++) {
      if (!parts[i]) continue;
      if (info.childNodes.length) info.appendChild(document.createTextNode(" · "));
      info.appendChild(el("span", null, parts[i]));
    }
    if (m["状态"]) {
      info.appendChild(document.createTextNode(" "));
      info.appendChild(el("span", "lz-status lz-status--" + ((statusClass && statusClass[m["状态"]]) || "none"), m["状态"]));
    }
    li.appendChild(info);
    var ex = el("p", "lz-hit__excerpt");
    ex.innerHTML = d.excerpt; /* Pagefind escapes the page text; only its <mark> is markup */
    li.appendChild(ex);
    return li;
  }

  SearchPage.prototype.start = function () {
    var self = this;
    this.baseTitle = document.title;
    if (!supported()) {
      this.say("当前浏览器版本过旧，无法使用全文检索。请使用较新版本的浏览器，或从导航中的“单位”“人员”“承诺表”“制度汇编”逐级查找。");
      return;
    }
    var params = new URLSearchParams(window.location.search);
    this.input.value = params.get("q") || "";
    var chosen = this.filtersFromUrl(params);
    this.say("正在载入检索索引 …");
    this.ready = this.load().then(function (pf) {
      self.pf = pf;
      self.timings.ready = performance.now();
      self.buildFilters(self.about.filters, chosen);
      self.form.addEventListener("submit", function (e) {
        e.preventDefault();
        self.run(true);
      });
      whenTyped(self.input, function () { self.run(false); });
      self.more.addEventListener("click", function () {
        var n = self.shown;
        self.showMore().then(function () {
          var next = self.list.children[n];
          var link = next && next.querySelector("a");
          if (link) link.focus(); /* keyboard users continue where the new results start */
        });
      });
      return self.search();
    }, function () {
      self.say(window.location.protocol === "file:"
        ? "直接打开本地文件时无法检索。请通过内网网站地址访问本站，或从导航中逐级查找。"
        : "检索索引载入失败。请刷新页面重试；如仍失败，请联系网站管理员（检索索引可能未生成）。");
    });
  };

  /* The header box on every other page: its first results in a panel under
     it as the reader types (the index loads when the box is first pointed
     at or used). Enter, or the panel's last link, opens the results page
     with filters. Arrow keys move between the results, Escape closes the
     panel. */
  var SHOWN = 5;

  function HeaderSearch(form) {
    this.form = form;
    this.cfg = JSON.parse(form.getAttribute("data-lz-search-config"));
    this.input = form.querySelector("input[name=q]");
    this.panel = el("div", "lz-hsearch__panel");
    this.panel.id = "lz-hsearch-panel";
    this.panel.hidden = true;
    this.status = el("p", "lz-hsearch__status");
    this.status.setAttribute("role", "status");
    this.status.setAttribute("aria-live", "polite");
    this.list = el("ol", "lz-hsearch__results");
    this.all = el("a", "lz-hsearch__all");
    this.panel.appendChild(this.status);
    this.panel.appendChild(this.list);
    this.panel.appendChild(this.all);
    form.appendChild(this.panel);
    /* (a search box takes no aria-expanded; the panel's status line is announced) */
    this.input.setAttribute("aria-controls", this.panel.id);
    this.loading = null;
    this.busy = false;
    this.again = false;
    this.timings = {}; /* asked: the box first pointed at or used; first: the first results shown (ms since navigation) */
    var self = this;
    /* loading starts when the pointer reaches the box, a moment before the click */
    form.addEventListener("pointerenter", function () { self.load(); });
    this.input.addEventListener("focus", function () { self.load(); });
    whenTyped(this.input, function () { self.update(); });
    this.input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown" && !self.panel.hidden) {
        var first = self.links()[0];
        if (first) { e.preventDefault(); first.focus(); }
      } else if (e.key === "Escape" && !self.panel.hidden) {
        e.preventDefault();
        self.close();
      }
    });
    this.panel.addEventListener("keydown", function (e) { self.onPanelKey(e); });
    /* the panel closes when focus or a click goes elsewhere */
    form.addEventListener("focusout", function (e) {
      if (!e.relatedTarget || !form.contains(e.relatedTarget)) self.close();
    });
    document.addEventListener("mousedown", function (e) {
      if (!form.contains(e.target)) self.close();
    });
  }

  HeaderSearch.prototype.load = function () {
    if (!this.loading) {
      this.timings.asked = performance.now();
      this.loading = window.lzSearchLoad(this.cfg).then(function (got) { return new Searcher(got); });
    }
    return this.loading;
  };

  HeaderSearch.prototype.links = function () {
    return Array.prototype.slice.call(this.panel.querySelectorAll("a")).filter(function (a) { return !a.hidden; });
  };

  HeaderSearch.prototype.onPanelKey = function (e) {
    var links = this.links();
    var at = links.indexOf(document.activeElement);
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      var next = at + (e.key === "ArrowDown" ? 1 : -1);
      if (next < 0) this.input.focus();
      else if (next < links.length) links[next].focus();
    } else if (e.key === "Escape") {
      e.preventDefault();
      this.close();
      this.input.focus();
    }
  };

  HeaderSearch.prototype.open = function () {
    this.panel.hidden = false;
  };

  HeaderSearch.prototype.close = function () {
    this.panel.hidden = true;
  };

  /* Runs the query in the box; typed on while one runs, the box is searched
     again when it ends (only its latest text is shown). */
  HeaderSearch.prototype.update = function () {
    var self = this;
    var raw = this.input.value;
    if (!prepare(raw)) {
      this.close();
      return;
    }
    if (this.busy) {
      this.again = true;
      return;
    }
    this.busy = true;
    this.open();
    this.all.hidden = true;
    if (!this.searcher) this.status.textContent = "正在载入检索索引 …";
    this.load().then(function (searcher) {
      self.searcher = searcher;
      return searcher.query(raw, null);
    }).then(function (res) {
      var results = (res && res.results) || [];
      return Promise.all(results.slice(0, SHOWN).map(function (r) { return r.data(); })).then(function (items) {
        if (self.input.value !== raw) return; /* typed on: the next run shows its own */
        self.show(raw.trim(), results.length, items);
      });
    }).catch(function () {
      self.list.innerHTML = "";
      self.status.textContent = window.location.protocol === "file:"
        ? "直接打开本地文件时无法检索。请通过内网网站地址访问本站。"
        : "检索索引载入失败。请按回车键打开检索页，或刷新页面重试。";
    }).then(function () {
      self.busy = false;
      if (self.again) {
        self.again = false;
        self.update();
      }
    });
  };

  HeaderSearch.prototype.show = function (q, total, items) {
    this.list.innerHTML = "";
    for (var i = 0; i < items.length; i++) {
      var li = renderHit(items[i], this.searcher.about.statusClass, "p"); /* no headings in the page header */
      li.className += " lz-hsearch__hit";
      this.list.appendChild(li);
    }
    var url = this.form.getAttribute("action") + "?q=" + encodeURIComponent(q);
    if (total) {
      this.status.textContent = "找到 " + total + " 条结果" + (total > items.length ? "，以下是前 " + items.length + " 条" : "") + "。";
      this.all.textContent = "在检索页查看全部 " + total + " 条结果，可按单位、年度等筛选 →";
    } else {
      this.status.textContent = "没有找到与“" + q + "”相关的已公布记录。";
      this.all.textContent = "打开检索页，查看检索说明 →";
    }
    this.all.href = url;
    this.all.hidden = false;
    this.panel.setAttribute("data-lz-query", q); /* what the panel shows results of (tests wait on it) */
    if (this.timings.first === undefined) this.timings.first = performance.now();
  };

  ready(function () {
    onKey();
    var header = document.querySelector("[data-lz-hsearch]");
    var root = document.querySelector("[data-lz-search]");
    if (!root) {
      if (header && supported() && window.lzSearchLoad) window.lzHeaderSearch = new HeaderSearch(header); /* window.*: for tests and the bench */
      return;
    }
    if (header) header.hidden = true; /* this page has its own, larger box */
    var page = new SearchPage(root);
    window.lzSearch = page; /* for tests and bench/search_quality.py */
    page.start();
  });
})();
