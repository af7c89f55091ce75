// The console's one script (no inline scripts: the Content-Security-Policy forbids them).
"use strict";

(function () {
  // a sign-in link opens a page with one button; pressing it for the person (a link preview never runs this)
  const signIn = document.querySelector("form[data-autosubmit]");
  if (signIn) signIn.submit();

  document.querySelectorAll("form[data-autosubmit-change] select").forEach((select) => {
    select.addEventListener("change", () => select.form.submit());
  });
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
  document.querySelectorAll("a[data-back]").forEach((link) => {
    link.addEventListener("click", (event) => {
      if (window.history.length > 1) {
        event.preventDefault();
        window.history.back();
      }
    });
  });
  // the reply box filled with a saved reply as it would go to this client (their language, its variables
  // filled in), to be edited before it goes; the form says which one it was, so its use is recorded
  const fill = document.getElementById("saved-fill");
  if (fill) {
    const box = document.getElementById("reply-text");
    const name = document.getElementById("saved-name");
    fill.addEventListener("change", async () => {
      name.value = "";
      if (!fill.value) return;
      const response = await fetch(fill.dataset.url + encodeURIComponent(fill.value), { credentials: "same-origin" });
      if (!response.ok) return;
      const filled = await response.json();
      box.value = filled.text;
      name.value = filled.name;
      box.focus();
    });
  }
  // a form sent once: the button rests until the page answers (its id makes a second send harmless anyway);
  // a disabled button's name/value is not sent, so the pressed one's (EN/RU) goes along as a hidden field
  document.querySelectorAll("form[method=post]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (event.defaultPrevented) return; // not confirmed: the form stays as it was
      const pressed = event.submitter;
      if (pressed && pressed.name) {
        const kept = document.createElement("input");
        kept.type = "hidden";
        kept.name = pressed.name;
        kept.value = pressed.value;
        form.append(kept);
      }
      form.querySelectorAll("button").forEach((b) => { b.disabled = true; });
    });
  });

  // the response clocks on the board keep moving between updates (server time, offset by the page's age)
  function span(clock, minutes) {
    const m = Math.max(0, Math.floor(minutes));
    if (m < 60) return clock.dataset.minutes.replace("{n}", String(m));
    return clock.dataset.hours.replace("{h}", String(Math.floor(m / 60))).replace("{n}", String(m % 60).padStart(2, "0"));
  }
  function tick(within) {
    (within || document).querySelectorAll(".clock[data-due]").forEach((clock) => {
      const offset = Number(clock.dataset.now) - (clock.dataset.loaded ? Number(clock.dataset.loaded) : Date.now() / 1000);
      if (!clock.dataset.loaded) clock.dataset.loaded = String(Date.now() / 1000);
      const now = Date.now() / 1000 + offset;
      const since = Number(clock.dataset.since), due = Number(clock.dataset.due);
      const late = now >= due;
      const waiting = clock.dataset.waiting.replace("{m}", span(clock, (now - since) / 60));
      const left = late ? clock.dataset.overdue.replace("{m}", span(clock, (now - due) / 60))
        : clock.dataset.dueIn.replace("{m}", span(clock, Math.ceil((due - now) / 60)));
      clock.textContent = waiting + " · " + left;
      clock.classList.toggle("bad", late);
      const card = clock.closest("a.req");
      if (card) card.classList.toggle("breached", late);
    });
  }
  tick();
  setInterval(tick, 30_000);

  const audit = document.getElementById("audit");
  if (audit) {
    fetch(audit.dataset.audit, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((r) => r.json())
      .then((report) => {
        audit.textContent = report.summary; // the server's words, in the viewer's language
        audit.classList.add(report.intact ? "good" : "bad");
      })
      .catch(() => { audit.textContent = "?"; });
  }

  const live = document.body.dataset.live;
  if (!document.querySelector("header.top") || !window.EventSource) return; // (signed in: every page listens)

  // notifications for the signed-in person (the server says which events are theirs to hear of: a client of
  // theirs wrote; for leads, an escalation), and the count of them in the title while the tab is away
  const title = document.title;
  let unread = 0;
  const button = document.getElementById("notify");
  function showPermission() {
    if (!button || !window.Notification) return;
    button.hidden = Notification.permission === "denied";
    if (Notification.permission === "granted") {
      button.textContent = button.dataset.on;
      button.disabled = true;
    }
  }
  if (button) {
    button.addEventListener("click", () => {
      Notification.requestPermission().then(showPermission);
    });
    showPermission();
  }
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) {
      unread = 0;
      document.title = title;
    }
  });
  function notify(item) {
    if (!item.notify || !document.hidden) return; // (looking at the console already)
    unread += 1;
    document.title = "(" + unread + ") " + title;
    if (!window.Notification || Notification.permission !== "granted") return;
    const shown = new Notification(item.notify.title, { body: item.notify.body, tag: item.id });
    shown.onclick = () => {
      window.focus();
      location.href = item.notify.url;
      shown.close();
    };
  }

  // refresh a server-rendered part of the page when something it shows changed
  const pending = new Map();
  const held = new Map(); // parts being fetched: the cards that arrive meanwhile, applied after it lands
  const fetching = new Map();
  function refresh(id, delay = 1000) {
    const target = document.getElementById(id);
    if (!target || pending.has(id)) return;
    pending.set(id, setTimeout(() => { // (at most once a second, whatever the burst)
      pending.delete(id);
      fetching.set(id, (fetching.get(id) || 0) + 1);
      if (!held.has(id)) held.set(id, []);
      fetch(target.dataset.part, { credentials: "same-origin" })
        .then((r) => (r.ok ? r.text() : Promise.reject(r.status)))
        .then((html) => {
          target.innerHTML = html; // our own server-rendered, escaped template
          tick();
          document.body.dataset.updated = String(Date.now());
        })
        .catch(() => {})
        .finally(() => {
          const left = fetching.get(id) - 1;
          if (left > 0) return fetching.set(id, left);
          fetching.delete(id);
          const later = held.get(id);
          held.delete(id);
          later.forEach(applyCards); // (each drawn as it was then: the same as the part, or newer)
        });
    }, delay));
  }

  // the board: one card swapped, moved or taken off as an event changes it; its column keeps the board's
  // order (breached first, then the longest waiting, then the oldest) and its count
  function order(card) {
    const since = card.dataset.since ? Number(card.dataset.since) : Infinity;
    return [card.classList.contains("breached") ? 0 : 1, since, Number(card.dataset.request.split("-")[1])];
  }
  function before(a, b) {
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i];
    return false;
  }
  function counted(column) {
    const n = column.querySelectorAll("a.req").length; // (drawn or not yet: every card is in the page)
    column.querySelector(".count").textContent = String(n);
    column.querySelector(".empty").hidden = n > 0;
    const more = column.querySelector("button.more");
    if (more) more.hidden = !column.querySelector("a.req.stub");
  }
  function applyCards(update) {
    const board = document.getElementById("board");
    if (!board) return;
    if (held.has("board")) { // a whole board is on its way: these follow it
      held.get("board").push(update);
      return;
    }
    const only = board.dataset.assistant;
    const touched = new Set();
    const cardOf = (id) => board.querySelector('a.req[data-request="' + CSS.escape(id) + '"]');
    const takeOff = (id) => {
      const old = cardOf(id);
      if (old) {
        touched.add(old.closest("section.column"));
        old.remove();
      }
    };
    (update.gone || []).forEach(takeOff);
    (update.cards || []).forEach((item) => {
      const column = board.querySelector('section.column[data-state="' + CSS.escape(item.state) + '"]');
      if (!column || (only && item.assistant !== only)) return takeOff(item.id);
      const shell = document.createElement("template");
      shell.innerHTML = item.html.trim(); // our own server-rendered, escaped template
      const card = shell.content.firstElementChild;
      const old = cardOf(item.id);
      if (old) {
        touched.add(old.closest("section.column"));
        old.remove();
      }
      const key = order(card);
      const next = Array.from(column.querySelectorAll("a.req")).find((other) => before(key, order(other)));
      column.insertBefore(card, next || column.querySelector("button.more"));
      const above = card.previousElementSibling;
      if (above && above.matches("a.req.stub")) { // behind cards not drawn yet: not drawn either
        card.classList.add("stub");
        card.hidden = true;
      }
      if (!old) card.classList.add("fresh");
      touched.add(column);
      tick(card);
    });
    touched.forEach(counted);
    if (touched.size) document.body.dataset.updated = String(Date.now());
  }

  // a column draws its most urgent cards; "show more" draws the next of those kept in the page undrawn
  const MORE = 100;
  document.addEventListener("click", (e) => {
    const button = e.target.closest && e.target.closest("section.column button.more");
    if (!button || button.disabled) return;
    const column = button.closest("section.column");
    const ids = Array.from(column.querySelectorAll("a.req.stub")).slice(0, MORE).map((s) => s.dataset.request);
    button.disabled = true;
    fetch("/console/board.cards?ids=" + encodeURIComponent(ids.join(",")), { credentials: "same-origin" })
      .then((r) => (r.ok ? r.text() : Promise.reject(r.status)))
      .then((html) => {
        const shell = document.createElement("template");
        shell.innerHTML = html; // our own server-rendered, escaped template
        const drawn = new Map(Array.from(shell.content.querySelectorAll("a.req")).map((c) => [c.dataset.request, c]));
        ids.forEach((id) => {
          const stub = column.querySelector('a.req.stub[data-request="' + CSS.escape(id) + '"]');
          if (!stub) return; // (changed meanwhile: the stream drew it)
          const card = drawn.get(id);
          if (!card) return stub.remove(); // (no longer on the board)
          stub.replaceWith(card);
          tick(card);
        });
        counted(column);
        document.body.dataset.updated = String(Date.now());
      })
      .catch(() => {})
      .finally(() => { button.disabled = false; });
  });

  function prepend(item) {
    const list = document.getElementById("activity");
    if (!list) return;
    // the same line as activity.html writes: the server's time (business time zone, with the date) and actor
    const li = document.createElement("li");
    const time = document.createElement("time");
    time.dateTime = item.at;
    time.textContent = item.time;
    const who = document.createElement("span");
    who.className = "who";
    who.textContent = item.actor;
    const what = document.createElement("span");
    what.className = "what";
    what.dir = "auto";
    what.textContent = item.line;
    li.append(time, " ", who, " ", what);
    if (item.request || item.client) {
      const link = document.createElement("a");
      link.href = item.request ? "/console/requests/" + item.request : "/console/clients/" + item.client;
      link.textContent = item.request || item.client;
      li.append(" ", link);
    }
    li.className = item.kind + " fresh";
    list.prepend(li);
    while (list.children.length > 300) list.lastElementChild.remove();
  }

  // a reconnecting tab is replayed a window of what it may have missed: each event is handled once
  const seen = new Set();
  const source = new EventSource(live === "board" ? "/console/live?board=1" : "/console/live");
  source.addEventListener("log", (message) => {
    const item = JSON.parse(message.data);
    if (seen.has(item.id)) return;
    seen.add(item.id);
    if (seen.size > 5000) seen.delete(seen.values().next().value);
    notify(item);
    if (live === "request" && item.client === document.body.dataset.client) refresh("timeline");
    if (live === "activity") prepend(item);
  });
  // the board's cards come as they change; what a dropped connection missed, the whole board says again
  let opened = false;
  source.addEventListener("open", () => {
    if (opened && live === "board") refresh("board", 0);
    opened = true;
  });
  source.addEventListener("card", (message) => {
    if (live === "board") applyCards(JSON.parse(message.data));
  });
  source.addEventListener("board", () => {
    if (live === "board") refresh("board", 0);
  });
})();
