// The playground: the text is sent to /api/check as it is typed (after a
// short pause), its diagnostics and examples shown; a profile is evaluated
// against it with /api/playground/evaluate.
"use strict";

const STARTER_PROFILE = {
  specialty: "medecine_generale", sector: "secteur_1", zone: "zip",
  grouped_practice: true, coordinated_practice: true, patientele_mt: 700, file_active: 1300,
};

let pending = null;
let sent = 0;

function starterText(texts) {
  const adopted = texts.texts.filter((text) => !text.proposal && text.effective);
  adopted.sort((a, b) => (a.effective < b.effective ? -1 : 1));
  const latest = adopted[adopted.length - 1];
  if (!latest) return "policy essai {\n  title \"Un texte d'essai\"\n}\n";
  const next = String(Number(latest.effective.slice(0, 4)) + 2) + "-01-01";
  return "policy essai {\n  title \"Un avenant d'essai\"\n  amends " + latest.name + "\n  effective " + next + "\n}\n";
}

function showCheck(result) {
  const list = document.getElementById("diagnostics");
  const status = document.getElementById("status");
  if (!result.ok) {
    list.replaceChildren(el("li", { class: "error" }, errorText(result)));
    status.textContent = "";
    return;
  }
  const check = result.json;
  status.textContent = check.ok
    ? "Le texte est valide" + (check.texts.length ? " (" + check.texts.join(" → ") + ")" : "") + "."
    : "Le texte a des erreurs.";
  list.replaceChildren(...check.diagnostics.map((diagnostic) =>
    el("li", { class: "diagnostic " + diagnostic.severity },
      el("strong", {}, (diagnostic.severity === "error" ? "erreur" : "avertissement")),
      diagnostic.line ? " ligne " + diagnostic.line + ", colonne " + diagnostic.column : "",
      " : " + diagnostic.message,
      diagnostic.label ? el("span", { class: "label" }, " (" + diagnostic.label + ")") : null,
      diagnostic.help ? el("p", { class: "help" }, diagnostic.help) : null)));
  if (!check.diagnostics.length) list.replaceChildren(el("li", {}, "Aucun diagnostic."));
  const examples = document.getElementById("examples");
  examples.replaceChildren(...check.examples.map((example) =>
    el("li", { class: example.passed ? "passed" : "failed" },
      (example.passed ? "✓ " : "✗ ") + (example.label || example.name) + " (ligne " + example.line + ")",
      example.error ? el("p", {}, example.error) : null,
      example.mismatches.length ? el("ul", {}, example.mismatches.map((mismatch) =>
        el("li", {}, mismatch.path + " : attendu " + JSON.stringify(mismatch.expected) + ", obtenu " + JSON.stringify(mismatch.got)))) : null)));
  if (!check.examples.length) examples.replaceChildren(el("li", {}, check.ok ? "Le texte ne déclare aucun exemple." : "—"));
}

async function check() {
  const number = ++sent;
  const result = await api("/api/check", { text: document.getElementById("text").value });
  if (number === sent) showCheck(result); // an older answer never replaces a newer one
}

function scheduleCheck() {
  clearTimeout(pending);
  pending = setTimeout(check, 250);
}

async function evaluate() {
  const out = document.getElementById("outcome");
  let profile;
  try { profile = JSON.parse(document.getElementById("profile").value); } catch (error) {
    out.textContent = "Le profil n'est pas du JSON : " + error.message;
    return;
  }
  const body = { text: document.getElementById("text").value, profile, on: document.getElementById("on").value || today() };
  const result = await api("/api/playground/evaluate", body);
  out.textContent = result.ok ? JSON.stringify(result.json, null, 2) : errorText(result);
}

document.addEventListener("DOMContentLoaded", async () => {
  const texts = await api("/api/texts");
  const text = document.getElementById("text");
  text.value = texts.ok ? starterText(texts.json) : "";
  document.getElementById("profile").value = JSON.stringify(STARTER_PROFILE, null, 2);
  document.getElementById("on").value = today();
  text.addEventListener("input", scheduleCheck);
  document.getElementById("evaluate").addEventListener("click", evaluate);
  await check();
  document.body.dataset.ready = "true";
});
