//! A generator of whole policies, for the differential tests: every construct
//! of the language (parameters with certainties, tables of records with
//! assumed and missing cells, grids keyed by bands, bands with bounds read
//! from tables, rules indexed by an enumeration, condition sets with `when`,
//! indexed condition sets, `given`, `failures`, `match`, `min`, `max`,
//! rounding in every mode, dates and contract years, unary minus, division,
//! texts read from the profile and compared,
//! outputs with `when` and nested groups), well typed by construction so that
//! nearly every policy checks, and profiles for them that reach every branch,
//! missing optional fields included.

use super::Generator;

const KINDS: [&str; 4] = ["k1", "k2", "k3", "k4"];
const MODES: [&str; 7] = ["half_up", "half_down", "half_even", "up", "down", "floor", "ceiling"];
/// Texts compare exactly: case, accents, commas and the empty text count (and a comma must be quoted in CSV).
const TEXTS: [&str; 6] = ["", "CPAM de Paris", "cpam de paris", "CPAM de l'Hérault", "a, b", " "];
const CERTAINTIES: [&str; 5] = ["", " established", " secondary", " assumed \"a guess\"", " assumed"];

/// The types an expression may have.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ty {
    Patients,
    Euros,
    Rate,
    Number,
    Bool,
    Kind,
    Date,
    Text,
}

impl Ty {
    fn name(self) -> &'static str {
        match self {
            Ty::Patients => "patients",
            Ty::Euros => "euros",
            Ty::Rate => "rate",
            Ty::Number => "number",
            Ty::Bool => "bool",
            Ty::Kind => "kind",
            Ty::Date => "date",
            Ty::Text => "text",
        }
    }
}

/// A rule already declared: what a later expression may read.
struct Rule {
    name: String,
    ty: Ty,
    indexed: bool,
}

struct Writer {
    random: Generator,
    rules: Vec<Rule>,
    /// Inside an indexed declaration: `o` is a kind.
    index: bool,
    /// Inside the condition set `eligibility`, which must not read itself.
    in_conditions: bool,
    /// Inside the bands' `over`, which must not read the bands.
    in_bands: bool,
}

impl Writer {
    fn chance(&mut self, per_hundred: u64) -> bool {
        self.random.next(100) < per_hundred
    }

    fn pick(&mut self, items: &[&'static str]) -> &'static str {
        items[self.random.next(items.len() as u64) as usize]
    }

    fn kind_literal(&mut self) -> String {
        self.pick(&KINDS).to_owned()
    }

    fn certainty(&mut self) -> &'static str {
        self.pick(&CERTAINTIES)
    }

    fn count(&mut self) -> u64 {
        // Now and then a count too wide for the compiled evaluator's small
        // numbers (a mantissa over 32 bits), so that its wide paths run too.
        if self.chance(4) {
            return (1 << 32) + self.random.next(1 << 20);
        }
        match self.random.next(4) {
            0 => [0, 1, 99, 100, 101, 500, 999, 1000, 1001][self.random.next(9) as usize],
            _ => self.random.next(3000),
        }
    }

    fn literal(&mut self, ty: Ty) -> String {
        match ty {
            Ty::Patients => format!("{} patients", self.count()),
            Ty::Euros => {
                let cents = match self.random.next(10) {
                    0..=2 => format!(".{:02}", self.random.next(100)),
                    // More places than a small number carries.
                    3 => format!(".{:012}", self.random.next(1 << 40)),
                    _ => String::new(),
                };
                format!("{}{cents} €", self.random.next(50_000))
            }
            Ty::Rate => {
                let tenths = if self.chance(30) { format!(".{}", self.random.next(10)) } else { String::new() };
                format!("{}{tenths} %", self.random.next(120))
            }
            Ty::Number => match self.random.next(5) {
                0 => "0".to_owned(),
                1 => format!("-{}", self.random.next(50)),
                2 => format!("{}.{}", self.random.next(20), self.random.next(1000)),
                _ => self.random.next(40).to_string(),
            },
            Ty::Bool => if self.chance(50) { "true" } else { "false" }.to_owned(),
            Ty::Kind => self.kind_literal(),
            Ty::Text => format!("\"{}\"", self.pick(&TEXTS)),
            Ty::Date => format!(
                "20{:02}-{:02}-{:02}",
                15 + self.random.next(15),
                1 + self.random.next(12),
                1 + self.random.next(28)
            ),
        }
    }

    /// A rule of type `ty` declared earlier, read at a kind if it is indexed.
    fn rule(&mut self, ty: Ty) -> Option<String> {
        let candidates: Vec<usize> = (0..self.rules.len()).filter(|&at| self.rules[at].ty == ty).collect();
        if candidates.is_empty() {
            return None;
        }
        let at = candidates[self.random.next(candidates.len() as u64) as usize];
        let (name, indexed) = (self.rules[at].name.clone(), self.rules[at].indexed);
        Some(if indexed { format!("{name}[{}]", self.kind(0)) } else { name })
    }

    /// An expression of type `ty`, at most `depth` deep, in parentheses
    /// where it is more than a name or a literal, so that it can stand as
    /// any operand.
    fn expr(&mut self, ty: Ty, depth: u32) -> String {
        if depth == 0 || self.chance(30) {
            return self.leaf(ty);
        }
        let composite = self.composite(ty, depth);
        format!("({composite})")
    }

    fn composite(&mut self, ty: Ty, depth: u32) -> String {
        let d = depth - 1;
        // Shapes every numeric type shares.
        if matches!(ty, Ty::Patients | Ty::Euros | Ty::Rate | Ty::Number) {
            match self.random.next(12) {
                0 => return format!("{} + {}", self.expr(ty, d), self.expr(ty, d)),
                1 => return format!("{} - ({})", self.expr(ty, d), self.expr(ty, d)),
                2 => return format!("-({})", self.expr(ty, d)),
                3 => return format!("min({}, {})", self.expr(ty, d), self.expr(ty, d)),
                4 => return format!("max({}, {})", self.expr(ty, d), self.expr(ty, d)),
                5 => {
                    return format!(
                        "if {} then {} else {}",
                        self.expr(Ty::Bool, d),
                        self.expr(ty, d),
                        self.expr(ty, d)
                    );
                }
                6 => return self.matched(ty, d),
                _ => {}
            }
        }
        match ty {
            Ty::Patients => match self.random.next(4) {
                0 => {
                    format!("round({} * {}, {})", self.expr(Ty::Patients, d), self.expr(Ty::Rate, d), self.pick(&MODES))
                }
                1 => format!(
                    "round({} / {}, {})",
                    self.expr(Ty::Patients, d),
                    self.expr(Ty::Number, d),
                    self.pick(&MODES)
                ),
                2 => format!("{} * {}", self.expr(Ty::Patients, d), self.random.next(4)),
                _ => self.leaf(ty),
            },
            Ty::Euros => match self.random.next(4) {
                0 => {
                    format!("round({} * {}, {}, 2)", self.expr(Ty::Euros, d), self.expr(Ty::Rate, d), self.pick(&MODES))
                }
                1 => format!("{} * {}", self.expr(Ty::Euros, d), self.expr(Ty::Rate, d)),
                2 => format!("{} / {}", self.expr(Ty::Euros, d), self.expr(Ty::Number, d)),
                _ => self.leaf(ty),
            },
            Ty::Rate => match self.random.next(4) {
                0 => format!("{} * {}", self.expr(Ty::Rate, d), self.expr(Ty::Rate, d)),
                1 => format!("{} / {}", self.expr(Ty::Patients, d), self.expr(Ty::Patients, d)),
                2 => format!("round({}, {}, 3)", self.expr(Ty::Rate, d), self.pick(&MODES)),
                _ => self.leaf(ty),
            },
            Ty::Number => match self.random.next(4) {
                0 => format!("{} * {}", self.expr(Ty::Number, d), self.expr(Ty::Number, d)),
                1 => format!("{} / {}", self.expr(Ty::Number, d), self.expr(Ty::Number, d)),
                2 => format!("years_between({}, evaluation_date)", self.expr(Ty::Date, d)),
                _ => format!("round({}, {})", self.expr(Ty::Number, d), self.pick(&MODES)),
            },
            Ty::Bool => match self.random.next(12) {
                0 => format!("not ({})", self.expr(Ty::Bool, d)),
                1 => format!("({}) and ({})", self.expr(Ty::Bool, d), self.expr(Ty::Bool, d)),
                2 => format!("({}) or ({})", self.expr(Ty::Bool, d), self.expr(Ty::Bool, d)),
                3 => {
                    let numeric =
                        [Ty::Patients, Ty::Euros, Ty::Rate, Ty::Number, Ty::Date][self.random.next(5) as usize];
                    let op = self.pick(&["<", "<=", ">", ">=", "==", "!="]);
                    format!("{} {op} {}", self.expr(numeric, d), self.expr(numeric, d))
                }
                4 => format!("{} == {}", self.kind(d), self.kind_literal()),
                5 => format!("{} in [{}, {}]", self.kind(d), self.kind_literal(), self.kind_literal()),
                6 => format!(
                    "if {} then {} else {}",
                    self.expr(Ty::Bool, d),
                    self.expr(Ty::Bool, d),
                    self.expr(Ty::Bool, d)
                ),
                7 if !self.in_bands => self.pick(&["level == low", "level != high", "level in [mid, high]"]).to_owned(),
                8 => self.matched(Ty::Bool, d),
                9 => {
                    let op = self.pick(&["==", "!="]);
                    format!("{} {op} {}", self.expr(Ty::Text, d), self.expr(Ty::Text, d))
                }
                _ => self.leaf(ty),
            },
            Ty::Kind => match self.random.next(3) {
                0 => format!("if {} then {} else {}", self.expr(Ty::Bool, d), self.kind(d), self.kind(d)),
                1 => self.matched(Ty::Kind, d),
                _ => self.leaf(ty),
            },
            Ty::Text => match self.random.next(3) {
                0 => format!(
                    "if {} then {} else {}",
                    self.expr(Ty::Bool, d),
                    self.expr(Ty::Text, d),
                    self.expr(Ty::Text, d)
                ),
                1 => self.matched(Ty::Text, d),
                _ => self.leaf(ty),
            },
            Ty::Date => match self.random.next(3) {
                0 => format!("add_years({}, {})", self.expr(Ty::Date, d), self.random.next(5)),
                1 => format!(
                    "if {} then {} else {}",
                    self.expr(Ty::Bool, d),
                    self.expr(Ty::Date, d),
                    self.expr(Ty::Date, d)
                ),
                _ => self.leaf(ty),
            },
        }
    }

    fn kind(&mut self, depth: u32) -> String {
        if depth == 0 { self.leaf(Ty::Kind) } else { self.expr(Ty::Kind, depth) }
    }

    /// `match` over the kind or the band, with an `else` arm or without.
    fn matched(&mut self, ty: Ty, depth: u32) -> String {
        if !self.in_bands && self.chance(30) {
            return format!("match level {{ low => {} mid | high => {} }}", self.expr(ty, depth), self.expr(ty, depth));
        }
        let subject = self.kind(depth.min(1));
        if self.chance(50) {
            format!(
                "match {subject} {{ k1 => {} k2 | k3 => {} else => {} }}",
                self.expr(ty, depth),
                self.expr(ty, depth),
                self.expr(ty, depth)
            )
        } else {
            format!(
                "match {subject} {{ k1 => {} k2 => {} k3 => {} k4 => {} }}",
                self.expr(ty, depth),
                self.expr(ty, depth),
                self.expr(ty, depth),
                self.expr(ty, depth)
            )
        }
    }

    fn leaf(&mut self, ty: Ty) -> String {
        if self.chance(25)
            && let Some(rule) = self.rule(ty)
        {
            return rule;
        }
        match ty {
            Ty::Patients => match self.random.next(7) {
                0 => "a".to_owned(),
                1 => "(if given(b) then b else a)".to_owned(),
                2 => "b".to_owned(),
                3 => format!("terms[{}].cap", self.kind(0)),
                4 => "floor_count".to_owned(),
                _ => self.literal(ty),
            },
            Ty::Euros => match self.random.next(5) {
                0 => "e".to_owned(),
                1 => format!("terms[{}].amount", self.kind(0)),
                2 => "(if given(e) then e else 0 €)".to_owned(),
                _ => self.literal(ty),
            },
            Ty::Rate => match self.random.next(6) {
                0 => "r".to_owned(),
                1 => format!("terms[{}].share", self.kind(0)),
                2 if !self.in_bands => format!("growth[level, {}]", self.kind(0)),
                3 => "base_rate".to_owned(),
                _ => self.literal(ty),
            },
            Ty::Number => self.literal(ty),
            Ty::Bool => match self.random.next(6) {
                0 => "flag".to_owned(),
                1 => "given(b)".to_owned(),
                2 => "given(d)".to_owned(),
                3 if !self.in_conditions => "eligibility".to_owned(),
                _ => self.literal(ty),
            },
            Ty::Kind => {
                if self.index && self.chance(50) {
                    "o".to_owned()
                } else if self.chance(50) {
                    "k".to_owned()
                } else {
                    self.kind_literal()
                }
            }
            Ty::Text => match self.random.next(4) {
                0 => "t".to_owned(),
                1 => "(if given(u) then u else t)".to_owned(),
                2 => "u".to_owned(),
                _ => self.literal(ty),
            },
            Ty::Date => match self.random.next(4) {
                0 => "d".to_owned(),
                1 => "evaluation_date".to_owned(),
                2 => "(if given(d) then d else evaluation_date)".to_owned(),
                _ => self.literal(ty),
            },
        }
    }

    fn cell(&mut self, ty: Ty) -> String {
        if self.chance(12) {
            return "—".to_owned();
        }
        format!("{}{}", self.literal(ty), self.certainty())
    }
}

/// The text of a generated policy, the same for the same seed.
pub fn policy(seed: u64) -> String {
    let mut w = Writer {
        random: Generator(seed.wrapping_mul(2).wrapping_add(1)),
        rules: Vec::new(),
        index: false,
        in_conditions: false,
        in_bands: false,
    };
    let mut text = String::from(
        "policy generated {\n  title \"generated\"\n  effective 2019-01-01\n}\n\n\
         enum kind \"a kind\" { k1 \"one\" k2 k3 \"three\" k4 }\n\n\
         profile {\n  a: patients \"a count\"\n  b: patients?\n  r: rate\n  e: euros?\n  k: kind\n  \
         flag: bool = false\n  d: date?\n  t: text = \"\"\n  u: text?\n}\n\n",
    );
    let certainty = w.certainty();
    text.push_str(&format!(
        "param floor_count: patients = {}{certainty} source \"a source\"\n",
        w.literal(Ty::Patients)
    ));
    let certainty = w.certainty();
    text.push_str(&format!("param base_rate: rate = {}{certainty}\n\n", w.literal(Ty::Rate)));

    // A table of records keyed by the kind, cells of every certainty, some missing.
    text.push_str(
        "table terms(kind: kind) -> (cap: patients, share: rate, amount: euros)\n  source \"the terms\"\n{\n",
    );
    for kind in KINDS {
        let (cap, share, amount) = (w.cell(Ty::Patients), w.cell(Ty::Rate), w.cell(Ty::Euros));
        text.push_str(&format!("  | {kind} | {cap} | {share} | {amount} |\n"));
    }
    text.push_str("}\n\n");

    // Bands whose bounds are read from the table or a parameter.
    let low = w.pick(&["terms[k].cap", "floor_count", "100 patients"]);
    w.in_bands = true;
    let over = w.expr(Ty::Patients, 2);
    w.in_bands = false;
    text.push_str(&format!(
        "bands level \"a level\" over {over} {{\n  low \"low\": up to {low}\n  mid: above {low} up to {low} + 500 patients\n  high: above {low} + 500 patients\n}}\n\n"
    ));

    // A grid keyed by the bands and the kind.
    text.push_str("table growth(level: level, kind: kind) -> rate {\n  |      | k1 | k2 | k3 | k4 |\n");
    for level in ["low", "mid", "high"] {
        let cells: Vec<String> = KINDS.iter().map(|_| w.cell(Ty::Rate)).collect();
        text.push_str(&format!("  | {level} | {} |\n", cells.join(" | ")));
    }
    text.push_str("}\n\n");

    // Condition sets, one of them indexed; conditions with `when`.
    let mut conditions = String::from("conditions eligibility \"who may\" {\n");
    w.in_conditions = true;
    for index in 0..1 + w.random.next(3) {
        let guard = if w.chance(30) { format!(" when {}", w.expr(Ty::Bool, 1)) } else { String::new() };
        let requires = w.expr(Ty::Bool, 3);
        let certainty = w.certainty();
        conditions.push_str(&format!(
            "  condition c{index}{guard}\n    requires {requires}\n    message \"c{index} fails\"{certainty}\n"
        ));
    }
    conditions.push_str("}\n\n");
    w.in_conditions = false;
    // `eligibility` may be read by rules: declare rules after it, but
    // never let the conditions read a rule (no cycles by construction).
    text.push_str(&conditions);

    // Rules, plain and indexed, each reading only what came before.
    for index in 0..2 + w.random.next(5) {
        let ty = [Ty::Patients, Ty::Euros, Ty::Rate, Ty::Number, Ty::Bool, Ty::Date, Ty::Kind, Ty::Text]
            [w.random.next(8) as usize];
        let indexed = w.chance(40);
        w.index = indexed;
        let body = w.expr(ty, 3);
        w.index = false;
        let name = format!("rule_{index}");
        let declared = if indexed { format!("{name}[o: kind]") } else { name.clone() };
        let type_name = if ty == Ty::Kind { "kind" } else { ty.name() };
        text.push_str(&format!("rule {declared}: {type_name} = {body}\n"));
        w.rules.push(Rule { name, ty, indexed });
    }
    text.push('\n');

    w.index = true;
    let open = w.expr(Ty::Bool, 2);
    text.push_str(&format!(
        "conditions open[o: kind] \"open\" {{\n  condition eligible requires eligibility message \"not eligible\"\n  \
         condition reserved requires {open} message \"reserved\"\n}}\n\n"
    ));

    // Outputs: plain, guarded, and a group per kind with `when` blocks.
    text.push_str("output eligible = eligibility\noutput failed = failures(eligibility)\noutput band = level\n");
    w.index = false;
    for (index, ty) in
        [Ty::Patients, Ty::Euros, Ty::Rate, Ty::Number, Ty::Date, Ty::Bool, Ty::Text].into_iter().enumerate()
    {
        if w.chance(60) {
            let value = w.expr(ty, 3);
            let guard = if w.chance(30) { format!(" when {}", w.expr(Ty::Bool, 1)) } else { String::new() };
            text.push_str(&format!("output value_{index} = {value}{guard}\n"));
        }
    }
    w.index = true;
    let amount = w.expr(Ty::Euros, 3);
    let target = w.expr(Ty::Patients, 3);
    let share = w.expr(Ty::Rate, 2);
    let guard = w.expr(Ty::Bool, 1);
    w.index = false;
    text.push_str(&format!(
        "output per_kind[o: kind] {{\n  open = open[o]\n  failed = failures(open[o])\n  \
         when open[o] {{\n    money {{\n      amount = {amount}\n      share = {share}\n    }}\n    \
         target = {target} when {guard}\n  }}\n}}\n"
    ));
    text
}

/// `count` profiles for [`policy`]'s profile block, each as JSON: every
/// kind, flags both ways, optional fields sometimes missing, counts at and
/// around the round figures the policies use.
pub fn profiles(seed: u64, count: usize) -> Vec<String> {
    let mut w = Writer {
        random: Generator(seed.wrapping_mul(31) | 1),
        rules: Vec::new(),
        index: false,
        in_conditions: false,
        in_bands: false,
    };
    (0..count)
        .map(|_| {
            let mut fields = vec![
                format!("\"a\": {}", w.count()),
                format!("\"r\": \"{}\"", w.literal(Ty::Rate)),
                format!("\"k\": \"{}\"", w.kind_literal()),
            ];
            if w.chance(75) {
                fields.push(format!("\"b\": {}", w.count()));
            }
            if w.chance(60) {
                fields.push(format!("\"e\": {}", w.literal(Ty::Euros).trim_end_matches(" €")));
            }
            if w.chance(70) {
                fields.push(format!("\"flag\": {}", w.chance(50)));
            }
            if w.chance(60) {
                fields.push(format!("\"d\": \"{}\"", w.literal(Ty::Date)));
            }
            if w.chance(60) {
                fields.push(format!("\"t\": {}", w.literal(Ty::Text)));
            }
            if w.chance(50) {
                fields.push(format!("\"u\": {}", w.literal(Ty::Text)));
            }
            format!("{{{}}}", fields.join(", "))
        })
        .collect()
}
