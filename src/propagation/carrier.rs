//! [`Carrier`]: the small header-map interface [`extract`](super::extract)
//! and [`inject`](super::inject) work over.

use std::collections::HashMap;

/// A set of headers: names compared case-insensitively, a name may repeat.
///
/// Implemented for `Vec<(String, String)>` (an ordered header list),
/// `HashMap<String, String>` and, with the `http` feature, the `http`
/// crate's `HeaderMap` (what hyper, axum and reqwest use). Implement it for your own header type in a few
/// lines.
///
/// ```
/// use observa::propagation::Carrier;
///
/// let mut headers: Vec<(String, String)> = vec![("TraceState".into(), "a=1".into())];
/// headers.set("tracestate", "b=2".into());
/// assert_eq!(headers.get_all("TRACESTATE"), ["b=2"]);
/// ```
pub trait Carrier {
    /// Every value of header `name`, in order.
    fn get_all(&self, name: &str) -> Vec<&str>;
    /// Replaces every value of header `name` with `value`.
    fn set(&mut self, name: &str, value: String);
    /// Removes header `name`.
    fn remove(&mut self, name: &str);
}

/// The values of `name` among `pairs`, its case ignored.
fn values_of<'a>(pairs: impl Iterator<Item = (&'a String, &'a String)>, name: &str) -> Vec<&'a str> {
    pairs
        .filter(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
        .collect()
}

impl Carrier for Vec<(String, String)> {
    fn get_all(&self, name: &str) -> Vec<&str> {
        values_of(self.iter().map(|(k, v)| (k, v)), name)
    }
    fn set(&mut self, name: &str, value: String) {
        Carrier::remove(self, name);
        self.push((name.to_owned(), value));
    }
    fn remove(&mut self, name: &str) {
        self.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
    }
}

impl<S: std::hash::BuildHasher> Carrier for HashMap<String, String, S> {
    fn get_all(&self, name: &str) -> Vec<&str> {
        values_of(self.iter(), name)
    }
    fn set(&mut self, name: &str, value: String) {
        Carrier::remove(self, name);
        self.insert(name.to_owned(), value);
    }
    fn remove(&mut self, name: &str) {
        self.retain(|k, _| !k.eq_ignore_ascii_case(name));
    }
}

/// The `http` crate's header map (feature `http`). Values that are not
/// visible ASCII are skipped on read; a value that cannot be a header value
/// is not written.
///
/// ```
/// use observa::propagation::{extract, inject, TraceContext};
///
/// let mut headers = http::HeaderMap::new();
/// inject(&TraceContext::new_root(true), &mut headers);
/// let back = extract(&headers).expect("what was injected reads back");
/// assert!(back.parent().flags().is_sampled());
/// ```
#[cfg(feature = "http")]
impl Carrier for http::HeaderMap {
    fn get_all(&self, name: &str) -> Vec<&str> {
        self.get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect()
    }
    fn set(&mut self, name: &str, value: String) {
        let (Ok(name), Ok(value)) = (
            http::HeaderName::from_bytes(name.as_bytes()),
            http::HeaderValue::from_str(&value),
        ) else {
            return;
        };
        self.insert(name, value);
    }
    fn remove(&mut self, name: &str) {
        http::HeaderMap::remove(self, name);
    }
}
