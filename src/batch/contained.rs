//! A damaged file read as an error, not a crash. The Parquet decoder
//! (arrow-rs) trusts some lengths a file gives, and panics where they lie
//! (`offset + len out of bounds`, found by flipping bytes of a population
//! file). A population is the user's input: its damage must be an error
//! that says where, never an abort. Each call into the decoder runs under
//! [`contained`], which gives its panic back as that error, in the
//! decoder's own words, and keeps the panic off standard error.

use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

thread_local! {
    /// Whether this thread is in a call whose panic is given back as an error.
    static CONTAINED: Cell<bool> = const { Cell::new(false) };
}

/// What `decode` gives, or `Err` with the message of its panic.
///
/// The first call installs a panic hook that is silent for a contained
/// panic and hands every other to the hook that was there before, so a
/// panic anywhere else is reported as it always was.
pub(crate) fn contained<T>(decode: impl FnOnce() -> T) -> Result<T, String> {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !CONTAINED.get() {
                previous(info);
            }
        }));
    });
    let outer = CONTAINED.replace(true);
    let decoded = panic::catch_unwind(AssertUnwindSafe(decode));
    CONTAINED.set(outer);
    decoded.map_err(|payload| {
        let message = payload.downcast_ref::<&str>().map(|message| (*message).to_owned());
        message.or_else(|| payload.downcast_ref::<String>().cloned()).unwrap_or_else(|| "no message".to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::contained;

    #[test]
    fn a_panic_is_given_back_as_its_message() {
        let decoded: Result<u8, String> = contained(|| std::panic::panic_any("out of bounds"));
        assert_eq!(decoded, Err("out of bounds".to_owned()));
        assert_eq!(contained(|| 2 + 2), Ok(4));
    }

    #[test]
    fn a_panic_of_a_formatted_message_keeps_its_words() {
        let decoded: Result<(), String> = contained(|| std::panic::panic_any(format!("offset {} out of bounds", 12)));
        assert_eq!(decoded, Err("offset 12 out of bounds".to_owned()));
    }
}
