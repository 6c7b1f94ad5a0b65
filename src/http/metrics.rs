//! Request metrics in the Prometheus text format.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds of the latency histogram, in seconds.
const BUCKETS: [f64; 12] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0];

#[derive(Default)]
struct Histogram {
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    latency: Mutex<BTreeMap<String, Histogram>>,
    in_flight: AtomicI64,
    /// The last scheduled backup: when (Unix seconds, 0 for none yet) and its size.
    backup_at: AtomicI64,
    backup_bytes: AtomicU64,
    backup_failures: AtomicU64,
}

/// Counts a request in flight until dropped.
pub struct InFlight<'a>(&'a Metrics);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Metrics {
    pub fn start(&self) -> InFlight<'_> {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        InFlight(self)
    }

    /// Counts a request. Labels come from fixed sets (a route of the route table or
    /// `unmatched`, a standard method or `OTHER`), so no client can add series without end.
    pub fn record(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        if let Ok(mut requests) = self.requests.lock() {
            *requests.entry((method_label(method).to_string(), route.to_string(), status)).or_default() += 1;
        }
        if let Ok(mut latency) = self.latency.lock() {
            let histogram = latency.entry(route.to_string()).or_default();
            let seconds = elapsed.as_secs_f64();
            for (bucket, bound) in histogram.buckets.iter_mut().zip(BUCKETS) {
                if seconds <= bound {
                    *bucket += 1;
                }
            }
            histogram.count += 1;
            histogram.sum += seconds;
        }
    }

    /// A scheduled backup was written at `at` (Unix seconds), `bytes` long.
    pub fn backup_written(&self, at: i64, bytes: u64) {
        self.backup_at.store(at, Ordering::Relaxed);
        self.backup_bytes.store(bytes, Ordering::Relaxed);
    }

    pub fn backup_failed(&self) {
        self.backup_failures.fetch_add(1, Ordering::Relaxed);
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str("# HELP portald_http_requests_total HTTP requests answered.\n");
        out.push_str("# TYPE portald_http_requests_total counter\n");
        if let Ok(requests) = self.requests.lock() {
            for ((method, route, status), n) in requests.iter() {
                let _ = writeln!(
                    out,
                    "portald_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {n}",
                    escape(route)
                );
            }
        }
        out.push_str("# HELP portald_http_request_duration_seconds Time to answer a request.\n");
        out.push_str("# TYPE portald_http_request_duration_seconds histogram\n");
        if let Ok(latency) = self.latency.lock() {
            for (route, h) in latency.iter() {
                let route = escape(route);
                for (bound, n) in BUCKETS.iter().zip(h.buckets) {
                    let _ = writeln!(
                        out,
                        "portald_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {n}"
                    );
                }
                let _ = writeln!(
                    out,
                    "portald_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                    h.count
                );
                let _ = writeln!(out, "portald_http_request_duration_seconds_sum{{route=\"{route}\"}} {}", h.sum);
                let _ = writeln!(out, "portald_http_request_duration_seconds_count{{route=\"{route}\"}} {}", h.count);
            }
        }
        out.push_str("# HELP portald_http_requests_in_flight Requests being answered now.\n");
        out.push_str("# TYPE portald_http_requests_in_flight gauge\n");
        let _ = writeln!(out, "portald_http_requests_in_flight {}", self.in_flight.load(Ordering::Relaxed));
        out.push_str("# HELP portald_backup_last_success_timestamp_seconds When the last scheduled backup was written (0: none yet).\n");
        out.push_str("# TYPE portald_backup_last_success_timestamp_seconds gauge\n");
        let _ =
            writeln!(out, "portald_backup_last_success_timestamp_seconds {}", self.backup_at.load(Ordering::Relaxed));
        out.push_str("# HELP portald_backup_last_size_bytes Size of the last scheduled backup.\n");
        out.push_str("# TYPE portald_backup_last_size_bytes gauge\n");
        let _ = writeln!(out, "portald_backup_last_size_bytes {}", self.backup_bytes.load(Ordering::Relaxed));
        out.push_str("# HELP portald_backup_failures_total Scheduled backups that failed.\n");
        out.push_str("# TYPE portald_backup_failures_total counter\n");
        let _ = writeln!(out, "portald_backup_failures_total {}", self.backup_failures.load(Ordering::Relaxed));
        out
    }
}

/// The database's change notices this process heard, and whether it listens for them now
/// (PostgreSQL: what keeps callers and answers between requests; nothing on SQLite).
pub fn render_change_notices(notices: Option<(u64, bool)>) -> String {
    let Some((heard, listening)) = notices else { return String::new() };
    let mut out = String::new();
    out.push_str("# HELP portald_database_change_notices_total Change notices received from PostgreSQL.\n");
    out.push_str("# TYPE portald_database_change_notices_total counter\n");
    let _ = writeln!(out, "portald_database_change_notices_total {heard}");
    out.push_str("# HELP portald_database_change_listener_up Whether this process listens for change notices (1) or keeps nothing between requests until it does again (0).\n");
    out.push_str("# TYPE portald_database_change_listener_up gauge\n");
    let _ = writeln!(out, "portald_database_change_listener_up {}", u8::from(listening));
    out
}

/// The method as a label: one of the standard ones, or `OTHER` for any a client made up.
fn method_label(method: &str) -> &str {
    const STANDARD: [&str; 9] = ["GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"];
    STANDARD.into_iter().find(|m| *m == method).unwrap_or("OTHER")
}

fn escape(label: &str) -> String {
    label.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_histograms() {
        let metrics = Metrics::default();
        {
            let _guard = metrics.start();
            assert!(metrics.render().contains("portald_http_requests_in_flight 1"));
        }
        metrics.record("GET", "/api/2.0/capabilities", 200, Duration::from_millis(3));
        let text = metrics.render();
        assert!(text
            .contains("portald_http_requests_total{method=\"GET\",route=\"/api/2.0/capabilities\",status=\"200\"} 1"));
        assert!(text.contains("le=\"0.0025\"} 0"));
        assert!(text.contains("le=\"0.005\"} 1"));
        assert!(text.contains("portald_http_requests_in_flight 0"));
        assert!(text.contains("portald_backup_last_success_timestamp_seconds 0\n"));
        metrics.backup_written(1_700_000_000, 4096);
        metrics.backup_failed();
        let text = metrics.render();
        assert!(text.contains("portald_backup_last_success_timestamp_seconds 1700000000\n"));
        assert!(text.contains("portald_backup_last_size_bytes 4096\n"));
        assert!(text.contains("portald_backup_failures_total 1\n"));
    }
}
