"use strict";
const state = { persona: null, channel: "telegram", thread: null, personas: [], seen: {}, unfolded: new Set() };
const $ = (selector) => document.querySelector(selector);

async function api(path, body) {
  const options = body ? { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) } : {};
  const response = await fetch(path, options);
  return response.json();
}

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === "className") node.className = value; else if (key === "onclick") node.onclick = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(child ?? ""));
  return node;
}

// a translated message's original, folded beneath it; it stays open across the pane's refreshes once opened
function folded(m) {
  const details = element("details", { className: "folded", dir: "auto" },
    element("summary", {}, "Original"), element("div", { className: "text" }, m.folded));
  details.open = state.unfolded.has(m.id);
  details.addEventListener("toggle", () => {
    if (details.open) state.unfolded.add(m.id); else state.unfolded.delete(m.id);
  });
  return details;
}

const MEDIA = { photo: "🖼 Photo", document: "📄 Document", video: "🎬 Video", voice: "🎙 Voice message",
  audio: "🎵 Audio", sticker: "✨ Sticker", location: "📍 Location", contact: "👤 Contact" };

function linkify(text) {
  const fragment = document.createDocumentFragment();
  for (const part of text.split(/(https?:\/\/\S+)/)) {
    if (/^https?:\/\//.test(part)) fragment.append(element("a", { href: part, target: "_blank", rel: "noopener" }, part));
    else fragment.append(part);
  }
  return fragment;
}

function renderPhone(messages) {
  const chat = $("#chat");
  const persona = state.personas.find((p) => p.key === state.persona);
  chat.dir = persona && persona.language === "ar" ? "rtl" : "ltr";
  chat.replaceChildren(...messages.map((m) => {
    const bubble = element("div", { className: `bubble ${m.from}`, dir: "auto", "data-id": String(m.id) });
    if (m.media) bubble.append(element("div", { className: "media" }, MEDIA[m.media] || "📎 Attachment"));
    bubble.append(element("div", { className: "text" }, linkify(m.text || "")));
    if (m.buttons && m.buttons.length) {
      const rows = element("div", { className: "buttons" });
      for (const row of m.buttons) {
        const line = element("div", { className: "button-row" });
        for (const b of row) {
          line.append(b.app
            ? element("button", { className: "button app", onclick: () => openApp(b.app) }, b.text)
            : b.url
            ? element("a", { className: "button", href: b.url, target: "_blank", rel: "noopener" }, b.text + " ↗")
            : element("button", { className: "button", onclick: () => api("/sandbox/api/phone/button",
              { persona: state.persona, message_id: m.id, data: b.data }) }, b.text));
        }
        rows.append(line);
      }
      bubble.append(rows);
    }
    return bubble;
  }));
  if (!messages.length) chat.append(element("p", { className: "empty" }, "Say hello — in Arabic, English or Russian."));
  chat.scrollTop = chat.scrollHeight;
}

function renderForum(data) {
  const topics = $("#topics");
  if (data.topics.length) {
    if (state.thread === null) state.thread = data.topics[data.topics.length - 1].thread;
    topics.replaceChildren(...data.topics.filter((t) => !t.deleted).map((t) => element("button", {
      className: `topic-link${t.thread === state.thread ? " active" : ""}`, dir: "auto",
      onclick: () => { state.thread = t.thread; refresh(true); } }, `# ${t.name}`)));
  }
  const pane = $("#topic-messages");
  if (state.thread === null) return;
  const pinned = data.messages.filter((m) => m.pinned);
  const rest = data.messages.filter((m) => !m.pinned);
  pane.replaceChildren(
    ...pinned.map((m) => element("div", { className: "msg pinned", dir: "auto" },
      element("span", { className: "who" }, "📌 Client card"), element("div", { className: "text" }, m.text))),
    ...rest.map((m) => element("div", { className: `msg ${m.bot ? "bot" : "staff"}`, dir: "auto" },
      element("span", { className: "who" }, m.bot ? "Concierge" : m.author),
      m.media ? element("div", { className: "media" }, MEDIA[m.media] || "📎") : "",
      element("div", { className: "text" }, linkify(m.text || "")),
      m.folded ? folded(m) : "")),
  );
  pane.scrollTop = pane.scrollHeight;
}

// the Mini App, opened in place as Telegram would: its address with signed launch parameters in the fragment
async function openApp(url) {
  const dark = window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  const query = new URLSearchParams({ persona: state.persona, theme: dark });
  if (url) query.set("url", url);
  const opened = await api(`/sandbox/api/webapp?${query}`);
  $("#webapp-title").textContent = opened.title || "My Concierge";
  $("#webapp-frame").src = opened.url;
  $("#webapp").hidden = false;
}

function closeApp() {
  $("#webapp").hidden = true;
  $("#webapp-frame").src = "about:blank";
}

window.addEventListener("message", (event) => {
  if (event.origin !== window.location.origin || !event.data || !event.data.webapp) return;
  if (event.data.webapp === "close") closeApp();
  if (event.data.webapp === "download") {
    const link = element("a", { href: event.data.detail.url, download: event.data.detail.file_name || "" });
    document.body.append(link);
    link.click();
    link.remove();
  }
});

async function refresh(force = false) {
  if (!state.persona) return;
  const phone = await api(`/sandbox/api/phone?persona=${state.persona}&channel=${state.channel}`);
  const menu = state.channel === "telegram" ? phone.menu : null;
  $("#open-app").hidden = !menu;
  $("#open-app").textContent = menu || "";
  const forum = await api(`/sandbox/api/forum${state.thread !== null ? `?thread=${state.thread}` : ""}`);
  const phoneKey = JSON.stringify(phone), forumKey = JSON.stringify(forum) + state.thread;
  if (force || state.seen.phone !== phoneKey) { state.seen.phone = phoneKey; renderPhone(phone.messages); }
  if (force || state.seen.forum !== forumKey) {
    state.seen.forum = forumKey;
    renderForum(forum);
    if (state.thread !== null && !forum.messages.length) refresh(true);
  }
}

// the phone: the sandbox plays Twilio (the call, the assistant's phone ringing, a typed voicemail)
function renderCall(data) {
  const call = data.call;
  const live = call && call.stage !== "ended";
  $("#call-panel").hidden = !call;
  $("#ringing").hidden = !(call && call.stage === "ringing");
  $("#call").disabled = Boolean(live);
  if (!call) return;
  state.call = call.sid;
  const words = {
    ringing: `📞 Calling… ringing ${call.ringing}`,
    "in-call": "📞 In the call",
    voicemail: "📞 Nobody could answer: leave a voicemail",
    ended: `📞 Call ended${call.outcome ? ` (${call.outcome})` : ""}`,
  };
  $("#call-status").textContent = [words[call.stage], ...call.said.map((s) => `“${s}”`)].join("\n");
  $("#voicemail-form").hidden = call.stage !== "voicemail";
  $("#call-hangup").hidden = !live;
  $("#ringing-text").textContent = call.stage === "ringing" ? `📞 ${call.ringing}'s phone is ringing` : "";
}

async function callAct(act, body = {}) {
  renderCall(await api(`/sandbox/api/call/${act}`, { sid: state.call, ...body }));
}

async function start() {
  const data = await api("/sandbox/api/personas");
  state.personas = data.personas;
  state.persona = data.personas[0].key;
  $("#persona").replaceChildren(...data.personas.map((p) => element("option", { value: p.key },
    `${p.name} · ${{ ar: "العربية", en: "English", ru: "Русский" }[p.language]}`)));
  $("#assistant").replaceChildren(...data.assistants.map((a) => element("option", { value: String(a.id) }, a.name)));
  // what /console sends an assistant in Telegram: a one-time link to the staff console (a new tab)
  $("#console-links").replaceChildren(...data.assistants.map((a) =>
    element("a", { href: `/sandbox/console/${a.id}`, target: "_blank", rel: "noopener", class: "console-link" },
      `Open the console as ${a.name}`)));
  $("#persona").onchange = (e) => { state.persona = e.target.value; closeApp(); refresh(true); };
  $("#open-app").onclick = () => openApp();
  $("#webapp-close").onclick = closeApp;
  for (const button of document.querySelectorAll(".channel")) {
    button.onclick = () => {
      state.channel = button.dataset.channel;
      document.querySelectorAll(".channel").forEach((b) => b.classList.toggle("active", b === button));
      $("#phone-subtitle").textContent = button.textContent;
      document.body.classList.toggle("whatsapp", state.channel === "whatsapp");
      refresh(true);
    };
  }
  // Enter sends and Shift+Enter starts a new line, as in Telegram (an itemised /quote is several lines)
  for (const box of [$("#phone-input"), $("#forum-input")]) {
    const fit = () => {
      box.style.height = "auto";
      box.style.height = `${Math.min(box.scrollHeight, 160)}px`;
    };
    box.addEventListener("input", fit);
    box.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        box.form.requestSubmit();
      }
    });
    box.form.addEventListener("submit", () => setTimeout(fit));
  }
  $("#phone-form").onsubmit = async (e) => {
    e.preventDefault();
    const text = $("#phone-input").value.trim();
    if (!text) return;
    $("#phone-input").value = "";
    await api("/sandbox/api/phone", { persona: state.persona, channel: state.channel, text });
    refresh();
  };
  $("#forum-form").onsubmit = async (e) => {
    e.preventDefault();
    const text = $("#forum-input").value.trim();
    if (!text || state.thread === null) return;
    $("#forum-input").value = "";
    await api("/sandbox/api/forum", { thread: state.thread, text, assistant: Number($("#assistant").value) });
    refresh();
  };
  for (const button of document.querySelectorAll(".fast-forward")) {
    button.onclick = async () => {
      const moved = await api("/sandbox/api/clock", { minutes: Number(button.dataset.minutes) });
      const at = new Date(moved.now);
      $("#clock-note").textContent = `service time ${at.toLocaleString([], { dateStyle: "short", timeStyle: "short" })}`;
      refresh();
    };
  }
  refresh(true);
  $("#call").onclick = async () => renderCall(await api("/sandbox/api/call", { persona: state.persona }));
  $("#call-answer").onclick = () => callAct("answer");
  $("#call-decline").onclick = () => callAct("decline");
  $("#call-hangup").onclick = () => callAct("hangup");
  $("#voicemail-form").onsubmit = async (e) => {
    e.preventDefault();
    await callAct("voicemail", { text: $("#voicemail-input").value });
    $("#voicemail-input").value = "";
  };
  setInterval(async () => renderCall(await api("/sandbox/api/call")), 1000);
  setInterval(refresh, 800);
}

start();
