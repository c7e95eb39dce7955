//! SQLite's own memory through mimalloc, the allocator the rest of the process uses.
//!
//! The bundled SQLite calls the C library's `malloc`, and glibc's arenas were a sixth of a
//! logged-in page's cost under load (lock contention between the connections' threads, see
//! docs/BENCHMARKS.md). `sqlite3_config(SQLITE_CONFIG_MALLOC)` only works before SQLite
//! initialises, so [`install`] runs once, before the process opens its first database.

use libmimalloc_sys as mi;
use libsqlite3_sys as ffi;
use std::ffi::{c_int, c_void};
use std::sync::OnceLock;

unsafe extern "C" fn x_malloc(n: c_int) -> *mut c_void {
    // SQLite never asks for less than one byte; a negative size would be its bug, not ours.
    unsafe { mi::mi_malloc(n.max(1) as usize) }
}

unsafe extern "C" fn x_free(p: *mut c_void) {
    unsafe { mi::mi_free(p) }
}

unsafe extern "C" fn x_realloc(p: *mut c_void, n: c_int) -> *mut c_void {
    unsafe { mi::mi_realloc(p, n.max(1) as usize) }
}

unsafe extern "C" fn x_size(p: *mut c_void) -> c_int {
    if p.is_null() {
        return 0;
    }
    // SQLite's allocations stay far below 2 GiB (SQLITE_MAX_ALLOCATION_SIZE).
    c_int::try_from(unsafe { mi::mi_usable_size(p) }).unwrap_or(c_int::MAX)
}

unsafe extern "C" fn x_roundup(n: c_int) -> c_int {
    c_int::try_from(unsafe { mi::mi_good_size(n.max(0) as usize) }).unwrap_or(n)
}

unsafe extern "C" fn x_init(_: *mut c_void) -> c_int {
    ffi::SQLITE_OK
}

unsafe extern "C" fn x_shutdown(_: *mut c_void) {}

static INSTALLED: OnceLock<bool> = OnceLock::new();

/// Points SQLite's allocator at mimalloc, once per process. `false` when SQLite was already
/// initialised by someone else (then it keeps the C library's allocator; nothing breaks).
pub fn install() -> bool {
    *INSTALLED.get_or_init(|| {
        // SAFETY: SQLITE_CONFIG_MALLOC copies the struct, the functions live as long as the
        // process, and SQLite refuses (SQLITE_MISUSE) once it is initialised.
        let methods = ffi::sqlite3_mem_methods {
            xMalloc: Some(x_malloc),
            xFree: Some(x_free),
            xRealloc: Some(x_realloc),
            xSize: Some(x_size),
            xRoundup: Some(x_roundup),
            xInit: Some(x_init),
            xShutdown: Some(x_shutdown),
            pAppData: std::ptr::null_mut(),
        };
        let rc = unsafe { ffi::sqlite3_config(ffi::SQLITE_CONFIG_MALLOC, &methods as *const ffi::sqlite3_mem_methods) };
        if rc != ffi::SQLITE_OK {
            tracing::debug!(rc, "SQLite was initialised before its allocator could be set");
        }
        rc == ffi::SQLITE_OK
    })
}
