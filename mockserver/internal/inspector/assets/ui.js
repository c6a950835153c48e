// The inspector's script: it reads the route from the address's fragment
// (#/, #/c/CUSTOMER, #/c/CUSTOMER/s/REQUEST, #/c/CUSTOMER/all), fetches the
// views the server draws, follows the server-sent events of the journal
// to fetch them again, and sends what the user asks (advance the clock,
// fire a webhook, attempt a delivery again) to the admin API with POST and JSON.
"use strict";
(function () {
  var body = document.body;
  var lang = body.dataset.lang;
  var tokenKey = "flinks-mock-admin-token";
  var stream = null;
  var streamKey = null;
  var pending = null;
  var selected = null;

  function token() { return sessionStorage.getItem(tokenKey) || ""; }
  function headers(extra) {
    var h = extra || {};
    if (token()) { h.Authorization = "Bearer " + token(); }
    return h;
  }
  function $(id) { return document.getElementById(id); }

  function route() {
    var parts = location.hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
    var r = { customer: "", request: "", all: false };
    if (parts[0] === "c" && parts[1]) {
      r.customer = parts[1];
      if (parts[2] === "s" && parts[3]) { r.request = parts[3]; }
      if (parts[2] === "all") { r.all = true; }
    }
    return r;
  }

  function say(text, isError) {
    var s = $("status");
    s.textContent = text || "";
    s.classList.toggle("error", !!isError);
  }

  function needToken() {
    $("auth").hidden = false;
    ["customers", "customer", "timeline", "entry", "logins"].forEach(function (id) { $(id).innerHTML = ""; });
    $("token").focus();
  }

  // load fetches a view into the element of the same id; it resolves
  // false when the server wants the admin token.
  function load(view, params, target) {
    var q = new URLSearchParams(params || {});
    q.set("lang", lang);
    return fetch("/__admin/ui/view/" + view + "?" + q.toString(), { headers: headers(), cache: "no-store" })
      .then(function (res) {
        if (res.status === 401) { needToken(); return false; }
        return res.text().then(function (html) {
          if (!res.ok) { say(html, true); return false; }
          $(target || view).innerHTML = html;
          return true;
        });
      });
  }

  function crumbs(r) {
    var nav = $("crumbs");
    var items = ['<li><a href="#/">' + escapeHTML(nav.getAttribute("aria-label")) + "</a></li>"];
    if (r.customer) {
      items.push('<li><a href="#/c/' + encodeURIComponent(r.customer) + '">' + escapeHTML(r.customer) + "</a></li>");
    }
    if (r.request) { items.push("<li aria-current=\"page\">" + escapeHTML(r.request) + "</li>"); }
    nav.innerHTML = "<ol>" + items.join("") + "</ol>";
  }

  function escapeHTML(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  // refresh fetches every view the route shows.
  function refresh() {
    var r = route();
    var jobs = [load("clock")];
    if (r.customer) {
      $("customers").innerHTML = "";
      jobs.push(load("customer", { customerId: r.customer }));
      if (r.request || r.all) {
        jobs.push(load("timeline", { customerId: r.customer, requestId: r.request }).then(reselect));
      } else {
        $("timeline").innerHTML = "";
        $("entry").innerHTML = "";
      }
    } else {
      $("customer").innerHTML = "";
      $("timeline").innerHTML = "";
      $("entry").innerHTML = "";
      jobs.push(load("customers"));
    }
    jobs.push(load("logins", { customerId: r.customer }));
    return Promise.all(jobs).then(function (oks) {
      if (oks.every(Boolean)) { $("auth").hidden = true; follow(r.customer); }
      body.dataset.ready = String(Date.now());
    });
  }

  // soon merges the refreshes the events of one burst ask for.
  function soon() {
    if (pending) { return; }
    pending = setTimeout(function () { pending = null; refresh(); }, 100);
  }

  function reselect() {
    if (!selected) { return; }
    var a = document.querySelector('#timeline a.tl-msg[data-seq="' + selected + '"]');
    if (a) { a.classList.add("selected"); }
  }

  // follow reads the server-sent events of the journal of a customer (or
  // of every one) with fetch, which can send the admin token; a stream
  // that ends is opened again.
  function follow(customer) {
    if (streamKey === customer && stream) { return; }
    if (stream) { stream.abort(); }
    streamKey = customer;
    var ctrl = new AbortController();
    stream = ctrl;
    var q = customer ? "?customerId=" + encodeURIComponent(customer) : "";
    fetch("/__admin/ui/events" + q, { headers: headers(), signal: ctrl.signal, cache: "no-store" })
      .then(function (res) {
        if (!res.ok || !res.body) { throw new Error("status " + res.status); }
        live(true);
        var reader = res.body.getReader();
        var dec = new TextDecoder();
        var buf = "";
        function pump() {
          return reader.read().then(function (chunk) {
            if (chunk.done) { return; }
            buf += dec.decode(chunk.value, { stream: true });
            var at;
            while ((at = buf.indexOf("\n\n")) >= 0) {
              var ev = buf.slice(0, at);
              buf = buf.slice(at + 2);
              // A change, or a stream just open: what came before it
              // was subscribed is fetched again too.
              if (/^event: (change|open)/m.test(ev)) { soon(); }
            }
            return pump();
          });
        }
        return pump();
      })
      .catch(function () { live(false); })
      .then(function () {
        if (stream !== ctrl) { return; }
        stream = null;
        setTimeout(function () { if (!stream) { follow(streamKey); soon(); } }, 500);
      });
  }

  function live(on) {
    var el = $("live");
    el.textContent = on ? body.dataset.live : body.dataset.offline;
    el.classList.toggle("offline", !on);
  }

  function post(path, payload) {
    return fetch(path, {
      method: "POST",
      headers: headers({ "Content-Type": "application/json" }),
      body: JSON.stringify(payload)
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (out) {
        if (!res.ok) { say((out && out.Message) || ("HTTP " + res.status), true); return; }
        say("");
        return refresh();
      });
    });
  }

  function showEntry(a) {
    var r = route();
    document.querySelectorAll("#timeline a.tl-msg.selected").forEach(function (x) { x.classList.remove("selected"); });
    a.classList.add("selected");
    selected = a.dataset.seq;
    load("entry", { customerId: r.customer, seq: a.dataset.seq }).then(function () { $("entry").focus(); });
  }

  document.addEventListener("click", function (e) {
    var t = e.target.closest("a.tl-msg, [data-advance], [data-fire], [data-resend]");
    if (!t) { return; }
    if (t.matches("a.tl-msg")) { e.preventDefault(); showEntry(t); return; }
    if (t.dataset.advance) { post("/__admin/clock/advance", { by: t.dataset.advance }); return; }
    if (t.dataset.fire) { post("/__admin/webhooks/fire", JSON.parse(t.dataset.fire)); return; }
    if (t.dataset.resend) { post("/__admin/webhooks/resend", { deliveryId: t.dataset.resend }); }
  });
  // An SVG link takes Enter already; Space activates it too, as a button.
  document.addEventListener("keydown", function (e) {
    var t = e.target;
    if (e.key === " " && t.matches && t.matches("a.tl-msg")) { e.preventDefault(); showEntry(t); }
  });
  $("auth-form").addEventListener("submit", function (e) {
    e.preventDefault();
    sessionStorage.setItem(tokenKey, $("token").value);
    $("token").value = "";
    if (stream) { stream.abort(); stream = null; }
    refresh();
  });
  window.addEventListener("hashchange", function () { selected = null; crumbs(route()); refresh().then(function () { $("main").focus(); }); });
  crumbs(route());
  refresh();
}());
