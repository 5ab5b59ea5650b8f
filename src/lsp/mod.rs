//! `avenant lsp`: a language server for policy files, on rust-analyzer's
//! `lsp-server` (synchronous, one thread, no async runtime).
//!
//! The server works on the texts of a policy directory as one chain (a base
//! and its amendments), from what the editor holds in memory; every change
//! re-checks the whole directory and publishes what changed. The library
//! never prints: the caller gives the connection (standard input and output
//! for the binary, a pair of channels for tests and benchmarks).

mod complete;
mod diagnostics;
mod examples;
mod hover;
pub mod lex;
mod navigate;
mod outline;
mod position;
mod symbols;
mod world;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response, ResponseError};
use lsp_types::notification::Notification as _;
use lsp_types::request::Request as _;
use lsp_types::{notification, request};
use serde_json::Value as Json;

pub use examples::EVALUATE;
pub use world::{Analysis, World, apply_change};

/// Why the server stopped other than by the editor's `shutdown` and `exit`.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("the editor broke the protocol: {0}")]
    Protocol(#[from] lsp_server::ProtocolError),
    #[error("the connection to the editor is closed")]
    Closed,
    #[error("cannot describe the server: {0}")]
    Json(#[from] serde_json::Error),
}

/// What the server can do, as it tells the editor.
pub fn capabilities() -> lsp_types::ServerCapabilities {
    use lsp_types::*;
    ServerCapabilities {
        position_encoding: Some(PositionEncodingKind::UTF16),
        text_document_sync: Some(TextDocumentSyncCapability::Options(TextDocumentSyncOptions {
            open_close: Some(true),
            change: Some(TextDocumentSyncKind::INCREMENTAL),
            save: Some(TextDocumentSyncSaveOptions::Supported(true)),
            ..TextDocumentSyncOptions::default()
        })),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: WorkDoneProgressOptions::default(),
        })),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![".".to_owned()]),
            ..CompletionOptions::default()
        }),
        document_symbol_provider: Some(OneOf::Left(true)),
        folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        semantic_tokens_provider: Some(SemanticTokensServerCapabilities::SemanticTokensOptions(
            SemanticTokensOptions {
                legend: outline::legend(),
                full: Some(SemanticTokensFullOptions::Bool(true)),
                range: None,
                work_done_progress_options: WorkDoneProgressOptions::default(),
            },
        )),
        code_lens_provider: Some(CodeLensOptions { resolve_provider: Some(false) }),
        execute_command_provider: Some(ExecuteCommandOptions {
            commands: vec![EVALUATE.to_owned()],
            work_done_progress_options: WorkDoneProgressOptions::default(),
        }),
        ..ServerCapabilities::default()
    }
}

/// Serves one editor over `connection` until it asks the server to exit.
pub fn serve(connection: &Connection) -> Result<(), ServeError> {
    let capabilities = serde_json::to_value(capabilities())?;
    let (id, _) = connection.initialize_start()?;
    connection.initialize_finish(
        id,
        serde_json::json!({
            "capabilities": capabilities,
            "serverInfo": { "name": "avenant", "version": env!("CARGO_PKG_VERSION") },
        }),
    )?;
    let mut server = Server::default();
    for message in &connection.receiver {
        match message {
            Message::Request(request) => {
                if connection.handle_shutdown(&request)? {
                    return Ok(());
                }
                let response = server.answer(request);
                connection.sender.send(Message::Response(response)).map_err(|_| ServeError::Closed)?;
            }
            Message::Notification(notification) => {
                for published in server.notice(notification) {
                    connection.sender.send(Message::Notification(published)).map_err(|_| ServeError::Closed)?;
                }
            }
            Message::Response(_) => {}
        }
    }
    Ok(())
}

/// The server's state between messages.
#[derive(Default)]
pub struct Server {
    pub world: World,
    /// What each file's diagnostics were when last published.
    published: HashMap<PathBuf, Vec<lsp_types::Diagnostic>>,
}

fn path_of(uri: &lsp_types::Url) -> Option<PathBuf> {
    uri.to_file_path().ok()
}

fn failed(code: ErrorCode, message: impl Into<String>) -> ResponseError {
    ResponseError { code: code as i32, message: message.into(), data: None }
}

impl Server {
    /// A notification from the editor; the diagnostics to publish after it.
    pub fn notice(&mut self, notification: Notification) -> Vec<Notification> {
        let path = match notification.method.as_str() {
            notification::DidOpenTextDocument::METHOD => {
                serde_json::from_value::<lsp_types::DidOpenTextDocumentParams>(notification.params).ok().and_then(
                    |params| {
                        let path = path_of(&params.text_document.uri)?;
                        self.world.open(path.clone(), params.text_document.text);
                        Some(path)
                    },
                )
            }
            notification::DidChangeTextDocument::METHOD => {
                serde_json::from_value::<lsp_types::DidChangeTextDocumentParams>(notification.params).ok().and_then(
                    |params| {
                        let path = path_of(&params.text_document.uri)?;
                        self.world.change(&path, params.content_changes);
                        Some(path)
                    },
                )
            }
            notification::DidCloseTextDocument::METHOD => {
                serde_json::from_value::<lsp_types::DidCloseTextDocumentParams>(notification.params).ok().and_then(
                    |params| {
                        let path = path_of(&params.text_document.uri)?;
                        self.world.close(&path);
                        Some(path)
                    },
                )
            }
            _ => None,
        };
        match path {
            Some(path) => self.publish(&path),
            None => Vec::new(),
        }
    }

    /// The diagnostics of every text of `path`'s directory that changed since last published.
    fn publish(&mut self, path: &Path) -> Vec<Notification> {
        let analysis = self.world.analysis(path);
        let mut notifications = Vec::new();
        for (file, diagnostics) in diagnostics::by_file(analysis) {
            if self.published.get(&file) == Some(&diagnostics) {
                continue;
            }
            let Ok(uri) = lsp_types::Url::from_file_path(&file) else { continue };
            let params = lsp_types::PublishDiagnosticsParams { uri, diagnostics: diagnostics.clone(), version: None };
            notifications.push(Notification::new(notification::PublishDiagnostics::METHOD.to_owned(), params));
            self.published.insert(file, diagnostics);
        }
        notifications
    }

    /// A request from the editor and its answer.
    pub fn answer(&mut self, request: Request) -> Response {
        let id = request.id.clone();
        match self.handle(request) {
            Ok(result) => Response { id, result: Some(result), error: None },
            Err(error) => Response { id, result: None, error: Some(error) },
        }
    }

    fn handle(&mut self, request: Request) -> Result<Json, ResponseError> {
        fn params<P: serde::de::DeserializeOwned>(request: Request) -> Result<P, ResponseError> {
            serde_json::from_value(request.params).map_err(|error| failed(ErrorCode::InvalidParams, error.to_string()))
        }
        let json = |value: Result<Json, serde_json::Error>| {
            value.map_err(|error| failed(ErrorCode::InternalError, error.to_string()))
        };
        match request.method.as_str() {
            request::HoverRequest::METHOD => {
                let params: lsp_types::HoverParams = params(request)?;
                let at = params.text_document_position_params;
                let (analysis, file) = self.file(&at.text_document.uri)?;
                json(serde_json::to_value(hover::hover(analysis, file, at.position)))
            }
            request::GotoDefinition::METHOD => {
                let params: lsp_types::GotoDefinitionParams = params(request)?;
                let at = params.text_document_position_params;
                let (analysis, file) = self.file(&at.text_document.uri)?;
                json(serde_json::to_value(navigate::definition(analysis, file, at.position)))
            }
            request::References::METHOD => {
                let params: lsp_types::ReferenceParams = params(request)?;
                let at = params.text_document_position;
                let (analysis, file) = self.file(&at.text_document.uri)?;
                let found = navigate::references(analysis, file, at.position, params.context.include_declaration);
                json(serde_json::to_value(found))
            }
            request::PrepareRenameRequest::METHOD => {
                let params: lsp_types::TextDocumentPositionParams = params(request)?;
                let (analysis, file) = self.file(&params.text_document.uri)?;
                let resolved = navigate::resolve(analysis, file, params.position)
                    .filter(|resolved| !resolved.declarations.is_empty())
                    .ok_or_else(|| failed(ErrorCode::RequestFailed, "there is no declared name here to rename"))?;
                let range = file.range(resolved.token.start, resolved.token.end);
                json(serde_json::to_value(lsp_types::PrepareRenameResponse::Range(range)))
            }
            request::Rename::METHOD => {
                let params: lsp_types::RenameParams = params(request)?;
                let at = params.text_document_position;
                let path = path_of(&at.text_document.uri)
                    .ok_or_else(|| failed(ErrorCode::InvalidParams, "not a file's address"))?;
                self.world.analysis(&path);
                let world = &self.world;
                let analysis = world.current(&path).ok_or_else(|| failed(ErrorCode::InvalidParams, "unknown file"))?;
                let file = analysis.file(&path).ok_or_else(|| failed(ErrorCode::InvalidParams, "unknown file"))?;
                let edit = navigate::rename(world, analysis, file, at.position, &params.new_name)
                    .map_err(|why| failed(ErrorCode::RequestFailed, why))?;
                json(serde_json::to_value(edit))
            }
            request::Completion::METHOD => {
                let params: lsp_types::CompletionParams = params(request)?;
                let at = params.text_document_position;
                let (analysis, file) = self.file(&at.text_document.uri)?;
                json(serde_json::to_value(complete::complete(analysis, file, at.position)))
            }
            request::DocumentSymbolRequest::METHOD => {
                let params: lsp_types::DocumentSymbolParams = params(request)?;
                let (analysis, file) = self.file(&params.text_document.uri)?;
                let symbols = lsp_types::DocumentSymbolResponse::Nested(outline::document_symbols(analysis, file));
                json(serde_json::to_value(symbols))
            }
            request::FoldingRangeRequest::METHOD => {
                let params: lsp_types::FoldingRangeParams = params(request)?;
                let (analysis, file) = self.file(&params.text_document.uri)?;
                json(serde_json::to_value(outline::folding_ranges(analysis, file)))
            }
            request::SemanticTokensFullRequest::METHOD => {
                let params: lsp_types::SemanticTokensParams = params(request)?;
                let (analysis, file) = self.file(&params.text_document.uri)?;
                let data = outline::semantic_tokens(analysis, file);
                json(serde_json::to_value(lsp_types::SemanticTokens { result_id: None, data }))
            }
            request::CodeLensRequest::METHOD => {
                let params: lsp_types::CodeLensParams = params(request)?;
                let (analysis, file) = self.file(&params.text_document.uri)?;
                json(serde_json::to_value(examples::code_lenses(analysis, file)))
            }
            request::Formatting::METHOD => {
                let params: lsp_types::DocumentFormattingParams = params(request)?;
                let (_, file) = self.file(&params.text_document.uri)?;
                let formatted = crate::format::format(&file.path, &file.text)
                    .map_err(|error| failed(ErrorCode::RequestFailed, error.to_string()))?;
                let edits = if formatted == *file.text {
                    Vec::new()
                } else {
                    vec![lsp_types::TextEdit { range: file.range(0, file.text.len()), new_text: formatted }]
                };
                json(serde_json::to_value(edits))
            }
            request::ExecuteCommand::METHOD => {
                let params: lsp_types::ExecuteCommandParams = params(request)?;
                if params.command != EVALUATE {
                    return Err(failed(ErrorCode::InvalidParams, format!("no command `{}`", params.command)));
                }
                let text = |at: usize| params.arguments.get(at).and_then(Json::as_str);
                let usage = || {
                    failed(ErrorCode::InvalidParams, "give the policy's address, a profile file and optionally a date")
                };
                let uri = text(0).and_then(|uri| lsp_types::Url::parse(uri).ok()).ok_or_else(usage)?;
                let profile = text(1).ok_or_else(usage)?;
                let profile = lsp_types::Url::parse(profile)
                    .ok()
                    .and_then(|uri| uri.to_file_path().ok())
                    .unwrap_or_else(|| PathBuf::from(profile));
                let on = match text(2) {
                    Some(date) => Some(date.parse::<jiff::civil::Date>().map_err(|error| {
                        failed(ErrorCode::InvalidParams, format!("`{date}` is not a date YYYY-MM-DD: {error}"))
                    })?),
                    None => None,
                };
                let (analysis, file) = self.file(&uri)?;
                examples::evaluate(analysis, file, &profile, on).map_err(|why| failed(ErrorCode::RequestFailed, why))
            }
            other => Err(failed(ErrorCode::MethodNotFound, format!("avenant does not answer `{other}`"))),
        }
    }

    /// The analysis a document belongs to, and the document in it.
    fn file(&mut self, uri: &lsp_types::Url) -> Result<(&Analysis, &world::TextFile), ResponseError> {
        let path = path_of(uri).ok_or_else(|| failed(ErrorCode::InvalidParams, "not a file's address"))?;
        let analysis = self.world.analysis(&path);
        let file = analysis
            .file(&path)
            .ok_or_else(|| failed(ErrorCode::InvalidParams, format!("`{}` is not a policy file", path.display())))?;
        Ok((analysis, file))
    }
}
