/* The client's page: asks Telegram who is here (initData, sent on every request), then loads each page and
   sends each form through fetch, swapping the page in place. A WhatsApp client's session is a cookie. */
(function () {
  "use strict";
  var tg = window.Telegram && window.Telegram.WebApp;
  var initData = (tg && tg.initData) || "";

  function headers() {
    var h = { "X-Concierge-App": "1" };
    if (initData) h.Authorization = "tma " + initData;
    return h;
  }

  function notice(text) {
    var box = document.getElementById("toast");
    if (!box) {
      box = document.createElement("p");
      box.id = "toast";
      box.setAttribute("role", "alert");
      document.body.appendChild(box);
    }
    box.textContent = text;
    box.hidden = false;
  }

  function said(name) {
    // an error in the client's language: every page carries these texts (data-err-*)
    return document.body.getAttribute("data-err-" + name) || "…";
  }

  function enable() {
    document.querySelectorAll("form button").forEach(function (b) { b.disabled = false; });
  }

  function swap(html, url, push) {
    var same = url === window.location.href;
    var doc = new DOMParser().parseFromString(html, "text/html");
    document.documentElement.lang = doc.documentElement.lang;
    document.documentElement.dir = doc.documentElement.dir;
    document.title = doc.title;
    document.body.replaceWith(document.importNode(doc.body, true));
    if (push) history.pushState({}, "", url);
    else history.replaceState({}, "", url);
    decorate();
    if (!same || push) window.scrollTo(0, 0);  // (a page keeping itself current stays where it was read)
    if (window.performance && performance.mark) performance.mark("concierge-page");  // (bench/miniapp.py)
  }

  function load(url, options, push) {
    if (push) reloads = 0;
    options = options || {};
    options.headers = headers();
    options.credentials = "same-origin";
    return fetch(url, options).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      return response.text().then(function (text) {
        if (type.indexOf("text/html") === 0) return swap(text, response.url, push);
        enable();
        if (response.status === 401) {
          notice(said("expired"));
          if (tg && initData && tg.showAlert) tg.showAlert(said("expired"), function () { tg.close(); });
        } else notice(said(response.status >= 500 ? "busy" : "form"));
      });
    }).catch(function () {
      enable();
      notice(said("network"));
    });
  }

  function localTimes() {
    var offset = parseInt(document.body.dataset.tzOffset || "0", 10);
    var mine = -new Date().getTimezoneOffset();
    if (offset === mine) return;
    var label = document.body.dataset.yourTime || "";
    document.querySelectorAll("time[data-local='time']").forEach(function (el) {
      var at = new Date(el.getAttribute("datetime"));
      var hm = at.toLocaleTimeString(document.documentElement.lang, { hour: "2-digit", minute: "2-digit" });
      var extra = document.createElement("small");
      extra.className = "mine";
      extra.textContent = " · " + hm + " " + label;
      el.appendChild(extra);
    });
  }

  var refresher = null;
  var reloads = 0;  // in place, since the client last moved: a page left open stops after half an hour

  function keepCurrent() {
    // a page waiting for something (a quote, a receipt) loads itself again, unless the client is typing
    if (refresher) clearTimeout(refresher);
    var live = document.getElementById("live");
    if (!live || reloads > 450) return;
    refresher = setTimeout(function () {
      var busy = document.activeElement && /INPUT|TEXTAREA|SELECT/.test(document.activeElement.tagName);
      if (document.getElementById("live") && !busy && document.visibilityState !== "hidden") {
        reloads += 1;
        load(window.location.href, {}, false);
      } else keepCurrent();
    }, 1000 * parseInt(live.dataset.refresh || "5", 10));
  }

  function decorate() {
    if (tg && tg.colorScheme) document.documentElement.dataset.scheme = tg.colorScheme;
    // a narrow phone scrolls the tabs: the page's own is brought into sight (else "History" was cut off)
    var tab = document.querySelector(".tabs .tab.on");
    if (tab && tab.scrollIntoView) tab.scrollIntoView({ block: "nearest", inline: "nearest" });
    localTimes();
    keepCurrent();
    var link = document.getElementById("open-link");
    if (link) link.submit();
    var shell = document.getElementById("shell");
    if (shell && !initData) {
      var hint = document.getElementById("no-telegram");
      if (hint) hint.hidden = false;
    }
  }

  document.addEventListener("click", function (event) {
    var a = event.target.closest("a");
    if (!a) return;
    if (a.hasAttribute("data-write")) {
      event.preventDefault();
      if (tg && initData) tg.close();
      else if (a.dataset.write) window.location.href = a.dataset.write;
      return;
    }
    if (a.hasAttribute("data-external")) {
      if (tg && tg.openLink && initData) {
        event.preventDefault();
        tg.openLink(a.href);
      }
      // paying by the link: the page waits for the receipt and shows it
      if (a.dataset.paying) load("/app/requests?paying=" + encodeURIComponent(a.dataset.paying), {}, true);
      return;
    }
    if (a.getAttribute("href").indexOf("/app") === 0) {
      event.preventDefault();
      load(a.getAttribute("href"), {}, true);
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.id === "open-link") return;  // the one-time link: an ordinary form, it sets the session
    event.preventDefault();
    var button = event.submitter;
    var body = new URLSearchParams(new FormData(form));
    if (button && button.name) body.set(button.name, button.value);  // (FormData's submitter: iOS 16.4+)
    form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
    if (form.hasAttribute("data-download")) {
      fetch(form.getAttribute("action"), { method: "POST", body: body, headers: headers(), credentials: "same-origin" })
        .then(function (r) {
          if (!r.ok) throw new Error(r.status >= 500 || r.status === 401 ? "busy" : "form");
          return r.json();
        })
        .then(function (answer) {
          var url = new URL(answer.url, window.location.href).href;
          var canDownload = tg && initData && tg.downloadFile && (!tg.isVersionAtLeast || tg.isVersionAtLeast("8.0"));
          if (canDownload) tg.downloadFile({ url: url, file_name: "my-data.json" });
          else if (tg && initData && tg.openLink) tg.openLink(url);
          else window.location.href = url;
          enable();
        })
        .catch(function (error) {
          enable();
          notice(said(error.message === "form" ? "form" : error.message === "busy" ? "busy" : "network"));
        });
      return;
    }
    load(form.getAttribute("action"), { method: "POST", body: body }, true);  // (form.action is the input named "action")
  });

  window.addEventListener("popstate", function () { load(window.location.href, {}, false); });

  if (tg) {
    tg.ready();
    if (tg.expand) tg.expand();
  }
  decorate();
  if (document.getElementById("shell") && initData) load(window.location.href, {}, false);
})();
