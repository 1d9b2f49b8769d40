//! Live refresh: the scorecard page listens to the server's event stream
//! and refetches when values change.
//!
//! On the server this does nothing (effects never run there), so the
//! server-rendered markup and the first hydrated render agree. In the
//! browser one `EventSource` on `/api/v1/events` bumps [`LiveRefresh::version`]
//! on every `scorecard_changed` event; resources keyed on it refetch. A
//! one-second timer keeps "updated N s ago" current.
//!
//! The connection page uses [`use_sync_progress`] instead: its own
//! `EventSource` bumps a version on the `sync_progress` events of one
//! connection, at most twice a second, so a running backfill's progress
//! shows as it happens.

use crate::domain::ConnectionId;
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

/// Whether a `sync_progress` event's JSON data is about this connection.
pub fn is_progress_of(data: &str, connection_id: ConnectionId) -> bool {
    serde_json::from_str::<serde_json::Value>(data)
        .ok()
        .and_then(|v| v["connection_id"].as_i64())
        == Some(connection_id.0)
}

/// A version bumped (at most every 500 ms) whenever the server reports
/// progress of this connection's sync runs. Browser only; on the server it
/// never changes.
pub fn use_sync_progress(connection_id: Signal<ConnectionId>) -> RwSignal<u32> {
    let version = RwSignal::new(0_u32);
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        browser::progress(version, connection_id);
        #[cfg(not(feature = "hydrate"))]
        let _ = connection_id;
    });
    version
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
        static PROGRESS: RefCell<Option<(web_sys::EventSource, Option<IntervalHandle>)>> =
            const { RefCell::new(None) };
    }

    fn now_ms() -> i64 {
        chrono::Utc::now().timestamp_millis()
    }

    /// One `EventSource` per connection page; events only mark the page
    /// stale, and a 500 ms timer refetches when it is.
    pub(super) fn progress(version: RwSignal<u32>, connection_id: Signal<super::ConnectionId>) {
        use std::{cell::Cell, rc::Rc};
        let Ok(source) = web_sys::EventSource::new("/api/v1/events") else {
            return;
        };
        let stale = Rc::new(Cell::new(false));
        let mark = stale.clone();
        let on_progress = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(
            move |event: web_sys::MessageEvent| {
                let data = event.data().as_string().unwrap_or_default();
                if super::is_progress_of(&data, connection_id.get_untracked()) {
                    mark.set(true);
                }
            },
        );
        let _ = source.add_event_listener_with_callback(
            "sync_progress",
            on_progress.as_ref().unchecked_ref(),
        );
        on_progress.forget();
        let timer = set_interval_with_handle(
            move || {
                if stale.replace(false) {
                    version.update(|v| *v = v.wrapping_add(1));
                }
            },
            std::time::Duration::from_millis(500),
        )
        .ok();
        close_progress();
        PROGRESS.with(|p| *p.borrow_mut() = Some((source, timer)));
        on_cleanup(close_progress);
    }

    fn close_progress() {
        PROGRESS.with(|p| {
            if let Some((source, timer)) = p.borrow_mut().take() {
                source.close();
                if let Some(timer) = timer {
                    timer.clear();
                }
            }
        });
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
    fn progress_events_are_matched_to_their_connection() {
        let data = r#"{"type":"sync_progress","org_id":1,"connection_id":7,"run_id":3}"#;
        assert!(is_progress_of(data, ConnectionId(7)));
        assert!(!is_progress_of(data, ConnectionId(8)));
        assert!(!is_progress_of("{}", ConnectionId(7)));
        assert!(!is_progress_of("not json", ConnectionId(7)));
    }

    #[test]
    fn ago_text_counts_seconds_minutes_hours() {
        assert_eq!(ago_text(None, 5_000), "");
        assert_eq!(ago_text(Some(1_000), 4_500), "updated 3 s ago");
        assert_eq!(ago_text(Some(0), 125_000), "updated 2 min ago");
        assert_eq!(ago_text(Some(0), 7_300_000), "updated 2 h ago");
    }
}
