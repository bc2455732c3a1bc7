//! Can the registry be reached, how does it want callers to log in, and
//! what may a stranger and what may the user do.

use registry::probe::{Probe, ProbePath};
use reqwest::Method;
use shared::check::{Verdict, verdict};

use registry::RegistryError;

use super::{Session, into_exchange};

pub(super) async fn run(s: &mut Session<'_, '_>) {
    // As a stranger: no credentials, no answer to a challenge.
    let first = s
        .ask(Probe::new(Method::GET, ProbePath::Base).anonymously())
        .await;
    match first {
        Ok(answer) => {
            let (result, why) = verdict::reachability(&answer);
            let shown = answer.describe(&["docker-distribution-api-version", "www-authenticate"]);
            s.record("reachability", result, format!("{why}. {shown}"));
            let challenge = (answer.status == 401)
                .then(|| answer.header("www-authenticate"))
                .flatten();
            let (result, scheme) = verdict::auth_scheme(challenge);
            s.record(
                "auth-scheme",
                result,
                format!("{scheme}. {}", answer.describe(&["www-authenticate"])),
            );
        }
        Err(e) => {
            s.unanswered("reachability", e.clone());
            s.unanswered("auth-scheme", e);
        }
    }

    // Reading as nobody (an anonymous token where the registry hands them out).
    let tail = "tags/list";
    match s.anonymous.probe(&Probe::at(Method::GET, tail)).await {
        Ok(answer) => {
            let answer = into_exchange(answer);
            let why = verdict::anonymous_read(answer.status);
            let result = match answer.status {
                200 | 401 | 403 | 404 => Verdict::Pass,
                _ => Verdict::Fail,
            };
            s.record(
                "anonymous-access",
                result,
                format!("{why}. {}", answer.describe(&["www-authenticate"])),
            );
        }
        // The challenge could not be answered without credentials (Basic,
        // or a token service that wants a login): refused, as such.
        Err(e @ (RegistryError::Unauthorized { .. } | RegistryError::Denied { .. })) => s.record(
            "anonymous-access",
            Verdict::Pass,
            format!("anonymous reads are refused (credentials needed). GET {tail}: {e}"),
        ),
        Err(e) => s.unanswered("anonymous-access", e.to_string()),
    }

    if !s.has_credential {
        s.record(
            "credentialed-access",
            Verdict::Unsupported,
            "no credentials were given (--username/--password, a Docker config, or the page's credentials): every step runs anonymously",
        );
        return;
    }
    match s.ask(Probe::new(Method::GET, ProbePath::Base)).await {
        Ok(answer) => {
            let (result, why) = match answer.status {
                200 => (Verdict::Pass, "the credentials are accepted"),
                401 | 403 => (Verdict::Fail, "the credentials are refused"),
                _ => (
                    Verdict::Fail,
                    "a registry answers /v2/ with 200 to a logged-in caller",
                ),
            };
            s.record(
                "credentialed-access",
                result,
                format!("{why}. {}", answer.describe(&["www-authenticate"])),
            );
        }
        Err(e) => s.unanswered("credentialed-access", e),
    }
}
