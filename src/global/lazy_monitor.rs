//! [`LazyMonitor`]: a [`Monitor`] resolved from the installed global
//! container on first use and cached, the `static` behind `monitored!`.

use std::sync::OnceLock;

use crate::monitor::Monitor;

/// A [`Monitor`] resolved on first use from the global container (see
/// [`install_global`](crate::install_global)) and cached; `monitored!` puts
/// one in a `static` per function. Until a global container is installed,
/// [`get`](LazyMonitor::get) returns `None` and calls run unmeasured.
///
/// ```
/// use observa::LazyMonitor;
///
/// static PARSE: LazyMonitor = LazyMonitor::new(module_path!(), "parse");
/// assert!(PARSE.get().is_none()); // nothing installed in this example
/// ```
#[derive(Debug)]
pub struct LazyMonitor {
    module: &'static str,
    function: &'static str,
    resolved: OnceLock<Monitor>,
}

impl LazyMonitor {
    /// A monitor for `function` in `module`, resolved later.
    pub const fn new(module: &'static str, function: &'static str) -> Self {
        LazyMonitor {
            module,
            function,
            resolved: OnceLock::new(),
        }
    }

    /// The monitor, once a global container is installed.
    #[inline]
    pub fn get(&self) -> Option<&Monitor> {
        if let Some(monitor) = self.resolved.get() {
            return Some(monitor);
        }
        let obs = super::global()?;
        Some(
            self.resolved
                .get_or_init(|| obs.monitor_in(self.module, self.function)),
        )
    }

    /// Like [`get`](LazyMonitor::get), for a method of `T`: the `function`
    /// label is `Type::function`, with `T`'s name stripped of its module path
    /// and generic arguments, so every `Wrapper<T>` shares one series. The
    /// first call resolves the monitor; later calls return it whatever `T`.
    ///
    /// ```
    /// use observa::metrics::Format;
    /// use observa::LazyMonitor;
    ///
    /// struct Wrapper<T>(T);
    /// static NEW: LazyMonitor = LazyMonitor::new(module_path!(), "new");
    ///
    /// let obs = observa::Observability::builder().service("shop", "1").build()?;
    /// observa::install_global(obs.clone())?;
    /// NEW.get_for::<Wrapper<u8>>().unwrap().run(|| Wrapper(1u8));
    /// let text = obs.render(Format::Prometheus)?;
    /// assert!(text.contains(r#"function="Wrapper::new""#));
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    #[inline]
    pub fn get_for<T: ?Sized>(&self) -> Option<&Monitor> {
        if let Some(monitor) = self.resolved.get() {
            return Some(monitor);
        }
        let obs = super::global()?;
        Some(self.resolved.get_or_init(|| {
            let ty = type_label(std::any::type_name::<T>());
            obs.monitor_in(self.module, &format!("{ty}::{}", self.function))
        }))
    }
}

/// A type's name as a label: no module path, no generic arguments, no
/// reference or `dyn` prefix (`&mut a::b::Wrapper<c::D>` gives `Wrapper`).
fn type_label(type_name: &str) -> &str {
    let path = type_name.split('<').next().unwrap_or(type_name);
    let last = path.rsplit("::").next().unwrap_or(path);
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    let last = last.rsplit(' ').next().unwrap_or(last);
    last.trim_matches(|c: char| !is_ident(c))
}

#[cfg(test)]
mod tests {
    use super::type_label;

    #[test]
    fn type_labels_drop_paths_generics_and_prefixes() {
        assert_eq!(type_label("Cart"), "Cart");
        assert_eq!(type_label("shop::cart::Cart"), "Cart");
        assert_eq!(type_label("shop::Wrapper<alloc::string::String>"), "Wrapper");
        assert_eq!(type_label("&mut shop::Cart"), "Cart");
        assert_eq!(type_label("dyn shop::Pricing"), "Pricing");
        assert_eq!(type_label("(shop::A, shop::B)"), "B");
    }
}
