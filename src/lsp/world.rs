//! What the server knows: the documents the editor holds open (their text
//! wins over the file on disk) and, for each policy directory, the analysis
//! of all its texts together, made again whenever one of them changes.
//! Nothing here speaks the protocol's messages; it only answers questions.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use lsp_types::{Position, TextDocumentContentChangeEvent};

use super::lex::{self, Token, TokenKind};
use super::position::LineIndex;
use crate::chain::{InMemory, Loaded};
use crate::source::FileId;
use crate::syntax::ast::PolicyFile;

/// The open documents and the analysis of each directory they are in.
#[derive(Default)]
pub struct World {
    open: HashMap<PathBuf, String>,
    analyses: HashMap<PathBuf, Analysis>,
}

impl World {
    /// A document opened in the editor, or replaced whole.
    pub fn open(&mut self, path: PathBuf, text: String) -> &Analysis {
        let directory = directory_of(&path);
        self.open.insert(path, text);
        self.analyze(&directory)
    }

    /// Edits to an open document, in the order the editor made them.
    pub fn change(&mut self, path: &Path, changes: Vec<TextDocumentContentChangeEvent>) -> &Analysis {
        if let Some(text) = self.open.get_mut(path) {
            for change in changes {
                apply_change(text, change);
            }
        }
        self.analyze(&directory_of(path))
    }

    /// A document closed: the file on disk speaks for it again.
    pub fn close(&mut self, path: &Path) -> &Analysis {
        self.open.remove(path);
        self.analyze(&directory_of(path))
    }

    /// The text the server reads for `path`: the editor's, else the file's.
    pub fn text(&self, path: &Path) -> Option<String> {
        self.open.get(path).cloned().or_else(|| std::fs::read_to_string(path).ok())
    }

    /// The analysis of the directory of `path`, made when first asked for.
    pub fn analysis(&mut self, path: &Path) -> &Analysis {
        let directory = directory_of(path);
        if self.analyses.contains_key(&directory) {
            return self.analyses.entry(directory).or_insert_with(Analysis::empty);
        }
        self.analyze(&directory)
    }

    /// The analysis of the directory of `path`, if made.
    pub fn current(&self, path: &Path) -> Option<&Analysis> {
        self.analyses.get(&directory_of(path))
    }

    /// The directory's texts as they would be with `replacements` (path →
    /// text) in place, analysed apart: the world itself is left unchanged.
    pub fn analyze_with(&self, directory: &Path, replacements: &HashMap<PathBuf, String>) -> Analysis {
        Analysis::new(self.texts_of(directory, replacements))
    }

    fn analyze(&mut self, directory: &Path) -> &Analysis {
        let analysis = Analysis::new(self.texts_of(directory, &HashMap::new()));
        self.analyses.insert(directory.to_path_buf(), analysis);
        self.analyses.entry(directory.to_path_buf()).or_insert_with(Analysis::empty)
    }

    /// The `.policy` texts of a directory: its files read from disk, where
    /// the editor holds none of them open, and the open ones (saved or not).
    fn texts_of(&self, directory: &Path, replacements: &HashMap<PathBuf, String>) -> Vec<(PathBuf, String)> {
        let on_disk = crate::chain::policy_files_in(directory).map(|(inside, _)| inside).unwrap_or_default();
        let mut paths: Vec<PathBuf> = on_disk;
        for path in self.open.keys() {
            if directory_of(path) == directory && !paths.contains(path) {
                paths.push(path.clone());
            }
        }
        paths.sort();
        paths
            .into_iter()
            .filter_map(|path| {
                let text = replacements.get(&path).cloned().or_else(|| self.text(&path))?;
                Some((path, text))
            })
            .collect()
    }
}

fn directory_of(path: &Path) -> PathBuf {
    path.parent().filter(|parent| !parent.as_os_str().is_empty()).unwrap_or(Path::new(".")).to_path_buf()
}

/// Applies one edit: a range replaced, or (without a range) the whole text.
pub fn apply_change(text: &mut String, change: TextDocumentContentChangeEvent) {
    match change.range {
        None => *text = change.text,
        Some(range) => {
            let index = LineIndex::new(text);
            let start = index.offset(text, range.start);
            let end = index.offset(text, range.end).max(start);
            text.replace_range(start..end, &change.text);
        }
    }
}

/// One text of a directory, as read now.
pub struct TextFile {
    pub path: PathBuf,
    pub file: FileId,
    pub text: std::sync::Arc<str>,
    pub lines: LineIndex,
    pub tokens: Vec<Token>,
    /// Its place in [`InMemory::parsed`], when it parses.
    pub parsed: Option<usize>,
}

impl TextFile {
    pub fn range(&self, start: usize, end: usize) -> lsp_types::Range {
        self.lines.range(&self.text, start, end)
    }

    pub fn offset(&self, position: Position) -> usize {
        self.lines.offset(&self.text, position)
    }

    /// The word under the cursor, if any.
    pub fn word_at(&self, position: Position) -> Option<(Token, &str)> {
        let token = lex::word_at(&self.tokens, self.offset(position))?;
        Some((token, token.text(&self.text)))
    }

    /// Every word of the text that names something: outside comments, and in
    /// quoted texts only within the `{…}` quotes of a message.
    pub fn name_tokens(&self) -> Vec<Token> {
        let mut names = Vec::new();
        for token in &self.tokens {
            match token.kind {
                TokenKind::Word => names.push(*token),
                TokenKind::Text => names.extend(quoted_names(&self.text, *token)),
                TokenKind::Number | TokenKind::Comment | TokenKind::Punct => {}
            }
        }
        names
    }
}

/// The words inside the `{…}` of a quoted text, with their offsets in the whole text.
fn quoted_names(text: &str, token: Token) -> Vec<Token> {
    let inside = token.text(text);
    let mut names = Vec::new();
    let mut rest = 0;
    while let Some(open) = inside.get(rest..).and_then(|tail| tail.find('{')).map(|at| rest + at) {
        let close = inside.get(open..).and_then(|tail| tail.find('}')).map_or(inside.len(), |at| open + at);
        let quote = inside.get(open + 1..close).unwrap_or("");
        names.extend(lex::tokens(quote).into_iter().filter(|inner| inner.kind == TokenKind::Word).map(|inner| Token {
            start: token.start + open + 1 + inner.start,
            end: token.start + open + 1 + inner.end,
            ..inner
        }));
        rest = close;
    }
    names
}

/// All the texts of one directory, parsed, chained and checked.
pub struct Analysis {
    pub texts: InMemory,
    /// Every text, by [`FileId`].
    pub files: Vec<TextFile>,
    /// For each parsed text, its chain (base first, as places in
    /// [`InMemory::parsed`]) and the chain merged and checked; or why not.
    pub chains: Vec<Result<Vec<usize>, ()>>,
    pub loaded: Vec<Result<Loaded, crate::LoadError>>,
}

impl Analysis {
    fn empty() -> Self {
        Analysis::new(Vec::new())
    }

    pub fn new(texts: Vec<(PathBuf, String)>) -> Self {
        let texts = InMemory::parse(texts);
        let sources = texts.sources();
        let mut files: Vec<TextFile> = texts
            .files()
            .iter()
            .map(|&file| {
                let source = sources.file(file);
                TextFile {
                    path: source.path.clone(),
                    file,
                    lines: LineIndex::new(&source.text),
                    tokens: lex::tokens(&source.text),
                    text: std::sync::Arc::clone(&source.text),
                    parsed: None,
                }
            })
            .collect();
        for (index, (file, _)) in texts.parsed().iter().enumerate() {
            if let Some(text) = files.iter_mut().find(|text| text.file == *file) {
                text.parsed = Some(index);
            }
        }
        let chains = (0..texts.parsed().len()).map(|index| texts.chain(index).map_err(|_| ())).collect();
        let loaded = (0..texts.parsed().len()).map(|index| texts.load(index)).collect();
        Analysis { texts, files, chains, loaded }
    }

    pub fn file(&self, path: &Path) -> Option<&TextFile> {
        self.files.iter().find(|file| file.path == path)
    }

    pub fn file_by_id(&self, id: FileId) -> Option<&TextFile> {
        self.files.iter().find(|file| file.file == id)
    }

    pub fn parsed(&self, index: usize) -> Option<&(FileId, PolicyFile)> {
        self.texts.parsed().get(index)
    }

    /// The name a text gives itself in its header.
    pub fn text_name(&self, file: FileId) -> Option<&str> {
        let index = self.file_by_id(file)?.parsed?;
        self.parsed(index).map(|(_, text)| text.header.name.name.as_str())
    }

    /// The texts `file` reads names from, the base first: its chain, or,
    /// where the chain cannot be made (a text that does not parse), every
    /// text of the directory that parses.
    pub fn scope(&self, file: &TextFile) -> Vec<usize> {
        match file.parsed.and_then(|index| self.chains.get(index)) {
            Some(Ok(chain)) => chain.clone(),
            _ => (0..self.texts.parsed().len()).collect(),
        }
    }

    /// The texts whose chain includes the text at `index`: itself and the
    /// amendments built on it, which may read its names.
    pub fn family(&self, index: usize) -> Vec<usize> {
        self.chains
            .iter()
            .enumerate()
            .filter(|(_, chain)| chain.as_ref().is_ok_and(|chain| chain.contains(&index)))
            .map(|(amendment, _)| amendment)
            .collect()
    }

    /// The checked chain ending with `file`, when it checks.
    pub fn policy(&self, file: &TextFile) -> Option<&Loaded> {
        self.loaded.get(file.parsed?)?.as_ref().ok()
    }
}
