//! Calling one hook: the input crosses as a borrowed string, the answer comes back in a buffer
//! the plugin allocated, copied out and handed back to the plugin's `free_buffer`.

use awsuse_plugin::abi::{self, Buffer, Hook, Str};
use awsuse_plugin::wire;

use super::Plugin;

/// The longest error message a plugin may show; longer ones are cut.
const MESSAGE_LIMIT: usize = 400;

/// What a hook said.
pub enum Reply {
    /// Its answer, already decoded as fields (owned, because the buffer is freed).
    Found(Vec<(String, String)>),
    /// It has no answer for this input.
    NotFound,
}

impl Plugin {
    /// Calls `hook` with `input`. Errors are sentences for the user, naming the plugin.
    pub(super) fn call(
        &self,
        hook: Option<Hook>,
        hook_name: &str,
        input: &str,
    ) -> Result<Reply, String> {
        let Some(hook) = hook else {
            return Err(format!("plugin '{}' has no {hook_name} hook", self.name));
        };

        let mut out = Buffer::empty();
        // SAFETY: the input outlives the call and `out` is a valid slot, as the ABI asks.
        let status = unsafe { hook(Str { ptr: input.as_ptr(), len: input.len() }, &mut out) };
        let bytes = self.take(out);

        let fail = |what: String| Err(format!("plugin '{}' {hook_name}: {what}", self.name));
        match status {
            abi::STATUS_OK => match wire::decode(&bytes) {
                Ok(fields) => Ok(Reply::Found(
                    fields.into_iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect(),
                )),
                Err(error) => fail(format!("malformed answer: {error}")),
            },
            abi::STATUS_NOT_FOUND => Ok(Reply::NotFound),
            abi::STATUS_ERROR => fail(printable(&bytes)),
            other => fail(format!("returned the unknown status {other}")),
        }
    }

    /// Copies the buffer out and gives it back to the plugin.
    fn take(&self, out: Buffer) -> Vec<u8> {
        if out.ptr.is_null() {
            return Vec::new();
        }
        // SAFETY: the plugin filled `out` with a buffer of `len` bytes that it owns until freed.
        let bytes = unsafe { Str { ptr: out.ptr, len: out.len }.as_bytes() }.to_vec();
        if let Some(free) = self.descriptor.free_buffer {
            // SAFETY: handed back once, with the pointer and length the plugin gave.
            unsafe { free(out.ptr, out.len) };
        }
        bytes
    }
}

/// An error message fit for a terminal: valid UTF-8, no control characters, bounded.
fn printable(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut shown: String =
        text.chars().take(MESSAGE_LIMIT).collect::<String>().escape_debug().to_string();
    if text.chars().count() > MESSAGE_LIMIT {
        shown.push('…');
    }
    if shown.is_empty() { "failed without a message".to_owned() } else { shown }
}

#[cfg(test)]
mod tests {
    use super::printable;

    #[test]
    fn messages_are_made_safe_for_the_terminal() {
        assert_eq!(printable(b"bad\x1b[31m\n"), "bad\\u{1b}[31m\\n");
        assert_eq!(printable(b""), "failed without a message");
        assert!(printable(&[b'a'; 1000]).ends_with('…'));
    }
}
