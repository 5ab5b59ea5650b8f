//! Chains of texts on disk: a policy file and the texts it amends, found by
//! name in the same directory (never elsewhere: no path leaves it), or a
//! directory of texts and the one in force on a date. This is the only place
//! that reads policy files.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use jiff::civil::Date;

use crate::check::diagnostic::{Diagnostic, suggest};
use crate::code::Code;
use crate::source::{FileId, SourceMap};
use crate::syntax::ast::PolicyFile;
use crate::{LoadError, SyntaxError, amend, check};

/// A policy ready to evaluate, and how it was put together.
#[derive(Debug)]
pub struct Loaded {
    pub policy: check::CheckedPolicy,
    pub warnings: Vec<Diagnostic>,
    /// The names of the texts applied, the base first.
    pub chain: Vec<String>,
    /// The chain as one policy, as written, and where each declaration comes from.
    pub merged: crate::amend::Merged,
    /// Profile fields declared by any text read with this one (a later
    /// amendment's, say): a profile may carry them even where this text
    /// does not read them.
    pub family_fields: Vec<String>,
}

/// The texts read so far, with their sources.
#[derive(Default, Clone)]
struct Texts {
    sources: SourceMap,
    parsed: Vec<(FileId, PolicyFile)>,
    /// Files that could not be parsed, kept in case a chain needs one.
    broken: Vec<SyntaxError>,
    /// `.policy` entries of the directory that resolve outside it (through a
    /// symbolic link or `..`): never read, only named when a chain misses a text.
    outside: Vec<PathBuf>,
    /// The texts of each name, by their place in `parsed`: made once, so a
    /// chain is followed in steps of constant time, not a search of every text.
    by_name: std::collections::HashMap<String, Vec<usize>>,
}

/// A policy file's text; text that is not UTF-8 is a located error, not an
/// I/O failure.
fn read(path: &Path) -> Result<String, LoadError> {
    let bytes = std::fs::read(path).map_err(|error| LoadError::Io { path: path.display().to_string(), error })?;
    String::from_utf8(bytes).map_err(|error| {
        let at = error.utf8_error().valid_up_to();
        let mut sources = SourceMap::default();
        let file = sources.add(path, String::from_utf8_lossy(error.as_bytes()).into_owned());
        let span = crate::source::Span::new(file, at, at + 1);
        let mut error = SyntaxError::new(span, format!("the file is not UTF-8 text (byte {at})"), "not UTF-8")
            .with_help("save the policy as UTF-8");
        error.source_code = Some(sources.file(file).named_source());
        LoadError::Syntax(Box::new(error))
    })
}

impl Texts {
    fn parse(&mut self, path: &Path, text: String) -> Result<usize, Box<SyntaxError>> {
        let file = self.sources.add(path, text);
        let text = Arc::clone(&self.sources.file(file).text);
        let parsed = crate::syntax::parse(file, &text).map_err(|mut error| {
            error.source_code = Some(self.sources.file(file).named_source());
            error
        })?;
        self.by_name.entry(parsed.header.name.name.clone()).or_default().push(self.parsed.len());
        self.parsed.push((file, parsed));
        Ok(self.parsed.len() - 1)
    }

    /// Every `.policy` file of a directory but `except`, in name order.
    fn read_directory(&mut self, directory: &Path, except: Option<&Path>) -> Result<(), LoadError> {
        let (paths, outside) = policy_files_in(directory)
            .map_err(|error| LoadError::Io { path: directory.display().to_string(), error })?;
        let paths = paths.into_iter().filter(|path| except.is_none_or(|except| !same_file(path, except)));
        self.outside.extend(outside);
        for path in paths {
            let text = read(&path)?;
            if let Err(error) = self.parse(&path, text) {
                self.broken.push(*error);
            }
        }
        Ok(())
    }

    /// Every profile field a text of the chain's family declares: the texts
    /// read that descend from the chain's base, an amendment's included. A
    /// profile for the text in force may carry a field a later text reads,
    /// whether the text was named as a file or found in its directory.
    fn family_fields(&self, chain: &[usize]) -> Vec<String> {
        let by_name: std::collections::HashMap<&str, usize> =
            self.parsed.iter().enumerate().map(|(index, (_, text))| (text.header.name.name.as_str(), index)).collect();
        // Each text's base, found once: follow `amends` until a text amends
        // none or the way is lost (a missing base, a circle), remembering every step.
        let mut roots: Vec<Option<Option<usize>>> = vec![None; self.parsed.len()];
        for start in 0..self.parsed.len() {
            let mut path = Vec::new();
            let mut current = Some(start);
            let root = loop {
                let Some(index) = current else { break None };
                if let Some(Some(known)) = roots.get(index) {
                    break *known;
                }
                if path.contains(&index) || path.len() > self.parsed.len() {
                    break None;
                }
                path.push(index);
                match self.parsed.get(index).and_then(|(_, text)| text.header.amends()) {
                    None => break Some(index),
                    Some(amended) => current = by_name.get(amended.name.as_str()).copied(),
                }
            };
            for index in path {
                if let Some(slot) = roots.get_mut(index) {
                    *slot = Some(root);
                }
            }
        }
        let family_root = chain.first().copied();
        let mut fields: Vec<String> = self
            .parsed
            .iter()
            .zip(&roots)
            .filter(|(_, root)| family_root.is_some() && **root == Some(family_root))
            .flat_map(|((_, text), _)| text.items.iter())
            .filter_map(|item| match item {
                crate::syntax::ast::Item::Profile(profile) | crate::syntax::ast::Item::AmendProfile(profile) => {
                    Some(profile)
                }
                _ => None,
            })
            .flat_map(|profile| profile.fields.iter().map(|field| field.name.name.clone()))
            .collect();
        fields.sort();
        fields.dedup();
        fields
    }

    fn name(&self, index: usize) -> &str {
        self.parsed.get(index).map_or("?", |(_, text)| text.header.name.name.as_str())
    }

    /// The chain that ends with the text at `index`, the base first.
    fn chain(&self, index: usize) -> Result<Vec<usize>, LoadError> {
        let mut chain = vec![index];
        let mut in_chain = std::collections::HashSet::from([index]);
        let mut diagnostics = Vec::new();
        while let Some((_, text)) = chain.last().and_then(|current| self.parsed.get(*current)) {
            let Some(base_name) = text.header.amends() else { break };
            let named: &[usize] = self.by_name.get(&base_name.name).map_or(&[], Vec::as_slice);
            if named.len() > 1 {
                let files: Vec<String> = named
                    .iter()
                    .filter_map(|index| self.parsed.get(*index))
                    .map(|(file, _)| format!("`{}`", self.sources.path(*file).display()))
                    .collect();
                diagnostics.push(
                    Diagnostic::new(
                        Code::AmendAmbiguousBase,
                        base_name.span,
                        format!("several texts in this directory are named `{}`: {}", base_name.name, files.join(", ")),
                        "which one?",
                    )
                    .with_help("each text of a directory needs a name of its own"),
                );
                break;
            }
            let Some(&base) = named.first() else {
                if let Some(broken) = self.broken.last() {
                    return Err(LoadError::Syntax(Box::new(broken.clone())));
                }
                let names = self.parsed.iter().map(|(_, other)| other.header.name.name.as_str());
                let help = match (suggest(&base_name.name, names), self.outside.as_slice()) {
                    (Some(suggestion), _) => suggestion,
                    (None, []) => {
                        "the text amended must be a `.policy` file in the same directory, whose header names it"
                            .to_owned()
                    }
                    (None, outside) => {
                        let links: Vec<String> = outside.iter().map(|path| format!("`{}`", path.display())).collect();
                        format!(
                            "the text amended must be a `.policy` file in the same directory; {} leads outside it and is not read",
                            links.join(", ")
                        )
                    }
                };
                diagnostics.push(
                    Diagnostic::new(
                        Code::AmendMissingBase,
                        base_name.span,
                        format!("no text named `{}` in this directory", base_name.name),
                        "amends nothing found",
                    )
                    .with_help(help),
                );
                break;
            };
            if !in_chain.insert(base) {
                let names: Vec<String> =
                    chain.iter().chain([&base]).map(|index| format!("`{}`", self.name(*index))).collect();
                diagnostics.push(
                    Diagnostic::new(
                        Code::AmendCycle,
                        base_name.span,
                        format!("these texts amend each other in a circle: {}", names.join(" amends ")),
                        "closes the circle",
                    )
                    .with_help("a chain of texts starts from a text that amends none"),
                );
                break;
            }
            chain.push(base);
        }
        chain.reverse();
        if diagnostics.is_empty() {
            self.check_dates(&chain, &mut diagnostics);
        }
        if diagnostics.is_empty() { Ok(chain) } else { Err(self.failed(diagnostics)) }
    }

    /// Each amendment takes effect on a date of its own, after the text it amends.
    fn check_dates(&self, chain: &[usize], diagnostics: &mut Vec<Diagnostic>) {
        let texts: Vec<&PolicyFile> =
            chain.iter().filter_map(|index| self.parsed.get(*index).map(|(_, text)| text)).collect();
        for pair in texts.windows(2) {
            let [base, amendment] = pair else { continue };
            let Some((date, span)) = amendment.header.effective() else {
                diagnostics.push(
                    Diagnostic::new(
                        Code::AmendMissingDate,
                        amendment.header.name.span,
                        format!("the amendment `{}` does not say when it takes effect", amendment.header.name.name),
                        "no `effective` date",
                    )
                    .with_help("add `effective YYYY-MM-DD` to its header"),
                );
                continue;
            };
            let Some((base_date, base_span)) = base.header.effective() else { continue };
            if date == base_date {
                diagnostics.push(
                    Diagnostic::new(
                        Code::AmendSameDate,
                        span,
                        format!("`{}` and `{}` take effect on the same day, {date}", amendment.header.name.name, base.header.name.name),
                        "same date",
                    )
                    .with_label(base_span, "also this date")
                    .with_help("two texts of one chain cannot both be in force from the same day: merge them, or correct a date"),
                );
            } else if date < base_date {
                diagnostics.push(
                    Diagnostic::new(
                        Code::AmendDateOrder,
                        span,
                        format!(
                            "`{}` takes effect on {date}, before `{}` which it amends ({base_date})",
                            amendment.header.name.name, base.header.name.name
                        ),
                        "earlier than its base",
                    )
                    .with_label(base_span, "the text amended takes effect here"),
                );
            }
        }
    }

    /// The text named `name` and the texts it amends, if it takes effect by `on`.
    fn load_named(self, directory: &Path, name: &str, on: Date) -> Result<Loaded, LoadError> {
        let Some(index) = self.parsed.iter().position(|(_, text)| text.header.name.name == name) else {
            // Proposals first: the flag is there to pick one.
            let mut known: Vec<(bool, String)> = self
                .parsed
                .iter()
                .map(|(_, text)| (!text.header.is_proposal(), text.header.name.name.clone()))
                .collect();
            known.sort();
            let known: Vec<String> = known.into_iter().map(|(_, name)| name).collect();
            return Err(unknown_text(directory, name, &known));
        };
        let effective = self.parsed.get(index).and_then(|(_, text)| text.header.effective()).map(|(date, _)| date);
        if let Some(effective) = effective.filter(|effective| *effective > on) {
            return Err(LoadError::NotInForce { text: name.to_owned(), effective, on });
        }
        let chain = self.chain(index)?;
        self.compile(&chain)
    }

    fn failed(&self, diagnostics: Vec<Diagnostic>) -> LoadError {
        LoadError::Check { diagnostics, sources: Arc::new(self.sources.clone()) }
    }

    /// Merges and checks a chain. The sources are copied (each file's text is
    /// shared), so the same texts serve every chain of a directory.
    fn compile(&self, chain: &[usize]) -> Result<Loaded, LoadError> {
        let texts: Vec<&PolicyFile> =
            chain.iter().filter_map(|index| self.parsed.get(*index).map(|(_, text)| text)).collect();
        let names = texts.iter().map(|text| text.header.name.name.clone()).collect();
        let family_fields = self.family_fields(chain);
        let merged = match amend::merge(&texts) {
            Ok(merged) => merged,
            Err(diagnostics) => return Err(self.failed(diagnostics)),
        };
        let sources = Arc::new(self.sources.clone());
        match check::check(Arc::clone(&sources), &merged.file) {
            Ok((policy, warnings)) => Ok(Loaded { policy, warnings, chain: names, merged, family_fields }),
            Err(diagnostics) => Err(LoadError::Check { diagnostics, sources }),
        }
    }
}

/// No text of that name where one was asked for: the nearest name, or the names there are.
fn unknown_text(path: &Path, name: &str, known: &[String]) -> LoadError {
    let help = suggest(name, known.iter().map(String::as_str)).unwrap_or_else(|| {
        let names: Vec<String> = known.iter().map(|name| format!("`{name}`")).collect();
        format!("the texts there are: {}", names.join(", "))
    });
    LoadError::UnknownText { directory: path.display().to_string(), name: name.to_owned(), help }
}

/// The `.policy` files of a directory, in name order: those that resolve
/// inside it, and those that lead outside it (a symbolic link to a file
/// elsewhere). Only the first may be read: a link to a secret must not be
/// read, nor quoted in a syntax error.
pub fn policy_files_in(directory: &Path) -> std::io::Result<(Vec<PathBuf>, Vec<PathBuf>)> {
    let real_directory = directory.canonicalize()?;
    let mut paths: Vec<PathBuf> = std::fs::read_dir(directory)?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.extension().is_some_and(|extension| extension == "policy") && path.is_file())
        .collect();
    paths.sort();
    Ok(paths.into_iter().partition(|path| path.canonicalize().is_ok_and(|real| real.starts_with(&real_directory))))
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// The text in `path` with the texts it amends.
pub fn load_text(path: &Path) -> Result<Loaded, LoadError> {
    let mut texts = Texts::default();
    let index = texts.parse(path, read(path)?).map_err(LoadError::Syntax)?;
    let amends = texts.parsed.get(index).is_some_and(|(_, text)| text.header.amends().is_some());
    let directory = path.parent().filter(|parent| !parent.as_os_str().is_empty()).unwrap_or(Path::new("."));
    if amends {
        texts.read_directory(directory, Some(path))?;
    } else {
        // A text that amends none needs no other, but the texts beside it
        // that amend it say which fields its family's profiles may carry:
        // read them for that alone, and a folder that cannot be read adds none.
        texts.read_directory(directory, Some(path)).ok();
    }
    let chain = texts.chain(index)?;
    texts.compile(&chain)
}

/// Loads texts one after another, each with the texts it amends, reading
/// and parsing each directory once: `check` on a folder of a chain of 1 000
/// texts parsed every text of it again for each, a million parses.
#[derive(Default)]
pub struct Loader {
    /// Each directory's texts, and the place of each among them by its resolved path.
    directories: std::collections::HashMap<PathBuf, (Texts, std::collections::HashMap<PathBuf, usize>)>,
}

impl Loader {
    /// As [`load_text`], from the texts of `path`'s directory as read the first time.
    pub fn load_text(&mut self, path: &Path) -> Result<Loaded, LoadError> {
        let mut alone = Texts::default();
        let index = alone.parse(path, read(path)?).map_err(LoadError::Syntax)?;
        let amends = alone.parsed.get(index).is_some_and(|(_, text)| text.header.amends().is_some());
        if !amends {
            let chain = alone.chain(index)?;
            return alone.compile(&chain);
        }
        let directory = path.parent().filter(|parent| !parent.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let key = directory.canonicalize().unwrap_or_else(|_| directory.to_path_buf());
        let (texts, places) = match self.directories.entry(key) {
            std::collections::hash_map::Entry::Occupied(entry) => entry.into_mut(),
            std::collections::hash_map::Entry::Vacant(entry) => {
                let mut texts = Texts::default();
                texts.read_directory(directory, None)?;
                let places = texts
                    .parsed
                    .iter()
                    .enumerate()
                    .filter_map(|(index, (file, _))| Some((texts.sources.path(*file).canonicalize().ok()?, index)))
                    .collect();
                entry.insert((texts, places))
            }
        };
        let position = path.canonicalize().ok().and_then(|real| places.get(&real).copied());
        match position {
            Some(index) => {
                let chain = texts.chain(index)?;
                texts.compile(&chain)
            }
            // Not among the directory's texts (not a `.policy` file, say): read as ever.
            None => load_text(path),
        }
    }
}

/// The policy in force on `on`: for a directory, the latest of its texts to
/// take effect on or before that date, never a proposal; for a file, that
/// text, which must be in force by then.
pub fn load_in_force(path: &Path, on: Date) -> Result<Loaded, LoadError> {
    load_chosen(path, on, None)
}

/// As [`load_in_force`], but with `proposal`, the text of a directory of that
/// name (a draft, `status proposal`, say) instead of the one in force by date;
/// it must take effect on or before `on` all the same.
pub fn load_chosen(path: &Path, on: Date, proposal: Option<&str>) -> Result<Loaded, LoadError> {
    if !path.is_dir() {
        let loaded = load_text(path)?;
        if let Some(name) = proposal.filter(|name| *name != loaded.policy.header.name) {
            return Err(unknown_text(path, name, std::slice::from_ref(&loaded.policy.header.name)));
        }
        if let Some(effective) = loaded.policy.header.effective.filter(|effective| *effective > on) {
            return Err(LoadError::NotInForce { text: loaded.policy.header.name.clone(), effective, on });
        }
        return Ok(loaded);
    }
    let mut texts = Texts::default();
    texts.read_directory(path, None)?;
    if let Some(broken) = texts.broken.pop() {
        return Err(LoadError::Syntax(Box::new(broken)));
    }
    if let Some(name) = proposal {
        return texts.load_named(path, name, on);
    }
    // A draft under discussion sits beside the texts in force but is never
    // one of them: a proposal placed in the directory changes no outcome.
    let in_force =
        |text: &PolicyFile| !text.header.is_proposal() && text.header.effective().is_none_or(|(date, _)| date <= on);
    let latest = texts
        .parsed
        .iter()
        .enumerate()
        .filter(|(_, (_, text))| in_force(text))
        .max_by_key(|(_, (_, text))| text.header.effective().map(|(date, _)| date));
    let Some((index, (_, chosen))) = latest else {
        return Err(LoadError::NoTextInForce { directory: path.display().to_string(), on });
    };
    let chosen_date = chosen.header.effective().map(|(date, _)| date);
    let rivals: Vec<String> = texts
        .parsed
        .iter()
        .filter(|(_, text)| in_force(text) && text.header.effective().map(|(date, _)| date) == chosen_date)
        .map(|(_, text)| text.header.name.name.clone())
        .collect();
    if rivals.len() > 1 {
        return Err(LoadError::Ambiguous { directory: path.display().to_string(), on, texts: rivals });
    }
    let chain = texts.chain(index)?;
    texts.compile(&chain)
}

/// A directory's texts as an editor holds them, unsaved changes included:
/// parsed once, then each text compiled with the texts it amends, as
/// [`load_text`] does from disk. The language server's view of a directory.
#[derive(Default, Clone)]
pub struct InMemory {
    texts: Texts,
    /// Every file given, in order, those that did not parse included.
    files: Vec<FileId>,
}

impl InMemory {
    /// Parses every text; one that does not parse is kept as its error.
    pub fn parse(texts: impl IntoIterator<Item = (PathBuf, String)>) -> Self {
        let mut in_memory = InMemory::default();
        for (path, text) in texts {
            in_memory.add(path, text);
        }
        in_memory
    }

    /// These texts and one more, parsed: the others are not parsed again.
    pub fn with(&self, path: PathBuf, text: String) -> Self {
        let mut in_memory = self.clone();
        in_memory.add(path, text);
        in_memory
    }

    fn add(&mut self, path: PathBuf, text: String) {
        match self.texts.parse(&path, text) {
            Ok(index) => self.files.extend(self.texts.parsed.get(index).map(|(file, _)| *file)),
            Err(error) => {
                self.files.push(error.span.file);
                self.texts.broken.push(*error);
            }
        }
    }

    /// Every file given, in order, those that did not parse included.
    pub fn files(&self) -> &[FileId] {
        &self.files
    }

    pub fn sources(&self) -> &SourceMap {
        &self.texts.sources
    }

    /// The texts that parsed, with their files.
    pub fn parsed(&self) -> &[(FileId, PolicyFile)] {
        &self.texts.parsed
    }

    /// The first syntax error of each text that did not parse.
    pub fn syntax_errors(&self) -> &[SyntaxError] {
        &self.texts.broken
    }

    /// The parsed text at `index` (of [`InMemory::parsed`]) with the texts it amends, merged and checked.
    pub fn load(&self, index: usize) -> Result<Loaded, LoadError> {
        let chain = self.texts.chain(index)?;
        self.texts.compile(&chain)
    }

    /// The places in [`InMemory::parsed`] of the chain that ends with the text at `index`, the base first.
    pub fn chain(&self, index: usize) -> Result<Vec<usize>, LoadError> {
        self.texts.chain(index)
    }
}
