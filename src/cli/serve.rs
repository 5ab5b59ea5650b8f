//! `avenant serve`: the policies of a directory over HTTP (see `avenant::serve`).

use std::io::Write as _;
use std::path::PathBuf;

use super::{Exit, Reporter};

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// The directory of policy texts, read and checked once at start.
    #[arg(value_name = "POLICY_DIR")]
    policies: PathBuf,

    /// The address to listen on; port 0 picks a free one (the address is printed).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    addr: std::net::SocketAddr,

    /// Requests served at once; one more is answered 503 at once.
    #[arg(long, value_name = "N", default_value_t = avenant::serve::Limits::default().concurrent)]
    concurrent: usize,

    /// Seconds one request may take.
    #[arg(long, value_name = "SECONDS", default_value_t = avenant::serve::Limits::default().time.as_secs())]
    timeout: u64,

    /// Seconds a client has to send a request's headers; past them, its connection is closed.
    #[arg(long, value_name = "SECONDS", default_value_t = avenant::serve::Limits::default().headers.as_secs())]
    header_timeout: u64,
}

pub fn run(args: &ServeArgs, reporter: &Reporter) -> std::io::Result<Exit> {
    if !args.policies.is_dir() {
        reporter.message(&format!("`{}` is not a directory of policy texts", args.policies.display()));
        return Ok(Exit::Trouble);
    }
    let site = match super::report_loaded(avenant::serve::Site::load(&args.policies), reporter) {
        Ok(site) => site,
        Err(exit) => return Ok(exit),
    };
    let listener = match std::net::TcpListener::bind(args.addr) {
        Ok(listener) => listener,
        Err(error) => {
            reporter.message(&format!("cannot listen on {}: {error}", args.addr));
            return Ok(Exit::Trouble);
        }
    };
    let address = listener.local_addr()?;
    let limits = avenant::serve::Limits {
        concurrent: args.concurrent.max(1),
        time: std::time::Duration::from_secs(args.timeout.max(1)),
        headers: std::time::Duration::from_secs(args.header_timeout.max(1)),
        ..avenant::serve::Limits::default()
    };
    {
        let mut stdout = std::io::stdout().lock();
        writeln!(
            stdout,
            "avenant serves {} on http://{address}/ (the API: http://{address}/api/openapi.json)",
            args.policies.display()
        )?;
        stdout.flush()?;
    }
    match avenant::serve::serve(site, limits, listener) {
        Ok(()) => Ok(Exit::Success),
        Err(error) => {
            reporter.message(&error.to_string());
            Ok(Exit::Trouble)
        }
    }
}
