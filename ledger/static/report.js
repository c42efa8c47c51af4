(function () {
  "use strict";

  // Tables: a click on a heading sorts by that column; cells with data-v sort by it, the others by their text.
  document.querySelectorAll("table.sortable").forEach(function (table) {
    table.querySelectorAll("th").forEach(function (th, col) {
      th.addEventListener("click", function () {
        var asc = th.getAttribute("aria-sort") !== "ascending";
        table.querySelectorAll("th").forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
        var key = function (row) {
          var cell = row.cells[col], v = cell.getAttribute("data-v");
          if (v === null) { return cell.textContent.trim().toLowerCase(); }
          return v === "" ? -Infinity : Number(v);
        };
        rows.sort(function (a, b) {
          var x = key(a), y = key(b);
          return (x < y ? -1 : x > y ? 1 : 0) * (asc ? 1 : -1);
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });

  // Entries: filters, search and order, kept in the address (?speaker=…&q=…) so that a view can be shared.
  var form = document.getElementById("filters");
  var list = document.getElementById("entry-list");
  if (!form || !list) { return; }
  var FACETS = ["speaker", "status", "kind", "topic", "source"];
  var DEFAULT_SORT = "said-desc";
  var items = Array.prototype.slice.call(list.children);
  var texts = items.map(function (item) {
    return Array.prototype.map.call(item.querySelectorAll("[data-search]"), function (node) {
      return node.textContent;
    }).join("\n").toLowerCase();
  });
  items.forEach(function (item, i) { item.setAttribute("data-index", String(i)); });
  var shown = document.getElementById("shown");

  function has(item, facet, value) {
    if (facet === "status" && value === "overdue") { return item.hasAttribute("data-overdue"); }
    var own = item.getAttribute("data-" + facet) || "";
    return facet === "topic" ? own.split(" ").indexOf(value) >= 0 : own === value;
  }

  function state() {
    var s = {q: form.elements.q.value, sort: form.elements.sort.value};
    FACETS.forEach(function (f) { s[f] = form.elements[f].value; });
    return s;
  }

  function words(q) {
    return q.toLowerCase().split(/\s+/).filter(function (w) { return w !== ""; });
  }

  // Does the entry pass every filter but `skip`? (The counts beside one filter's options leave that filter out.)
  function passes(item, i, s, terms, skip) {
    for (var k = 0; k < FACETS.length; k++) {
      var f = FACETS[k];
      if (f !== skip && s[f] !== "" && !has(item, f, s[f])) { return false; }
    }
    return terms.every(function (w) { return texts[i].indexOf(w) >= 0; });
  }

  function sortKey(item, sort) {
    var field = sort.indexOf("deadline") === 0 ? "data-deadline" : "data-said";
    return item.getAttribute(field) || "";
  }

  function order(sort) {
    var desc = /-desc$/.test(sort);
    // The page lists entries in the default order already.
    var sorted = sort === DEFAULT_SORT ? items.slice() : items.slice().sort(function (a, b) {
      var x = sortKey(a, sort), y = sortKey(b, sort);
      // Entries without a deadline come last in either direction.
      if (x === "" || y === "") { if (x !== y) { return x === "" ? 1 : -1; } }
      else if (x !== y) { return (x < y ? -1 : 1) * (desc ? -1 : 1); }
      return Number(a.getAttribute("data-index")) - Number(b.getAttribute("data-index"));
    });
    sorted.forEach(function (item) { list.appendChild(item); });
  }

  function count(s, terms, facet) {
    var counts = {}, all = 0;
    items.forEach(function (item, i) {
      if (!passes(item, i, s, terms, facet)) { return; }
      all += 1;
      var own = facet === "topic" ? (item.getAttribute("data-topic") || "").split(" ")
        : [item.getAttribute("data-" + facet) || ""];
      if (facet === "status" && item.hasAttribute("data-overdue")) { own = own.concat(["overdue"]); }
      own.forEach(function (v) { counts[v] = (counts[v] || 0) + 1; });
    });
    Array.prototype.forEach.call(form.elements[facet].options, function (option) {
      var n = option.value === "" ? all : (counts[option.value] || 0);
      option.textContent = option.getAttribute("data-label") + " (" + n + ")";
    });
  }

  function address(s) {
    var params = new URLSearchParams();
    if (s.q.trim() !== "") { params.set("q", s.q.trim()); }
    FACETS.forEach(function (f) { if (s[f] !== "") { params.set(f, s[f]); } });
    if (s.sort !== DEFAULT_SORT) { params.set("sort", s.sort); }
    var query = params.toString();
    return location.pathname + (query ? "?" + query : "") + location.hash;
  }

  function apply() {
    var s = state(), terms = words(s.q), n = 0;
    items.forEach(function (item, i) {
      var ok = passes(item, i, s, terms, null);
      item.hidden = !ok;
      if (ok) { n += 1; }
    });
    FACETS.forEach(function (f) { count(s, terms, f); });
    order(s.sort);
    shown.textContent = n === items.length ? "All " + n + " entries." : n + " of " + items.length + " entries.";
    try { history.replaceState(null, "", address(s)); } catch (e) { /* a file: page may refuse; the view still works */ }
  }

  function choose(select, value) {
    var known = Array.prototype.some.call(select.options, function (o) { return o.value === value; });
    select.value = known ? value : (select.name === "sort" ? DEFAULT_SORT : "");
  }

  function load() {
    var params = new URLSearchParams(location.search);
    form.elements.q.value = params.get("q") || "";
    FACETS.forEach(function (f) { choose(form.elements[f], params.get(f) || ""); });
    choose(form.elements.sort, params.get("sort") || DEFAULT_SORT);
  }

  // A permalink to an entry that the filters hide shows every entry, so that the link always lands.
  function reveal() {
    var id = decodeURIComponent(location.hash.slice(1));
    var target = id ? document.getElementById(id) : null;
    if (target && target.closest("li.entry") && target.closest("li.entry").hidden) {
      form.reset();
      apply();
      target.scrollIntoView();
    }
  }

  form.hidden = false;
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  form.addEventListener("reset", function () { setTimeout(apply, 0); });
  window.addEventListener("hashchange", reveal);
  load();
  apply();
  reveal();
}());
