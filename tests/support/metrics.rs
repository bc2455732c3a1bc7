//! Reading the proxy's `/metrics` (Prometheus text) in tests.

use reqwest::Method;

use crate::proxy::ProxyClient;

/// The exposition text, fetched now.
///
/// # Panics
/// When `/metrics` does not answer 200.
pub async fn scrape(client: &ProxyClient) -> Metrics {
    let response = client.send(client.request(Method::GET, "/metrics")).await;
    assert_eq!(response.status, 200, "GET /metrics");
    Metrics(String::from_utf8(response.body.to_vec()).expect("metrics are UTF-8"))
}

/// One scrape.
#[derive(Debug, Clone)]
pub struct Metrics(pub String);

impl Metrics {
    /// The value of the sample written exactly `series` (name and labels,
    /// e.g. `x_total{route="/a",status="200"}`); `None` when absent.
    pub fn get(&self, series: &str) -> Option<f64> {
        self.0.lines().find_map(|line| {
            let rest = line.strip_prefix(series)?;
            rest.strip_prefix(' ')?.trim().parse().ok()
        })
    }

    /// Like [`Metrics::get`], absent counting as 0.
    pub fn value(&self, series: &str) -> f64 {
        self.get(series).unwrap_or(0.0)
    }

    /// The sum of every sample of metric `name` whose labels contain
    /// `label` (e.g. `registry="127.0.0.1:5000"`).
    pub fn sum(&self, name: &str, label: &str) -> f64 {
        self.0
            .lines()
            .filter(|l| l.starts_with(&format!("{name}{{")) && l.contains(label))
            .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
            .sum()
    }
}
