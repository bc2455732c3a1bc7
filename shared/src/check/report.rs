//! The check's report in the three forms the CLI prints: a table for
//! people, JSON for scripts (`{"registry","repository","checks":[...]}`),
//! JUnit XML for CI systems that show test results.

use super::{CheckOutcome, CheckReport, Verdict};
// The badge's XML escaping: one rule for text put into XML.
use crate::badge::escape as xml;

/// One row per check (`RESULT  NAME  DETAIL`) and a closing count.
pub fn table(report: &CheckReport) -> String {
    let width = report
        .checks
        .iter()
        .map(|c| c.name.chars().count())
        .max()
        .unwrap_or(0)
        .max("CHECK".len());
    let mut out = format!(
        "Registry check of {}/{}\n\n{:<11}  {:<width$}  DETAIL\n",
        report.registry, report.repository, "RESULT", "CHECK"
    );
    for check in &report.checks {
        out.push_str(&format!(
            "{:<11}  {:<width$}  {}\n",
            check.result.as_str(),
            check.name,
            one_line(&check.detail)
        ));
    }
    out.push_str(&format!("\n{}\n", summary(report)));
    out
}

/// `21 passed, 0 failed, 3 unsupported`.
pub fn summary(report: &CheckReport) -> String {
    format!(
        "{} passed, {} failed, {} unsupported",
        report.count(Verdict::Pass),
        report.count(Verdict::Fail),
        report.count(Verdict::Unsupported)
    )
}

/// The JSON form, pretty-printed, with a final newline.
pub fn json(report: &CheckReport) -> String {
    let mut text = serde_json::to_string_pretty(report).unwrap_or_default();
    text.push('\n');
    text
}

/// JUnit XML: one test case per check; `fail` is a `<failure>`,
/// `unsupported` a `<skipped>`.
pub fn junit(report: &CheckReport) -> String {
    let suite = format!("check-registry {}/{}", report.registry, report.repository);
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\">\n",
        xml(&suite),
        report.checks.len(),
        report.count(Verdict::Fail),
        report.count(Verdict::Unsupported)
    );
    for check in &report.checks {
        out.push_str(&testcase(&suite, check));
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

fn testcase(suite: &str, check: &CheckOutcome) -> String {
    let head = format!(
        "    <testcase classname=\"{}\" name=\"{}\"",
        xml(suite),
        xml(&check.name)
    );
    let detail = xml(&one_line(&check.detail));
    match check.result {
        Verdict::Pass => {
            format!("{head}>\n      <system-out>{detail}</system-out>\n    </testcase>\n")
        }
        Verdict::Fail => format!(
            "{head}>\n      <failure message=\"{detail}\">{detail}</failure>\n    </testcase>\n"
        ),
        Verdict::Unsupported => {
            format!("{head}>\n      <skipped message=\"{detail}\"/>\n    </testcase>\n")
        }
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> CheckReport {
        CheckReport {
            registry: "127.0.0.1:5000".into(),
            repository: "check/me".into(),
            checks: vec![
                CheckOutcome::new("reachability", Verdict::Pass, "GET /v2/ -> 200"),
                CheckOutcome::new(
                    "blob-mount",
                    Verdict::Unsupported,
                    "202 <refused> & \"started\"",
                ),
                CheckOutcome::new(
                    "docker-content-digest",
                    Verdict::Fail,
                    "no\nDocker-Content-Digest\u{1}",
                ),
            ],
        }
    }

    #[test]
    fn the_table_lines_up() {
        let text = table(&report());
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "Registry check of 127.0.0.1:5000/check/me");
        assert_eq!(lines[2], "RESULT       CHECK                  DETAIL");
        assert_eq!(
            lines[3],
            "pass         reachability           GET /v2/ -> 200"
        );
        assert_eq!(
            lines[5],
            "fail         docker-content-digest  no Docker-Content-Digest\u{1}"
        );
        assert_eq!(lines.last(), Some(&"1 passed, 1 failed, 1 unsupported"));
    }

    #[test]
    fn json_has_exactly_the_documented_keys() {
        let value: serde_json::Value = serde_json::from_str(&json(&report())).unwrap();
        let keys: Vec<&String> = value.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["checks", "registry", "repository"]);
        let check = value["checks"][1].as_object().unwrap();
        let keys: Vec<&String> = check.keys().collect();
        assert_eq!(keys, ["detail", "name", "result"]);
        assert_eq!(check["result"], "unsupported");
    }

    #[test]
    fn junit_escapes_and_counts() {
        let text = junit(&report());
        assert!(
            text.contains("tests=\"3\" failures=\"1\" errors=\"0\" skipped=\"1\""),
            "{text}"
        );
        assert!(
            text.contains("<skipped message=\"202 &lt;refused&gt; &amp; &quot;started&quot;\"/>"),
            "{text}"
        );
        assert!(
            text.contains("<failure message=\"no Docker-Content-Digest\u{FFFD}\">"),
            "{text}"
        );
        assert_eq!(text.matches("<testcase ").count(), 3);
    }
}
