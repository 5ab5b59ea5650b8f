// Shared by the simulator and the playground: requests to the API, building
// elements, and figures written the French way. No library, no build step.
"use strict";

/** POST (or GET when body is undefined) to the API; resolves to {ok, status, json}. */
async function api(path, body) {
  const init = body === undefined
    ? { method: "GET" }
    : { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
  const response = await fetch(path, init);
  let json = null;
  try { json = await response.json(); } catch (_) { json = null; }
  return { ok: response.ok, status: response.status, json };
}

/** An element: el("p", {class: "x"}, "text", child, ...). */
function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Replaces the children of `node`, leaving out those that are absent. */
function fill(node, ...children) {
  node.replaceChildren(...children.flat().filter((child) => child !== null && child !== undefined && child !== false));
}

/** Digits grouped by thin spaces, kept exact: the API gives amounts as decimal text. */
function groupDigits(text) {
  const [whole, fraction] = String(text).split(".");
  const sign = whole.startsWith("-") ? "-" : "";
  const digits = sign ? whole.slice(1) : whole;
  let grouped = "";
  for (let i = 0; i < digits.length; i++) {
    if (i > 0 && (digits.length - i) % 3 === 0) grouped += "\u202f";
    grouped += digits[i];
  }
  const cents = fraction && /[1-9]/.test(fraction) ? "," + fraction : "";
  return sign + grouped + cents;
}

function euros(text) { return text === null || text === undefined ? "—" : groupDigits(text) + "\u00a0€"; }

function patients(count) { return count === null || count === undefined ? "—" : groupDigits(count) + " patients"; }

const CERTAINTY = {
  established: "établi (texte officiel)",
  secondary: "source secondaire",
  assumed: "hypothèse",
};

function certaintyWord(word) { return CERTAINTY[word] || word; }

/** Today as YYYY-MM-DD, in UTC as the server counts. */
function today() { return new Date().toISOString().slice(0, 10); }

/** An API error as a sentence. */
function errorText(result) {
  const error = result.json && result.json.error;
  if (!error) return "Le serveur n'a pas répondu (" + result.status + ").";
  const problems = (error.problems || []).map((problem) => problem.message).join(" ; ");
  return error.message + (problems && problems !== error.message ? " — " + problems : "");
}
