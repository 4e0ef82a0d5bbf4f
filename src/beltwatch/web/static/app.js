// beltwatch dashboard: correction forms, uploads and map filters. No inline script anywhere;
// every response text is shown with textContent, never as HTML.
"use strict";

(function () {
  const TOKEN_KEY = "beltwatch-token";

  function token() {
    const field = document.getElementById("bw-token");
    const typed = field && field.value.trim();
    if (typed) {
      sessionStorage.setItem(TOKEN_KEY, typed);
      return typed;
    }
    return sessionStorage.getItem(TOKEN_KEY) || "";
  }

  function say(form, text, ok) {
    const out = form.querySelector(".form-status");
    if (!out) return;
    out.textContent = text;
    out.className = "form-status " + (ok ? "ok" : "failed");
  }

  async function send(form, body, isJson) {
    const secret = token();
    if (!secret) {
      say(form, "Enter the review token first (bottom of the page).", false);
      const details = document.querySelector("details.review-token");
      if (details) details.open = true;
      return null;
    }
    const headers = { Authorization: "Bearer " + secret, Accept: "application/json" };
    if (isJson) headers["Content-Type"] = "application/json";
    const response = await fetch(form.dataset.endpoint, {
      method: "POST",
      headers: headers,
      body: isJson ? JSON.stringify(body) : body,
      credentials: "same-origin",
    });
    let data = null;
    try {
      data = await response.json();
    } catch (e) {
      data = null;
    }
    if (!response.ok) {
      const message = data && data.error ? data.error.message : "request failed (" + response.status + ")";
      say(form, message, false);
      return null;
    }
    return data;
  }

  function correctionBody(form) {
    const get = (name) => {
      const el = form.elements.namedItem(name);
      return el ? el.value : "";
    };
    const body = { action: get("action") };
    const note = get("note").trim();
    if (note) body.note = note;
    if (form.dataset.kind === "event" && body.action === "edit") {
      body.argument = get("argument");
      const value = get("value").trim();
      body.value = value === "" ? null : value;
    }
    if (form.dataset.kind === "entity" && body.action === "merge") {
      body.into = parseInt(get("into"), 10) || null;
    }
    return body;
  }

  document.addEventListener("submit", async (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    if (form.classList.contains("correction")) {
      event.preventDefault();
      say(form, "saving…", true);
      const data = await send(form, correctionBody(form), true);
      if (data) {
        say(form, "saved (version " + data.correction.version + ")", true);
        window.location.reload();
      }
    } else if (form.classList.contains("ingest-url")) {
      event.preventDefault();
      say(form, "fetching and ingesting…", true);
      const body = { url: form.elements.namedItem("url").value.trim() };
      const published = form.elements.namedItem("published").value.trim();
      if (published) body.published = published;
      const data = await send(form, body, true);
      if (data) say(form, "new " + data.new + ", updated " + data.updated + ", unchanged " + data.unchanged, true);
    } else if (form.classList.contains("upload")) {
      event.preventDefault();
      say(form, "ingesting… (the first article takes a few seconds)", true);
      const data = await send(form, new FormData(form), false);
      if (data) {
        say(form, "new " + data.new + ", updated " + data.updated + ", unchanged " + data.unchanged, true);
        if (data.article) window.location.assign("/articles/" + encodeURIComponent(data.article));
      }
    }
  });

  // map and timeline: show or hide an event type
  document.addEventListener("change", (event) => {
    const box = event.target;
    if (!(box instanceof HTMLInputElement) || !box.classList.contains("type-toggle")) return;
    document.querySelectorAll('[data-type="' + CSS.escape(box.value) + '"]').forEach((el) => {
      if (el instanceof SVGElement || el.closest("svg")) el.classList.toggle("hidden", !box.checked);
    });
  });
})();
