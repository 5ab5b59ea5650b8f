// The simulator: a form built from the policy's own profile block (the
// fields of the text in force on the chosen date, their labels and the
// labels of their values), the outcome of /api/evaluate shown in French,
// and the explanation of /api/explain on demand.
"use strict";

let described = null; // the answer of /api/fields for the date shown

const YEARS = { year_1: "1re année", year_2: "2e année", year_3: "3e année", year_3_and_after: "3e année et suivantes" };
const OUTPUTS = {
  eligible: "éligibilité",
  failed_conditions: "conditions non remplies",
  band: "tranche de patientèle",
  contract_year: "année de contrat",
  options: "options, montants et objectifs",
};
const TARGETS = {
  target_file_active: "Objectif de hausse de la file active",
  target_patientele_mt: "Objectif de hausse de la patientèle médecin traitant",
};

function enumDef(name) { return (described.enums || []).find((definition) => definition.name === name); }

function valueLabel(enumName, value) {
  const definition = enumDef(enumName);
  const variant = definition && definition.values.find((candidate) => candidate.name === value);
  return (variant && variant.label) || value;
}

/** An output's value by its label, where the output is of an enumeration that labels it. */
function outputLabel(outputName, value) {
  const output = described.outputs.find((candidate) => candidate.name === outputName);
  return output && output.enum ? valueLabel(output.enum, value) : value;
}

/** The input of one field; its id is the field's name. */
function control(field) {
  const id = "field-" + field.name;
  const required = !field.optional && field.default === null;
  const common = { id, name: field.name, "data-type": field.type, required, "aria-describedby": id + "-hint" };
  if (field.type === "enum" || field.type === "bool") {
    const choices = field.type === "bool"
      ? [{ name: "true", label: "oui" }, { name: "false", label: "non" }]
      : enumDef(field.enum).values.map((value) => ({ name: value.name, label: value.label || value.name }));
    const placeholder = required ? "— choisir —" : "— non renseigné —";
    const select = el("select", common, el("option", { value: "" }, placeholder),
      choices.map((choice) => el("option", { value: choice.name }, choice.label)));
    if (field.default !== null) select.value = String(field.default);
    return select;
  }
  if (field.type === "date") return el("input", Object.assign({ type: "date" }, common));
  if (field.type === "text") return el("input", Object.assign({ type: "text" }, common));
  const step = field.type === "patients" ? "1" : "any";
  const input = el("input", Object.assign({ type: "number", min: "0", step, inputmode: field.type === "patients" ? "numeric" : "decimal" }, common));
  if (field.default !== null) input.value = String(field.default).replace(/\s*%$/, "");
  return input;
}

function unit(field) {
  return { rate: "%", euros: "€", patients: "patients" }[field.type] || "";
}

/** Builds the form's fields, keeping the values already entered. */
function buildForm() {
  const fieldset = document.getElementById("profile");
  const kept = readValues();
  fieldset.replaceChildren(el("legend", {}, "Votre exercice"));
  for (const field of described.fields) {
    const input = control(field);
    if (kept[field.name] !== undefined) input.value = kept[field.name];
    const optional = field.optional || field.default !== null;
    fieldset.append(el("div", { class: "field" },
      el("label", { for: input.id }, field.label || field.name, optional ? el("span", { class: "optional" }, " (facultatif)") : null),
      el("div", { class: "with-unit" }, input, unit(field) ? el("span", { class: "unit", "aria-hidden": "true" }, unit(field)) : null),
      el("p", { class: "hint", id: input.id + "-hint" }, field.name)));
  }
  const policy = described.policy;
  document.getElementById("policy-title").textContent =
    "Texte en vigueur : " + (policy.title || policy.name) + " (" + policy.texts.join(" → ") + ")";
}

/** The raw values of the form, by field name. */
function readValues() {
  const values = {};
  for (const input of document.querySelectorAll("#profile [name]")) values[input.name] = input.value;
  return values;
}

/** The profile as the API reads it: numbers as numbers, rates as "20 %", empty fields left out. */
function profile() {
  const document_ = {};
  for (const input of document.querySelectorAll("#profile [name]")) {
    const raw = input.value.trim();
    if (raw === "") continue;
    const type = input.dataset.type;
    if (type === "bool") document_[input.name] = raw === "true";
    else if (type === "patients" || type === "number" || type === "euros") document_[input.name] = Number.isSafeInteger(Number(raw)) ? Number(raw) : raw;
    else if (type === "rate") document_[input.name] = raw + " %";
    else document_[input.name] = raw;
  }
  return document_;
}

async function loadFields() {
  const on = document.getElementById("on").value || today();
  const result = await api("/api/fields?on=" + encodeURIComponent(on));
  if (!result.ok) {
    document.getElementById("form-error").textContent = errorText(result);
    return false;
  }
  described = result.json;
  buildForm();
  return true;
}

function conditionList(failures, className) {
  return el("ul", { class: className }, failures.map((failure) =>
    el("li", {}, failure.message, failure.source ? el("span", { class: "source" }, " — source : " + failure.source) : null)));
}

function showOutcome(outcome) {
  const eligibility = document.getElementById("eligibility");
  const failed = outcome.failed_conditions || [];
  fill(eligibility,
    el("p", { class: outcome.eligible ? "verdict yes" : "verdict no", id: "verdict" },
      outcome.eligible ? "Vous êtes éligible à l'aide." : "Vous n'êtes pas éligible à l'aide."),
    failed.length ? el("div", {}, el("h3", {}, "Conditions non remplies"), conditionList(failed, "failed-conditions")) : null,
    outcome.band ? el("p", {}, "Tranche de patientèle : ", el("strong", { id: "band" }, outputLabel("band", outcome.band))) : null,
    outcome.contract_year !== undefined && outcome.contract_year !== null
      ? el("p", {}, "Année de contrat : ", el("strong", {}, String(outcome.contract_year))) : null);

  const options = document.getElementById("options");
  const byOption = described.outputs.find((output) => output.name === "options");
  const cards = Object.entries(outcome.options || {}).map(([name, option]) => {
    const title = byOption && byOption.by ? valueLabel(byOption.by, name) : name;
    const aid = option.aid
      ? el("table", { class: "aid" },
        el("caption", {}, "Aide par année de contrat"),
        el("tbody", {}, Object.entries(option.aid).map(([year, amount]) =>
          el("tr", {}, el("th", { scope: "row" }, YEARS[year] || year), el("td", { "data-year": year }, euros(amount))))))
      : null;
    const targets = Object.entries(TARGETS).filter(([key]) => option[key] !== undefined && option[key] !== null)
      .map(([key, label]) => el("li", { "data-target": key }, label + " : " + patients(option[key])));
    return el("article", { class: option.open ? "option open" : "option closed", id: "option-" + name },
      el("h3", {}, title, " — ", el("span", { class: "state" }, option.open ? "ouverte" : "fermée")),
      option.fte ? el("p", {}, "Assistant à " + option.fte + " ETP") : null,
      option.open ? null : el("div", {}, el("p", {}, "Pourquoi :"), conditionList(option.failed_conditions || [], "why-closed")),
      aid,
      targets.length ? el("ul", { class: "targets" }, targets) : null);
  });
  options.replaceChildren(el("h3", {}, "Options"), ...cards);

  const certainty = document.getElementById("certainty");
  fill(certainty,
    el("h3", {}, "Certitude des résultats"),
    el("ul", {}, Object.entries(outcome.certainty || {}).map(([name, word]) =>
      el("li", {}, (OUTPUTS[name] || name) + " : ", el("span", { class: "certainty " + word }, certaintyWord(word))))),
    (outcome.assumptions || []).length
      ? el("details", {}, el("summary", {}, "Hypothèses et sources secondaires (" + outcome.assumptions.length + ")"),
        el("ul", {}, outcome.assumptions.map((assumption) =>
          el("li", {}, assumption.value + " — " + certaintyWord(assumption.certainty)
            + (assumption.reason ? " : " + assumption.reason : "") + " (" + assumption.at + ")"))))
      : null);
}

/** One node of the explanation, and what it read, as nested disclosures. */
function explanationNode(node) {
  if (node.see) return el("li", {}, "voir " + node.see);
  const value = node.value === undefined ? "" : " = " + (typeof node.value === "object" ? JSON.stringify(node.value) : node.value);
  const facts = el("dl", {},
    node.label ? [el("dt", {}, "libellé"), el("dd", {}, node.label)] : null,
    node.expression ? [el("dt", {}, "calcul"), el("dd", {}, el("code", {}, node.expression))] : null,
    node.certainty ? [el("dt", {}, "certitude"), el("dd", {}, certaintyWord(node.certainty))] : null,
    node.sources && node.sources.length ? [el("dt", {}, "sources"), el("dd", { class: "sources" }, node.sources.join(" ; "))] : null,
    node.at ? [el("dt", {}, "dans le texte"), el("dd", {}, node.at)] : null);
  const reads = node.reads && node.reads.length ? el("ul", {}, node.reads.map(explanationNode)) : null;
  return el("li", {}, el("details", {}, el("summary", {}, (node.name || node.id) + value), facts, reads));
}

async function simulate(event) {
  if (event) event.preventDefault();
  const error = document.getElementById("form-error");
  error.textContent = "";
  const missing = [...document.querySelectorAll("#profile [required]")].filter((input) => input.value.trim() === "");
  if (missing.length) {
    error.textContent = "À renseigner : " + missing.map((input) => document.querySelector("label[for='" + input.id + "']").firstChild.textContent).join(", ") + ".";
    missing[0].focus();
    return;
  }
  const on = document.getElementById("on").value || today();
  const result = await api("/api/evaluate", { profile: profile(), on });
  if (!result.ok) { error.textContent = errorText(result); return; }
  const section = document.getElementById("resultat");
  section.hidden = false;
  const explanation = document.getElementById("explanation");
  explanation.hidden = true;
  explanation.replaceChildren();
  document.getElementById("explain").setAttribute("aria-expanded", "false");
  showOutcome(result.json);
  section.focus();
}

async function explain() {
  const button = document.getElementById("explain");
  const explanation = document.getElementById("explanation");
  if (!explanation.hidden) {
    explanation.hidden = true;
    button.setAttribute("aria-expanded", "false");
    return;
  }
  const on = document.getElementById("on").value || today();
  const result = await api("/api/explain", { profile: profile(), on });
  if (!result.ok) { explanation.replaceChildren(el("p", { class: "error" }, errorText(result))); }
  else explanation.replaceChildren(el("h3", {}, "Explication"), el("ul", { class: "tree" }, (result.json.outputs || []).map(explanationNode)));
  explanation.hidden = false;
  button.setAttribute("aria-expanded", "true");
}

document.addEventListener("DOMContentLoaded", async () => {
  const on = document.getElementById("on");
  on.value = today();
  on.addEventListener("change", async () => {
    if (await loadFields() && !document.getElementById("resultat").hidden) simulate();
  });
  document.getElementById("simulation").addEventListener("submit", simulate);
  document.getElementById("explain").addEventListener("click", explain);
  await loadFields();
  document.body.dataset.ready = "true";
});
