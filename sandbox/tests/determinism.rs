//! Same seed, same data; and the large-volume measurement.
#![allow(clippy::unwrap_used)]

mod common;

use common::small_opts;
use sandbox::{ObjectKind, Sandbox, SandboxOptions};

#[test]
fn same_seed_same_data() {
    let a = Sandbox::new(small_opts());
    let b = Sandbox::new(small_opts());
    for k in ObjectKind::ALL {
        assert_eq!(a.dump(k), b.dump(k), "{k:?}");
    }
    assert_eq!(a.counts(), b.counts());
    let mut o = small_opts();
    o.seed = 8;
    let c = Sandbox::new(o);
    assert_ne!(a.dump(ObjectKind::Calls), c.dump(ObjectKind::Calls));
}

#[test]
fn data_ends_at_now_and_has_the_documented_shapes() {
    let o = small_opts();
    let now = o.now.timestamp_millis();
    let sb = Sandbox::new(o);
    for k in ObjectKind::ALL {
        for r in sb.dump(k) {
            let created =
                chrono::DateTime::parse_from_rfc3339(r["createdAt"].as_str().unwrap()).unwrap();
            assert!(created.timestamp_millis() <= now, "{k:?} created after now");
        }
    }
    let calls = sb.dump(ObjectKind::Calls);
    let dispositions: std::collections::BTreeSet<&str> = calls
        .iter()
        .map(|c| c["properties"]["hs_call_disposition"].as_str().unwrap())
        .collect();
    assert!(dispositions.contains("73a0d17f-1163-4015-bdd5-ec830791da20"));
    let meetings = sb.dump(ObjectKind::Meetings);
    assert!(
        meetings
            .iter()
            .any(|m| m["properties"]["hs_activity_type"] == "First Time Appointment")
    );
    let notes = sb.dump(ObjectKind::Notes);
    assert!(notes.iter().any(|n| {
        n["properties"]["hs_note_body"]
            .as_str()
            .unwrap()
            .contains("DM")
    }));
    let deals = sb.dump(ObjectKind::Deals);
    assert!(deals.iter().any(|d| d["properties"].get("mrr").is_some()));
    assert!(
        deals.iter().any(
            |d| d["properties"].get("mrr").is_none() && d["properties"].get("amount").is_some()
        )
    );
}

/// Measures generation of ~1M records, memory, and list paging speed at the start and the
/// end of the largest table. Run with
/// `cargo test -p sandbox --release --test determinism -- --ignored --nocapture`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "large: run in release to measure"]
async fn one_million_records() {
    let opts = SandboxOptions {
        reps: 50,
        weeks: 26,
        scale: 10.0,
        ..small_opts()
    };
    let rss_before = rss_kb();
    let t = std::time::Instant::now();
    let sb = Sandbox::new(opts);
    let gen_time = t.elapsed();
    let rss_after = rss_kb();
    let n = sb.total_records();
    println!(
        "generated {n} records in {gen_time:.2?}; RSS grew {} MB (approx heap estimate {} MB)",
        (rss_after - rss_before) / 1024,
        sb.approx_heap_bytes() / (1024 * 1024)
    );
    assert!(n >= 1_000_000, "{n}");

    let (addr, _h) = sandbox::serve_sandbox(&sb, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let base = format!("http://{addr}");
    let (tok, _) = common::hubspot_token(&base, common::SCOPES).await;
    let c = common::client();
    let calls = sb.counts()["hubspot"]["calls"]["total"].as_u64().unwrap();
    // Page 200 pages from the start, then 200 pages from a cursor near the end.
    let last_ids: Vec<String> = {
        let d = sb.dump(ObjectKind::Calls);
        vec![
            d[0]["id"].as_str().unwrap().to_string(),
            d[d.len() - 20_001]["id"].as_str().unwrap().to_string(),
        ]
    };
    for (label, start) in [("start", &last_ids[0]), ("end", &last_ids[1])] {
        let mut url = format!(
            "{base}/hubspot/crm/v3/objects/calls?limit=100&after={start}&properties=hs_timestamp,hs_call_disposition"
        );
        let t = std::time::Instant::now();
        let mut got = 0;
        for _ in 0..200 {
            let v: serde_json::Value = c
                .get(&url)
                .bearer_auth(&tok)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            got += v["results"].as_array().unwrap().len();
            match v["paging"]["next"]["link"].as_str() {
                Some(l) => url = format!("{base}{l}"),
                None => break,
            }
        }
        let e = t.elapsed();
        println!(
            "paging {label} of {calls} calls: {got} records in {e:.2?} ({:.2?} per page of 100)",
            e / 200
        );
    }
    // A full pass over the biggest table, in pages of 100.
    let t = std::time::Instant::now();
    let mut url = format!("{base}/hubspot/crm/v3/objects/calls?limit=100");
    let mut got = 0u64;
    loop {
        let v: serde_json::Value = c
            .get(&url)
            .bearer_auth(&tok)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        got += v["results"].as_array().unwrap().len() as u64;
        match v["paging"]["next"]["link"].as_str() {
            Some(l) => url = format!("{base}{l}"),
            None => break,
        }
    }
    println!("full pass: {got} calls in {:.2?}", t.elapsed());
    assert_eq!(got, calls);
}

fn rss_kb() -> i64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).map(|x| x.parse().unwrap_or(0)))
        })
        .unwrap_or(0)
}

#[test]
fn degenerate_configurations_do_not_panic() {
    for (reps, weeks, scale) in [(0, 4, 1.0), (1, 0, 1.0), (2, 1, 0.0), (1, 1, 0.01)] {
        let sb = Sandbox::new(SandboxOptions {
            reps,
            weeks,
            scale,
            ..small_opts()
        });
        let _ = sb.counts();
    }
}
