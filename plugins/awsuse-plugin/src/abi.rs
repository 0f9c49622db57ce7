//! The C interface, version 1, exactly as `plugins/ABI.md` describes it.
//!
//! Everything here is `#[repr(C)]` and matches the C declarations in that document field for
//! field, so a plugin written in C and one written with this crate look the same to the host.

/// The interface version this crate implements. The entry symbol carries it in its name.
pub const VERSION: u32 = 1;

/// The name of the symbol a plugin exports, NUL-terminated for `dlsym`.
pub const ENTRY_SYMBOL: &[u8] = b"awsuse_plugin_v1\0";

/// The call succeeded; the output buffer holds the answer.
pub const STATUS_OK: i32 = 0;
/// The plugin has no answer for this input (not one of its profiles, no code for that serial).
pub const STATUS_NOT_FOUND: i32 = 1;
/// The call failed; the output buffer holds a UTF-8 message for the user.
pub const STATUS_ERROR: i32 = 2;

/// The plugin contributes profiles.
pub const HOOK_PROFILES: u32 = 1;
/// The plugin gives keys for its profiles.
pub const HOOK_CREDENTIALS: u32 = 1 << 1;
/// The plugin gives MFA codes.
pub const HOOK_MFA_CODE: u32 = 1 << 2;
/// The plugin adds environment variables after a switch.
pub const HOOK_AFTER_SWITCH: u32 = 1 << 3;
/// Every hook version 1 knows.
pub const HOOKS_KNOWN: u32 = HOOK_PROFILES | HOOK_CREDENTIALS | HOOK_MFA_CODE | HOOK_AFTER_SWITCH;

/// A borrowed UTF-8 string: a pointer and a length in bytes, not NUL-terminated. It stays
/// valid for the duration of the call it is passed to (or, in the descriptor, for as long as
/// the library is loaded).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct Str {
    /// The first byte; may be null when `len` is 0.
    pub ptr: *const u8,
    /// The length in bytes.
    pub len: usize,
}

impl Str {
    /// A string that lives as long as the program.
    pub const fn from_static(text: &'static str) -> Self {
        Self { ptr: text.as_ptr(), len: text.len() }
    }

    /// The bytes.
    ///
    /// # Safety
    /// `ptr` must point at `len` readable bytes that outlive the returned slice.
    pub unsafe fn as_bytes<'a>(&self) -> &'a [u8] {
        if self.ptr.is_null() || self.len == 0 {
            return &[];
        }
        // SAFETY: the caller promises `ptr` and `len` describe live memory.
        unsafe { std::slice::from_raw_parts(self.ptr, self.len) }
    }
}

/// A buffer the plugin allocates and fills, and the host hands back to the plugin's
/// `free_buffer` when it is done reading.
#[repr(C)]
#[derive(Debug)]
pub struct Buffer {
    /// The first byte, or null when the plugin wrote nothing.
    pub ptr: *mut u8,
    /// The length in bytes.
    pub len: usize,
}

impl Buffer {
    /// An empty buffer, as the host passes it in.
    pub const fn empty() -> Self {
        Self { ptr: std::ptr::null_mut(), len: 0 }
    }
}

/// A hook: reads `input`, writes its answer (or an error message) to `*out`, returns a status.
pub type Hook = unsafe extern "C" fn(input: Str, out: *mut Buffer) -> i32;

/// Frees a buffer the plugin filled, given back with the same pointer and length.
pub type FreeBuffer = unsafe extern "C" fn(ptr: *mut u8, len: usize);

/// What the entry symbol returns: who the plugin is and which hooks it has.
///
/// The host reads `size` and `version` before anything else, and reads no further when
/// `version` is not 1 or `size` is smaller than this structure.
#[repr(C)]
#[derive(Debug)]
pub struct Descriptor {
    /// `size_of::<Descriptor>()` as the plugin was built.
    pub size: u32,
    /// The interface version, 1.
    pub version: u32,
    /// The plugin's name: ASCII letters, digits, `-` and `_`. Profiles show as `plugin:NAME`.
    pub name: Str,
    /// The plugin's own version, free text, shown by `awsuse plugins`.
    pub plugin_version: Str,
    /// The hooks the plugin has, as `HOOK_*` bits.
    pub hooks: u32,
    /// Lists the plugin's profiles; input is empty.
    pub profiles: Option<Hook>,
    /// Gives keys for one profile; input is the profile name.
    pub credentials: Option<Hook>,
    /// Gives an MFA code; input is the `mfa_serial`.
    pub mfa_code: Option<Hook>,
    /// Gives variables to set or unset after a switch; input is the profile switched to.
    pub after_switch: Option<Hook>,
    /// Frees what any hook returned in its output buffer.
    pub free_buffer: Option<FreeBuffer>,
}

// SAFETY: a descriptor is immutable once built, and its pointers lead to static data and
// functions, which any thread may read.
unsafe impl Sync for Descriptor {}

/// The signature of the entry symbol.
pub type Entry = unsafe extern "C" fn() -> *const Descriptor;
