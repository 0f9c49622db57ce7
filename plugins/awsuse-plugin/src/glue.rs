//! The `extern "C"` side of [`export_plugin!`](crate::export_plugin): hooks that decode their
//! input, call the plugin inside `catch_unwind`, and hand back an owned buffer.

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Once;

use crate::abi::{self, Buffer, Descriptor, Str};
use crate::{Error, Hooks, Plugin, wire};

/// The descriptor of `P`, built at compile time.
pub const fn descriptor<P: Plugin>() -> Descriptor {
    let hooks = P::HOOKS;
    Descriptor {
        size: size_of::<Descriptor>() as u32,
        version: abi::VERSION,
        name: Str::from_static(P::NAME),
        plugin_version: Str::from_static(P::VERSION),
        hooks: hooks.bits(),
        profiles: if hooks.contains(Hooks::PROFILES) { Some(profiles::<P>) } else { None },
        credentials: if hooks.contains(Hooks::CREDENTIALS) { Some(credentials::<P>) } else { None },
        mfa_code: if hooks.contains(Hooks::MFA_CODE) { Some(mfa_code::<P>) } else { None },
        after_switch: if hooks.contains(Hooks::AFTER_SWITCH) {
            Some(after_switch::<P>)
        } else {
            None
        },
        free_buffer: Some(free_buffer),
    }
}

thread_local! {
    /// Whether this thread is inside a hook, where a panic is reported as an error status.
    static IN_HOOK: Cell<bool> = const { Cell::new(false) };
}

/// Keeps panics inside hooks off standard error: the message goes to the host, which shows
/// it once, and a plugin's panic message must not bypass the host's rule of no secrets on
/// standard error. Panics elsewhere print as before.
fn quiet_panics_in_hooks() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !IN_HOOK.with(Cell::get) {
                previous(info);
            }
        }));
    });
}

/// What a hook body returns: fields to encode, or no answer.
type Answer = Result<Option<Vec<u8>>, Error>;

/// Runs `body` on the decoded input and writes its answer to `out`.
///
/// # Safety
/// `input` must describe live memory and `out` must be writable, as the ABI promises.
unsafe fn run(input: Str, out: *mut Buffer, body: impl FnOnce(&str) -> Answer) -> i32 {
    if out.is_null() {
        return abi::STATUS_ERROR;
    }
    // SAFETY: the host passes a string valid for this call.
    let bytes = unsafe { input.as_bytes() };
    quiet_panics_in_hooks();
    let result = match std::str::from_utf8(bytes) {
        Ok(text) => catch_unwind(AssertUnwindSafe(|| {
            IN_HOOK.with(|flag| flag.set(true));
            let answer = body(text);
            IN_HOOK.with(|flag| flag.set(false));
            answer
        }))
        .unwrap_or_else(|panic| {
            IN_HOOK.with(|flag| flag.set(false));
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "no message".to_owned());
            Err(Error::new(format!("the plugin panicked: {message}")))
        }),
        Err(_) => Err(Error::new("the host passed an input that is not UTF-8")),
    };

    let (status, bytes) = match result {
        Ok(Some(bytes)) => (abi::STATUS_OK, bytes),
        Ok(None) => (abi::STATUS_NOT_FOUND, Vec::new()),
        Err(error) => (abi::STATUS_ERROR, error.message().as_bytes().to_vec()),
    };
    // SAFETY: checked non-null above; the host owns the slot.
    unsafe { *out = into_buffer(bytes) };
    status
}

fn into_buffer(bytes: Vec<u8>) -> Buffer {
    if bytes.is_empty() {
        return Buffer::empty();
    }
    let boxed = bytes.into_boxed_slice();
    let len = boxed.len();
    Buffer { ptr: Box::into_raw(boxed).cast::<u8>(), len }
}

/// Frees a buffer made by [`into_buffer`].
///
/// # Safety
/// `ptr` and `len` must come from one buffer this crate returned, freed once.
pub unsafe extern "C" fn free_buffer(ptr: *mut u8, len: usize) {
    if ptr.is_null() {
        return;
    }
    // SAFETY: the pointer and length are those of a boxed slice this crate leaked.
    drop(unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(ptr, len)) });
}

unsafe extern "C" fn profiles<P: Plugin>(input: Str, out: *mut Buffer) -> i32 {
    // SAFETY: forwarded from the host's call.
    unsafe {
        run(input, out, |_| {
            let profiles = P::profiles()?;
            Ok(Some(wire::encode(crate::profiles_to_fields(&profiles))))
        })
    }
}

unsafe extern "C" fn credentials<P: Plugin>(input: Str, out: *mut Buffer) -> i32 {
    // SAFETY: forwarded from the host's call.
    unsafe {
        run(input, out, |profile| {
            let Some(credentials) = P::credentials(profile)? else { return Ok(None) };
            let fields = crate::credentials_to_fields(&credentials);
            Ok(Some(wire::encode(fields.iter().map(|(k, v)| (*k, v.as_str())))))
        })
    }
}

unsafe extern "C" fn mfa_code<P: Plugin>(input: Str, out: *mut Buffer) -> i32 {
    // SAFETY: forwarded from the host's call.
    unsafe {
        run(input, out, |serial| {
            let Some(code) = P::mfa_code(serial)? else { return Ok(None) };
            Ok(Some(wire::encode([("code", code.as_str())])))
        })
    }
}

unsafe extern "C" fn after_switch<P: Plugin>(input: Str, out: *mut Buffer) -> i32 {
    // SAFETY: forwarded from the host's call.
    unsafe {
        run(input, out, |profile| {
            let changes = P::after_switch(profile)?;
            let fields = crate::changes_to_fields(&changes);
            Ok(Some(wire::encode(fields.iter().map(|(k, v)| (*k, v.as_str())))))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Profile;

    struct Panicky;

    impl Plugin for Panicky {
        const NAME: &'static str = "panicky";
        const VERSION: &'static str = "0";
        const HOOKS: Hooks = Hooks::PROFILES.with(Hooks::MFA_CODE);

        fn profiles() -> Result<Vec<Profile>, Error> {
            panic!("boom")
        }

        fn mfa_code(serial: &str) -> Result<Option<String>, Error> {
            Ok((serial == "arn:mfa").then(|| "123456".to_owned()))
        }
    }

    fn call(hook: abi::Hook, input: &str) -> (i32, Vec<u8>) {
        let mut out = Buffer::empty();
        // SAFETY: the input lives across the call and the buffer is freed once.
        unsafe {
            let status = hook(Str { ptr: input.as_ptr(), len: input.len() }, &mut out);
            let bytes = Str { ptr: out.ptr, len: out.len }.as_bytes().to_vec();
            free_buffer(out.ptr, out.len);
            (status, bytes)
        }
    }

    #[test]
    fn descriptor_declares_only_the_chosen_hooks() {
        let d = descriptor::<Panicky>();
        assert_eq!(d.version, 1);
        assert_eq!(d.size as usize, size_of::<Descriptor>());
        assert!(d.profiles.is_some() && d.mfa_code.is_some());
        assert!(d.credentials.is_none() && d.after_switch.is_none());
    }

    #[test]
    fn a_panic_becomes_an_error_status() {
        let (status, message) = call(descriptor::<Panicky>().profiles.unwrap(), "");
        assert_eq!(status, abi::STATUS_ERROR);
        assert_eq!(String::from_utf8(message).unwrap(), "the plugin panicked: boom");
    }

    #[test]
    fn answers_and_misses() {
        let hook = descriptor::<Panicky>().mfa_code.unwrap();
        assert_eq!(call(hook, "arn:mfa"), (abi::STATUS_OK, b"code=123456\0".to_vec()));
        assert_eq!(call(hook, "other"), (abi::STATUS_NOT_FOUND, Vec::new()));
    }
}
