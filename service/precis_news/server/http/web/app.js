// The Précis page: streams summaries from POST /v1/summarize:stream (Server-Sent Events).
// Article text and model output are only ever set as textContent, never parsed as HTML.
"use strict";

const $ = (id) => document.getElementById(id);
// English names of the served languages by code, from GET /v1/info (languageDetails).
let names = {};
const nameOf = (code) => names[code] || code;
// The checks' plain words and the signatures of binary files, from GET /page.json (built by the
// server from its own registry, so the page never keeps a copy).
let tables = { checks: {}, signatures: [], zipKinds: [] };
// The article of the request being shown (its sentences are highlighted as sources).
let shownArticle = "";

function element(tag, text, attributes) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
  return node;
}

function headers() {
  return { "Content-Type": "application/json", ...keyHeader() };
}

function keyHeader() {
  const key = $("api-key").value.trim();
  return key ? { Authorization: "Bearer " + key } : {};
}

function showKeyField() {
  $("key-field").hidden = false;
}

// The request fields a refusal may name, as this page's controls (it speaks of "Source
// language", not of sourceLanguage).
const FIELD_LABELS = { sourceLanguage: "“Source language”", targetLanguages: "“Summaries in”" };
const inPageWords = (message) =>
  message.replace(/\b(sourceLanguage|targetLanguages)\b/g, (field) => FIELD_LABELS[field]);

// An error body (google.rpc.Status JSON) in plain words.
function explain(httpStatus, body, retryAfter) {
  const message = inPageWords((body && body.message) || "");
  if (httpStatus === 401) {
    showKeyField();
    return "The API key is missing or wrong. Enter the key this server was given in the API key field.";
  }
  if (httpStatus === 413) return "The article is too large for this server: " + message;
  if (httpStatus === 429) {
    const wait = retryAfter || retryDelay(body) || "a few";
    return "The server is busy. Try again in " + wait + " seconds. (" + message + ")";
  }
  if (httpStatus === 503) return "The server is not ready: " + message;
  if (httpStatus === 400 || httpStatus === 415) return "The request was not accepted: " + message;
  if (httpStatus === 504 || httpStatus === 408) return "The server ran out of time: " + message;
  return "Something went wrong on the server (" + (message || "HTTP " + httpStatus) + ").";
}

function retryDelay(body) {
  for (const detail of (body && body.details) || []) {
    if (detail.retryDelay) return Math.ceil(parseFloat(detail.retryDelay));
  }
  return 0;
}

// A refusal replaces what nothing came of: the result section stays only when it shows a summary.
function showError(text) {
  $("error").textContent = text;
  $("error").hidden = false;
  if (!$("summaries").children.length) $("result").hidden = true;
}

function clearResult() {
  $("error").hidden = true;
  $("result").hidden = true;
  $("served-part").hidden = true;
  $("article-part").hidden = true;
  $("summaries").replaceChildren();
  $("details").replaceChildren();
  $("article-view").replaceChildren();
  $("detected").textContent = "";
}

// What the checks found in a summary, in the registry's plain words (as the CLI writes them).
function findingLines(summary) {
  const words = (kind) => (tables.checks[kind] || { words: kind.replace(/_/g, " ") }).words;
  const meaning = (kind) => (tables.checks[kind] || {}).meaning || "";
  const lines = (summary.numberIssues || []).map((issue) => ({
    text: words(issue.kind) + " " + issue.number + (issue.found ? " (found " + issue.found + ")" : ""),
    title: meaning(issue.kind),
  }));
  if ((summary.missingNames || []).length) {
    lines.push({
      text: words(tables.missingName || "missing_name") + ": " + summary.missingNames.join(", "),
      title: meaning(tables.missingName || "missing_name"),
    });
  }
  return lines;
}

// The summary's text, and with sources its sentences as buttons and the list their sources fill.
function summaryText(summary, box) {
  const text = element("p", undefined, { lang: summary.language, class: "summary-text" });
  if (!(summary.sources || []).length) {
    text.textContent = summary.text;
    return { text: text, list: null };
  }
  const list = element("ol", undefined, { class: "sources", "aria-live": "polite" });
  summary.sources.forEach((sentence, index) => {
    const span = element("span", sentence.text, { class: "sentence", tabindex: "0", role: "button",
      "aria-label": "Sources of: " + sentence.text });
    const pick = () => showSources(sentence, span, box, list);
    span.addEventListener("click", pick);
    span.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); pick(); } });
    text.append(...(index ? [" ", span] : [span]));
  });
  return { text: text, list: list };
}

// The article sentences behind one summary sentence: listed under the summary, marked in the article.
function showSources(sentence, span, box, list) {
  document.querySelectorAll(".sentence.active").forEach((node) => node.classList.remove("active"));
  span.classList.add("active");
  const sources = sentence.sources || [];
  list.replaceChildren(...(sources.length ? sources.map((source) => {
    const item = element("li", source.text + " ");
    item.append(element("span", "(" + Math.round(source.score * 100) + "% of its words)", { class: "score" }));
    return item;
  }) : [element("li", "No article sentence shares enough words with it.")]));
  markArticle(sources.map((source) => source.text));
}

// Regular-expression text matching `text` with any whitespace between its words.
function loosely(text) {
  return text.trim().split(/\s+/).map((word) => word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("\\s+");
}

function markArticle(texts) {
  const spans = [];
  for (const text of texts) {
    if (!text.trim()) continue;
    const found = new RegExp(loosely(text)).exec(shownArticle);
    if (found) spans.push([found.index, found.index + found[0].length]);
  }
  spans.sort((a, b) => a[0] - b[0]);
  const nodes = [];
  let at = 0;
  for (const [start, end] of spans) {
    if (start < at) continue;
    nodes.push(document.createTextNode(shownArticle.slice(at, start)), element("mark", shownArticle.slice(start, end)));
    at = end;
  }
  nodes.push(document.createTextNode(shownArticle.slice(at)));
  $("article-view").replaceChildren(...nodes);
  const first = $("article-view").querySelector("mark");
  if (first) first.scrollIntoView({ block: "nearest" });
}

function addSummary(summary) {
  const language = summary.language;
  const box = element("article", undefined, { class: "summary" });
  box.append(element("h3", nameOf(language)));
  const shown = summaryText(summary, box);
  box.append(shown.text);
  const found = findingLines(summary);
  if (found.length) {
    const list = element("ul", undefined, { class: "findings", "aria-label": "Checks" });
    list.append(...found.map((line) => element("li", "Check: " + line.text, line.title ? { title: line.title } : {})));
    box.append(list);
  }
  let note = summary.model;
  if (summary.translatedFrom) note += " · translated from " + nameOf(summary.translatedFrom);
  if (summary.pivotLanguage) note += " via " + nameOf(summary.pivotLanguage);
  if (summary.truncated) note += " · translation may be incomplete";
  box.append(element("p", note, { class: "model" }));
  if (shown.list) {
    box.append(shown.list);
    $("article-part").hidden = false;
    if (!$("article-view").childNodes.length) $("article-view").textContent = shownArticle;
  }
  $("summaries").append(box);
}

function detail(term, value) {
  $("details").append(element("dt", term), element("dd", String(value)));
}

function showMetadata(m) {
  $("served-part").hidden = false;
  detail("Input", m.inputCharacters + " characters, " + m.inputTokens + " tokens");
  detail("Chunks", m.chunks + (m.mergePasses ? " (" + m.mergePasses + " merge passes)" : ""));
  if (m.summarizedIn) detail("Summarized in", nameOf(m.summarizedIn));
  if (m.sourceSentences) {
    detail("Sentence selection", m.selectedSentences + " of " + m.sourceSentences + " sentences used" +
      (m.unselectedCharacters ? " (" + m.unselectedCharacters + " characters left out)" : ""));
  }
  detail("Truncated", m.truncated ? "yes: " + m.truncatedCharacters + " characters not summarized" : "no");
  if (m.summaryTrimmedCharacters) detail("Summary trimmed", m.summaryTrimmedCharacters + " characters");
  detail("Timings", "total " + Math.round(m.totalMs) + " ms; queue " + Math.round(m.queueMs) +
    " ms, inference " + Math.round(m.inferenceMs) + " ms (summed over model calls)");
  if (m.cacheHits) detail("Cache hits", m.cacheHits);
  for (const x of m.outputLanguageMismatches || []) {
    detail("Language check", nameOf(x.expected) + " summary reads as " +
      nameOf(x.detected) + " (" + Math.round(x.confidence * 100) + "%)");
  }
}

function onEvent(message, state) {
  $("result").hidden = false;
  if (!state.detected) {
    state.detected = true;
    const language = nameOf(message.detectedLanguage);
    $("detected").textContent = "Article language: " + language + " (confidence " +
      Math.round(message.languageConfidence * 100) + "%)";
  }
  if (message.summary) addSummary(message.summary);
  if (message.metadata) showMetadata(message.metadata);
}

// Reads an SSE body: events are separated by a blank line; we need the data and the event name.
async function readEvents(response, state) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (value) buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = "message";
      const data = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) event = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
      }
      if (!data.length) continue;
      const payload = JSON.parse(data.join("\n"));
      if (event === "error") showError(explain(httpOf(payload.code), payload, 0));
      else onEvent(payload, state);
    }
    if (done) return;
  }
}

// The HTTP status of a gRPC code, for errors that arrive inside a stream.
function httpOf(code) {
  return { 3: 400, 4: 504, 8: 429, 14: 503, 16: 401 }[code] || 500;
}

async function summarize(event) {
  event.preventDefault();
  clearResult();
  const text = $("article").value;
  const targets = [...document.querySelectorAll("input[name=target]:checked")].map((box) => box.value);
  if (!text.trim()) {
    showError("The article is empty: paste its text or open a file first.");
    $("article").focus();
    return;
  }
  shownArticle = text;
  $("summarize").disabled = true;
  try {
    const response = await fetch("/v1/summarize:stream", {
      method: "POST",
      headers: headers(),
      body: JSON.stringify({ text: text, sourceLanguage: $("source").value, targetLanguages: targets,
        length: $("length").value, includeSources: $("include-sources").checked }),
    });
    if (!response.ok) {
      let body = null;
      try { body = await response.json(); } catch (ignored) { body = null; }
      showError(explain(response.status, body, parseInt(response.headers.get("Retry-After") || "0", 10)));
      return;
    }
    await readEvents(response, { detected: false });
  } catch (failure) {
    showError("The server could not be reached (" + failure.message + ").");
  } finally {
    $("summarize").disabled = false;
  }
}

// What kind of binary file these first bytes are (a name from /page.json), else "".
function fileKind(bytes, text) {
  for (const signature of tables.signatures) {
    const magic = signature.magic;
    if (bytes.length >= magic.length && magic.every((byte, i) => byte === null || bytes[i] === byte)) {
      if (signature.zip) {  // a ZIP archive: its first entry says which kind
        const head = String.fromCharCode(...bytes);
        const zip = tables.zipKinds.find(([marker]) => head.includes(marker));
        return zip ? zip[1] : signature.name;
      }
      return signature.name;
    }
  }
  const sample = text.slice(0, tables.sniffChars);
  const unreadable = [...sample].filter((c) => c === "\ufffd" || /[\x00-\x08\x0e-\x1f\x7f-\x9f]/.test(c)).length;
  if (unreadable >= tables.minUnreadable && unreadable >= tables.unreadableShare * sample.length) return tables.binaryData;
  return "";
}

// A dropped or opened file: a binary file (a PDF, an image, an archive) is refused naming its type,
// as the server would; .txt as it is; .html parsed into an inert document (no script runs, nothing
// loads) and reduced to its text.
async function loadFile(file) {
  const bytes = new Uint8Array(await file.slice(0, 120).arrayBuffer());
  const content = await file.text();
  const kind = fileKind(bytes, content);
  if (kind) {
    clearResult();
    showError(file.name + " is " + kind + ": " + tables.reads + ". Open or paste the article's text instead.");
    return;
  }
  $("error").hidden = true;
  if (/\.html?$/i.test(file.name) || file.type === "text/html") {
    const page = new DOMParser().parseFromString(content, "text/html");
    page.querySelectorAll("script, style, noscript, template").forEach((node) => node.remove());
    const blocks = [...page.body.querySelectorAll("h1, h2, h3, p, li")].map((node) => node.textContent.trim());
    $("article").value = (blocks.length ? blocks.filter(Boolean).join("\n\n") : page.body.textContent).trim();
  } else {
    $("article").value = content;
  }
}

function setUp() {
  $("form").addEventListener("submit", summarize);
  $("file").addEventListener("change", () => { if ($("file").files[0]) loadFile($("file").files[0]); });
  const drop = $("drop");
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("dragging"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("dragging"));
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    drop.classList.remove("dragging");
    if (e.dataTransfer.files[0]) loadFile(e.dataTransfer.files[0]);
  });
  // The API key field appears when the server asks for one; the languages come once it answers.
  $("api-key").addEventListener("change", () => { if (!Object.keys(names).length) loadInfo(); });
  loadInfo();
  fetch("/page.json").then((response) => response.ok ? response.json() : null)
    .then((loaded) => { if (loaded) tables = loaded; }).catch(() => {});
}

// The served languages (GET /v1/info) become the target checkboxes and the names shown.
function loadInfo() {
  fetch("/v1/info", { headers: keyHeader() }).then(async (response) => {
    if (response.status === 401) showKeyField();
    if (response.ok) showLanguages((await response.json()).languageDetails || []);
  }).catch(() => {});
}

function showLanguages(languages) {
  names = Object.fromEntries(languages.map((language) => [language.code, language.name]));
  $("targets").replaceChildren(...languages.map((language) => {
    const label = element("label");
    label.append(element("input", undefined, { type: "checkbox", name: "target", value: language.code }),
      " " + language.name);
    return label;
  }));
  $("source").replaceChildren($("source").options[0],
    ...languages.map((language) => element("option", language.name, { value: language.code })));
  const listed = languages.map((language) => language.name);
  $("served").textContent = listed.length > 1
    ? " in " + listed.slice(0, -1).join(", ") + " and " + listed[listed.length - 1] : "";
}

document.addEventListener("DOMContentLoaded", setUp);
