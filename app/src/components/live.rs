//! Live refresh: the scorecard page listens to the server's event stream
//! and refetches when values change.
//!
//! On the server this does nothing (effects never run there), so the
//! server-rendered markup and the first hydrated render agree. In the
//! browser one `EventSource` on `/api/v1/events` bumps [`LiveRefresh::version`]
//! on every `scorecard_changed` event; resources keyed on it refetch. A
//! one-second timer keeps "updated N s ago" current.

use leptos::prelude::*;

/// Signals a page shares with the live connection.
#[derive(Debug, Clone, Copy)]
pub struct LiveRefresh {
    /// Bumped on every change; use it as a resource source.
    pub version: RwSignal<u32>,
    /// When the page last (re)loaded its data, ms since the epoch (browser only).
    pub updated: RwSignal<Option<i64>>,
    /// The browser's clock, ticking every second.
    pub now: RwSignal<i64>,
}

/// "updated 3 s ago", or nothing before hydration.
pub fn ago_text(updated: Option<i64>, now: i64) -> String {
    match updated {
        None => String::new(),
        Some(at) => {
            let secs = (now - at).max(0) / 1000;
            if secs < 60 {
                format!("updated {secs} s ago")
            } else if secs < 3600 {
                format!("updated {} min ago", secs / 60)
            } else {
                format!("updated {} h ago", secs / 3600)
            }
        }
    }
}

/// Creates the signals and, in the browser, opens the event stream.
pub fn use_live_refresh() -> LiveRefresh {
    let live = LiveRefresh {
        version: RwSignal::new(0),
        updated: RwSignal::new(None),
        now: RwSignal::new(0),
    };
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        browser::connect(live);
    });
    live
}

/// The "live · updated N s ago" marker.
#[component]
pub fn LiveStatus(live: LiveRefresh) -> impl IntoView {
    view! {
        <span class="sc-live" aria-live="polite" data-version=move || live.version.get().to_string()>
            {move || ago_text(live.updated.get(), live.now.get())}
        </span>
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    //! The browser side: one `EventSource` and one timer per page.

    use std::cell::RefCell;

    use leptos::prelude::*;
    use wasm_bindgen::{JsCast as _, closure::Closure};

    use super::LiveRefresh;

    thread_local! {
        static ACTIVE: RefCell<Option<(web_sys::EventSource, Option<IntervalHandle>)>> =
            const { RefCell::new(None) };
    }

    fn now_ms() -> i64 {
        chrono::Utc::now().timestamp_millis()
    }

    pub(super) fn connect(live: LiveRefresh) {
        ACTIVE.with(|active| {
            if let Some((source, timer)) = active.borrow_mut().take() {
                source.close();
                if let Some(timer) = timer {
                    timer.clear();
                }
            }
        });
        live.updated.set(Some(now_ms()));
        live.now.set(now_ms());
        let Ok(source) = web_sys::EventSource::new("/api/v1/events") else {
            return;
        };
        let on_change = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |_event| {
            live.version.update(|v| *v = v.wrapping_add(1));
            live.updated.set(Some(now_ms()));
        });
        let _ = source.add_event_listener_with_callback(
            "scorecard_changed",
            on_change.as_ref().unchecked_ref(),
        );
        on_change.forget();
        let timer = set_interval_with_handle(
            move || live.now.set(now_ms()),
            std::time::Duration::from_secs(1),
        )
        .ok();
        ACTIVE.with(|active| *active.borrow_mut() = Some((source, timer)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ago_text_counts_seconds_minutes_hours() {
        assert_eq!(ago_text(None, 5_000), "");
        assert_eq!(ago_text(Some(1_000), 4_500), "updated 3 s ago");
        assert_eq!(ago_text(Some(0), 125_000), "updated 2 min ago");
        assert_eq!(ago_text(Some(0), 7_300_000), "updated 2 h ago");
    }
}
