// closecheck web page: upload screenshots, draw each report's evidence over its screenshot.
// No framework, no network beyond this origin. Boxes come from the report JSON and are drawn
// client-side in an SVG over the image, so hovering a box or a finding highlights the other.
"use strict";

(() => {
  const SVG_NS = "http://www.w3.org/2000/svg";
  const CLOSE_KINDS = new Set(["close_icon", "close_text", "close_countdown"]);
  const KIND_CLASS = {
    close_icon: "k-close", close_text: "k-close", close_countdown: "k-close",
    ad_label: "k-ad", jump_hint: "k-cue", shake: "k-cue", countdown: "k-cue",
    call_to_action: "k-cta", text: "k-text",
  };
  const POLL_MS = 1000;

  const $ = (id) => document.getElementById(id);
  const els = {
    scale: $("scale"), customLabel: $("custom-dp-label"), customDp: $("custom-dp"), profile: $("profile"),
    keyLabel: $("api-key-label"), key: $("api-key"), drop: $("dropzone"), files: $("files"),
    job: $("job"), jobText: $("job-text"), jobProgress: $("job-progress"), csv: $("csv"),
    status: $("status"), results: $("results"), template: $("card-template"),
  };
  let info = null;
  let currentJob = null; // {id, files, byName, shown:Set, finished}

  // ---------------------------------------------------------------------------------------
  // Requests

  function headers() {
    const key = els.key.value.trim();
    return key ? { "X-API-Key": key } : {};
  }

  async function api(path, options = {}) {
    const response = await fetch(path, { ...options, headers: { ...headers(), ...(options.headers || {}) } });
    if (response.status === 401) {
      els.keyLabel.hidden = false;
      els.key.focus();
    }
    if (!response.ok) {
      let body = null;
      try { body = await response.json(); } catch (_) { /* not JSON */ }
      const err = new Error(body && body.message ? body.message : `HTTP ${response.status}`);
      err.code = body && body.error ? body.error : `http_${response.status}`;
      err.status = response.status;
      throw err;
    }
    return response;
  }

  function analysisFields(form) {
    const scale = els.scale.value;
    if (scale.startsWith("density:")) form.append("density", scale.slice(8));
    if (scale.startsWith("width_dp:")) {
      const dp = scale === "width_dp:custom" ? els.customDp.value : scale.slice(9);
      if (dp) form.append("width_dp", dp);
    }
    if (els.profile.value) form.append("profile", els.profile.value);
    return form;
  }

  // ---------------------------------------------------------------------------------------
  // Startup

  async function loadInfo() {
    try {
      const response = await fetch("/v1/info");
      info = await response.json();
    } catch (_) {
      info = null;
      return;
    }
    els.keyLabel.hidden = !info.api_key_required;
    const saved = sessionStorage.getItem("closecheck-key");
    if (saved) els.key.value = saved;
    els.profile.replaceChildren(...info.profiles.map((p) => {
      const option = document.createElement("option");
      option.value = p;
      option.textContent = p;
      option.selected = p === info.default_profile;
      return option;
    }));
  }

  // ---------------------------------------------------------------------------------------
  // Upload

  function setStatus(text, isError = false) {
    els.status.textContent = text;
    els.status.classList.toggle("error", isError);
  }

  async function handleFiles(fileList) {
    const files = Array.from(fileList);
    if (!files.length) return;
    els.results.replaceChildren();
    els.job.hidden = true;
    currentJob = null;
    const single = files.length === 1 && !isZip(files[0]);
    try {
      if (single) await checkOne(files[0]);
      else await submitJob(files);
    } catch (err) {
      setStatus(`${err.code || "error"}: ${err.message}`, true);
    }
  }

  function isZip(file) {
    return /\.zip$/i.test(file.name) || file.type === "application/zip" || file.type === "application/x-zip-compressed";
  }

  async function checkOne(file) {
    setStatus(`Checking ${file.name}…`);
    const form = analysisFields(new FormData());
    form.append("file", file, file.name);
    try {
      const response = await api("/v1/check", { method: "POST", body: form });
      const report = await response.json();
      els.results.append(renderReport(report, URL.createObjectURL(file), file.name));
      setStatus("");
    } catch (err) {
      els.results.append(renderError(file.name, err.code, err.message));
      setStatus("");
    }
  }

  async function submitJob(files) {
    setStatus(`Uploading ${files.length} file(s)…`);
    const form = analysisFields(new FormData());
    for (const f of files) form.append("files", f, f.name);
    const response = await api("/v1/jobs", { method: "POST", body: form });
    const job = await response.json();
    const hasZip = files.some(isZip);
    currentJob = {
      id: job.id, files, hasZip, shown: new Set(), finished: -1,
      byName: new Map(files.map((f) => [f.name, f])),
    };
    els.job.hidden = false;
    els.csv.disabled = true;
    setStatus("");
    showJob(job);
    pollJob(job.id);
  }

  function showJob(job) {
    const c = job.counts;
    const finished = c.done + c.error;
    els.jobProgress.value = job.progress;
    const verdicts = Object.entries(job.verdicts).map(([v, n]) => `${n} ${v.replace("_", " ")}`).join(", ");
    els.jobText.textContent =
      `Job ${job.state}: ${finished} of ${job.total} checked` +
      (c.error ? `, ${c.error} unreadable` : "") + (verdicts ? ` — ${verdicts}` : "");
    els.csv.disabled = finished === 0;
  }

  async function pollJob(id) {
    while (currentJob && currentJob.id === id) {
      let job;
      try {
        job = await (await api(`/v1/jobs/${id}`)).json();
      } catch (err) {
        setStatus(`${err.code}: ${err.message}`, true);
        return;
      }
      if (!currentJob || currentJob.id !== id) return;
      showJob(job);
      const finished = job.counts.done + job.counts.error;
      if (finished !== currentJob.finished) {
        currentJob.finished = finished;
        await showResults(id);
      }
      if (job.state === "completed") return;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  async function showResults(id) {
    const text = await (await api(`/v1/jobs/${id}/results?format=jsonl`)).text();
    for (const line of text.split("\n")) {
      if (!line.trim()) continue;
      const item = JSON.parse(line);
      if (!currentJob || currentJob.shown.has(item.index)) continue;
      currentJob.shown.add(item.index);
      const file = currentJob.hasZip ? currentJob.byName.get(item.name) : currentJob.files[item.index];
      const url = file && !isZip(file) ? URL.createObjectURL(file) : null;
      const card = item.status === "done"
        ? renderReport(item.report, url, item.name)
        : renderError(item.name, item.error.error, item.error.message);
      card.dataset.index = item.index;
      insertInOrder(card, item.index);
    }
  }

  function insertInOrder(card, index) {
    const next = Array.from(els.results.children).find((c) => Number(c.dataset.index) > index);
    els.results.insertBefore(card, next || null);
  }

  async function downloadCsv() {
    if (!currentJob) return;
    try {
      const blob = await (await api(`/v1/jobs/${currentJob.id}/results?format=csv`)).blob();
      const a = document.createElement("a");
      a.href = URL.createObjectURL(blob);
      a.download = `closecheck-${currentJob.id}.csv`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 10000);
    } catch (err) {
      setStatus(`${err.code}: ${err.message}`, true);
    }
  }

  // ---------------------------------------------------------------------------------------
  // Rendering

  function fmt(value, unit) {
    if (value === null || value === undefined) return "—";
    const n = typeof value === "number" ? (Math.abs(value) >= 100 ? value.toFixed(0) : String(+value.toFixed(2))) : String(value);
    return unit ? `${n} ${unit}` : n;
  }

  function renderError(name, code, message) {
    const card = document.createElement("article");
    card.className = "card error-card";
    const h = document.createElement("h2");
    h.className = "name";
    h.textContent = name;
    const p = document.createElement("p");
    const badge = document.createElement("span");
    badge.className = "verdict v-error";
    badge.textContent = code || "error";
    p.append(badge, " ", message || "");
    const details = document.createElement("div");
    details.className = "details";
    details.append(h, p);
    card.append(details);
    return card;
  }

  function renderReport(report, imageUrl, displayName) {
    const card = els.template.content.firstElementChild.cloneNode(true);
    const w = report.image.width;
    const h = report.image.height;
    const img = card.querySelector("img");
    const shot = card.querySelector(".shot");
    if (imageUrl) {
      img.src = imageUrl;
      img.alt = `screenshot ${displayName}`;
    } else {
      // No local copy (the screenshot came out of a zip): keep the aspect ratio, draw boxes on grey.
      img.remove();
      shot.classList.add("placeholder");
      shot.style.aspectRatio = `${w} / ${h}`;
    }
    card.querySelector(".name").textContent = displayName || report.image.name;
    const verdict = card.querySelector(".verdict");
    verdict.textContent = report.verdict.replace("_", " ");
    verdict.classList.add(`v-${report.verdict}`);
    card.querySelector(".reason").textContent = report.verdict_reason;
    const s = report.screen || {};
    card.querySelector(".screen-line").textContent =
      `${s.type || "?"} screen, ${w}×${h} px, density ${fmt(s.density)}` +
      (s.width_dp ? ` (${fmt(s.width_dp)} dp wide)` : "") + (s.reason ? ` — ${s.reason}` : "");
    card.querySelector(".notes").textContent = (report.notes || []).join("; ");

    const severityOf = new Map(); // element id -> worst severity of a finding citing it
    for (const f of report.findings) {
      for (const id of f.evidence || []) {
        const prev = severityOf.get(id);
        if (f.severity === "fail" || (f.severity === "warn" && prev !== "fail")) severityOf.set(id, f.severity);
      }
    }
    const svg = card.querySelector("svg");
    drawOverlay(svg, report, w, h, severityOf);
    fillFindings(card.querySelector(".findings tbody"), report.findings);
    wireHover(card);
    return card;
  }

  function drawOverlay(svg, report, w, h, severityOf) {
    svg.setAttribute("viewBox", `0 0 ${w} ${h}`);
    const win = report.screen && report.screen.window;
    if (win) svg.append(rect(win, "window", null, "window"));
    const cited = new Set(severityOf.keys());
    // Plain text first, so the boxes that matter are drawn on top.
    const elements = [...report.elements].sort((a, b) => (b.kind === "text") - (a.kind === "text"));
    for (const e of elements) {
      if (e.kind === "text" && !cited.has(e.id)) continue;
      const classes = [KIND_CLASS[e.kind] || "k-text"];
      const sev = severityOf.get(e.id);
      if (sev) classes.push(`sev-${sev}`);
      // a skip pill whose label no pass could read is found by its shape: say so
      const said = e.text ? ` “${e.text}”` : e.attrs && e.attrs.unread ? " [unread]" : "";
      const label = `${e.id} · ${e.kind}${said} · score ${fmt(e.score)}`;
      const r = rect(e.button || e.box, classes.join(" "), e.id, label);
      svg.append(r);
    }
  }

  function rect(box, cls, id, title) {
    const [x1, y1, x2, y2] = box;
    const r = document.createElementNS(SVG_NS, "rect");
    r.setAttribute("x", x1);
    r.setAttribute("y", y1);
    r.setAttribute("width", Math.max(1, x2 - x1));
    r.setAttribute("height", Math.max(1, y2 - y1));
    r.setAttribute("class", cls);
    if (id) r.dataset.el = id;
    if (title) {
      const t = document.createElementNS(SVG_NS, "title");
      t.textContent = title;
      r.append(t);
    }
    return r;
  }

  function fillFindings(tbody, findings) {
    const order = { fail: 0, warn: 1, pass: 2 };
    const sorted = [...findings].sort((a, b) => (order[a.severity] ?? 3) - (order[b.severity] ?? 3));
    for (const f of sorted) {
      const tr = document.createElement("tr");
      tr.className = `s-${f.severity}`;
      tr.dataset.evidence = (f.evidence || []).join(" ");
      const cells = [
        [f.rule, "rule"], [f.severity, "sev"], [fmt(f.value, f.unit), "num"],
        [fmt(f.threshold, f.unit), "num"], [f.message, "msg"], [f.clause, "clause"],
      ];
      for (const [text, cls] of cells) {
        const td = document.createElement("td");
        td.className = cls;
        td.textContent = text;
        tr.append(td);
      }
      tbody.append(tr);
    }
    if (!findings.length) {
      const tr = document.createElement("tr");
      const td = document.createElement("td");
      td.colSpan = 6;
      td.textContent = "No rule applies to this screen.";
      tr.append(td);
      tbody.append(tr);
    }
  }

  function wireHover(card) {
    const rows = Array.from(card.querySelectorAll(".findings tbody tr"));
    const rects = Array.from(card.querySelectorAll(".overlay rect[data-el]"));
    const clear = () => card.querySelectorAll(".hl").forEach((n) => n.classList.remove("hl"));
    for (const row of rows) {
      const ids = new Set((row.dataset.evidence || "").split(" ").filter(Boolean));
      row.addEventListener("mouseenter", () => {
        clear();
        row.classList.add("hl");
        rects.filter((r) => ids.has(r.dataset.el)).forEach((r) => r.classList.add("hl"));
      });
      row.addEventListener("mouseleave", clear);
    }
    for (const r of rects) {
      r.addEventListener("mouseenter", () => {
        clear();
        r.classList.add("hl");
        rows.filter((row) => (row.dataset.evidence || "").split(" ").includes(r.dataset.el))
          .forEach((row) => row.classList.add("hl"));
      });
      r.addEventListener("mouseleave", clear);
    }
  }

  // ---------------------------------------------------------------------------------------
  // Wiring

  els.scale.addEventListener("change", () => {
    els.customLabel.hidden = els.scale.value !== "width_dp:custom";
  });
  els.key.addEventListener("change", () => sessionStorage.setItem("closecheck-key", els.key.value.trim()));
  els.files.addEventListener("change", () => {
    handleFiles(els.files.files);
    els.files.value = "";
  });
  els.csv.addEventListener("click", downloadCsv);
  for (const type of ["dragenter", "dragover"]) {
    els.drop.addEventListener(type, (e) => { e.preventDefault(); els.drop.classList.add("over"); });
  }
  for (const type of ["dragleave", "drop"]) {
    els.drop.addEventListener(type, (e) => { e.preventDefault(); els.drop.classList.remove("over"); });
  }
  els.drop.addEventListener("drop", (e) => handleFiles(e.dataTransfer.files));
  els.drop.addEventListener("keydown", (e) => {
    if (e.key === "Enter" || e.key === " ") { e.preventDefault(); els.files.click(); }
  });
  // Dropping a file elsewhere on the page must not navigate away from it.
  window.addEventListener("dragover", (e) => e.preventDefault());
  window.addEventListener("drop", (e) => e.preventDefault());

  loadInfo();
})();
