//! The registry of live handles.
//!
//! A handle given to C is not the address of a Rust object but a token that the registry maps to
//! the object, with the type it was issued as. So a NULL, freed, never-issued or wrong-type handle
//! is a failed lookup (`ANAPLAN_STATUS_INVALID_HANDLE`), never a dereference: an Excel macro that
//! frees twice must not take Excel down. Tokens are never reused, so a stale handle cannot come
//! back to life as a newer object. The cost is one map lookup per call, nothing next to a network
//! round trip.
//!
//! Objects are kept as `Arc`s: a call holds its own reference while it runs, so a `_free` from
//! another thread in the middle of a call only drops the object once that call returns.

use std::any::{Any, TypeId};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use super::error::FfiError;
use crate::ffi::status::*;

/// A C handle type: an opaque `anaplan_<object>` struct that is only ever used behind a pointer.
///
/// ```text
/// pub struct anaplan_thing { _private: [u8; 0] }
/// impl HandleType for anaplan_thing {
///     type Object = Mutex<Thing>; // or Thing when it is Sync itself (a thread-safe client)
///     const NAME: &'static str = "anaplan_thing";
/// }
/// ```
pub trait HandleType: 'static {
    /// What the registry keeps for a handle of this type.
    type Object: Send + Sync + 'static;
    /// The C type name, for error messages.
    const NAME: &'static str;
}

struct Entry {
    type_id: TypeId,
    type_name: &'static str,
    object: Arc<dyn Any + Send + Sync>,
}

struct Registry {
    issued: usize,
    live: BTreeMap<usize, Entry>,
}

static REGISTRY: Mutex<Registry> = Mutex::new(Registry {
    issued: 0,
    live: BTreeMap::new(),
});

/// Tokens start far from 0 and step like aligned pointers, so they look like what they stand for
/// in a debugger and small integers passed by mistake are never live handles.
const FIRST_TOKEN: usize = 0x1000_0000;
const TOKEN_STEP: usize = 16;

/// Locks a mutex whether or not a panic poisoned it: the boundary turned that panic into a
/// status already, and every value behind our locks stays memory-safe.
pub fn lock<T: ?Sized>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Registers `object` and returns the new handle for C.
pub fn issue<H: HandleType>(object: H::Object) -> Result<*mut H, FfiError> {
    let mut registry = lock(&REGISTRY);
    let token = registry
        .issued
        .checked_mul(TOKEN_STEP)
        .and_then(|offset| offset.checked_add(FIRST_TOKEN))
        .ok_or_else(|| FfiError::new(ANAPLAN_STATUS_INTERNAL, "no handles left to issue"))?;
    registry.issued += 1;
    registry.live.insert(
        token,
        Entry {
            type_id: TypeId::of::<H>(),
            type_name: H::NAME,
            object: Arc::new(object),
        },
    );
    // The token is never dereferenced, by us or by C (the type is opaque): only compared.
    Ok(token as *mut H)
}

/// The object behind a live handle of type `H`.
pub fn get<H: HandleType>(handle: *const H) -> Result<Arc<H::Object>, FfiError> {
    let registry = lock(&REGISTRY);
    let entry = find::<H>(&registry, handle)?;
    Arc::clone(&entry.object)
        .downcast::<H::Object>()
        .map_err(|_| invalid::<H>(handle, "holds an object of another type"))
}

/// A copy of what an options handle holds, taken when a call starts (so the options may be
/// changed or freed meanwhile), or the defaults for NULL.
pub fn copy_or_default<T, H>(handle: *const H) -> Result<T, FfiError>
where
    T: Clone + Default + Send + 'static,
    H: HandleType<Object = Mutex<T>>,
{
    if handle.is_null() {
        return Ok(T::default());
    }
    let held = get(handle)?;
    let copy = lock(&held).clone();
    Ok(copy)
}

/// Unregisters a handle and drops its object (once calls still running on it return).
/// NULL is accepted and does nothing; a freed, never-issued or wrong-type handle is an error and
/// changes nothing, so a double free is harmless.
pub fn free<H: HandleType>(handle: *mut H) -> Result<(), FfiError> {
    if handle.is_null() {
        return Ok(());
    }
    let entry = {
        let mut registry = lock(&REGISTRY);
        find::<H>(&registry, handle)?;
        registry.live.remove(&(handle as usize))
    };
    // Dropped outside the lock: dropping a client signs out over the network, and must neither
    // hold up other threads nor deadlock if it touches the registry.
    drop(entry);
    Ok(())
}

/// How many handles are live (issued and not freed).
pub fn live_count() -> usize {
    lock(&REGISTRY).live.len()
}

fn find<H: HandleType>(registry: &Registry, handle: *const H) -> Result<&Entry, FfiError> {
    if handle.is_null() {
        return Err(FfiError::new(
            ANAPLAN_STATUS_INVALID_HANDLE,
            format!("the {} handle is NULL", H::NAME),
        ));
    }
    let entry = registry
        .live
        .get(&(handle as usize))
        .ok_or_else(|| invalid::<H>(handle, "was freed, or was never issued by this library"))?;
    if entry.type_id != TypeId::of::<H>() {
        let other = format!("is an {} handle", entry.type_name);
        return Err(invalid::<H>(handle, &other));
    }
    Ok(entry)
}

fn invalid<H: HandleType>(handle: *const H, why: &str) -> FfiError {
    FfiError::new(
        ANAPLAN_STATUS_INVALID_HANDLE,
        format!("{handle:p} is not a live {} handle: it {why}", H::NAME),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    struct anaplan_test_a;
    impl HandleType for anaplan_test_a {
        type Object = Mutex<Vec<u32>>;
        const NAME: &'static str = "anaplan_test_a";
    }

    struct anaplan_test_b;
    impl HandleType for anaplan_test_b {
        type Object = String;
        const NAME: &'static str = "anaplan_test_b";
    }

    fn status<T>(r: Result<T, FfiError>) -> anaplan_status {
        r.err().map_or(ANAPLAN_STATUS_OK, |e| e.status)
    }

    #[test]
    fn issued_handles_give_back_their_object() {
        let a = issue::<anaplan_test_a>(Mutex::new(vec![1])).unwrap();
        lock(&get(a).unwrap()).push(2);
        assert_eq!(*lock(&get(a).unwrap()), vec![1, 2]);
        free(a).unwrap();
    }

    #[test]
    fn null_freed_foreign_and_wrong_type_handles_are_invalid() {
        let a = issue::<anaplan_test_a>(Mutex::new(vec![])).unwrap();
        let b = issue::<anaplan_test_b>("b".into()).unwrap();

        assert_eq!(
            status(get::<anaplan_test_a>(std::ptr::null())),
            ANAPLAN_STATUS_INVALID_HANDLE
        );
        let local = 5u64;
        let foreign = &local as *const u64 as *const anaplan_test_a;
        let e = get(foreign).err().unwrap();
        assert_eq!(e.status, ANAPLAN_STATUS_INVALID_HANDLE);
        assert!(e.message.contains("never issued"), "{}", e.message);

        let wrong = b as *mut anaplan_test_a;
        let e = get(wrong).err().unwrap();
        assert_eq!(e.status, ANAPLAN_STATUS_INVALID_HANDLE);
        assert!(
            e.message.contains("is an anaplan_test_b handle"),
            "{}",
            e.message
        );
        // Freeing through the wrong type changes nothing.
        assert_eq!(status(free(wrong)), ANAPLAN_STATUS_INVALID_HANDLE);
        assert_eq!(*get(b).unwrap(), "b");

        free(a).unwrap();
        assert_eq!(status(get(a)), ANAPLAN_STATUS_INVALID_HANDLE);
        assert_eq!(
            status(free(a)),
            ANAPLAN_STATUS_INVALID_HANDLE,
            "double free"
        );
        assert_eq!(
            status(free::<anaplan_test_a>(std::ptr::null_mut())),
            ANAPLAN_STATUS_OK
        );
        free(b).unwrap();
    }

    #[test]
    fn tokens_are_never_reused() {
        let first = issue::<anaplan_test_b>("1".into()).unwrap();
        free(first).unwrap();
        let second = issue::<anaplan_test_b>("2".into()).unwrap();
        assert_ne!(first, second);
        assert_eq!(status(get(first)), ANAPLAN_STATUS_INVALID_HANDLE);
        free(second).unwrap();
    }

    #[test]
    fn a_call_in_progress_keeps_the_object_alive_across_a_free() {
        let b = issue::<anaplan_test_b>("in use".into()).unwrap();
        let held = get(b).unwrap();
        free(b).unwrap();
        assert_eq!(*held, "in use");
        assert_eq!(status(get(b)), ANAPLAN_STATUS_INVALID_HANDLE);
    }

    #[test]
    fn handles_work_across_threads() {
        let a = issue::<anaplan_test_a>(Mutex::new(vec![])).unwrap() as usize;
        let threads: Vec<_> = (0..4)
            .map(|i| {
                std::thread::spawn(move || {
                    let h = a as *const anaplan_test_a;
                    lock(&get(h).unwrap()).push(i);
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(lock(&get(a as *const anaplan_test_a).unwrap()).len(), 4);
        free(a as *mut anaplan_test_a).unwrap();
    }
}
