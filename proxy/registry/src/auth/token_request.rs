//! How a token service is asked for a Bearer token.
//!
//! Two forms exist (distribution's token spec): `GET realm?service&scope`
//! with Basic credentials (or none), and OAuth2 `POST realm` with a form,
//! which is the only way to use an identity token (a refresh token that
//! `docker login` stores instead of a password for some registries: Azure,
//! Docker Hub with SSO). The Docker CLI uses the POST form exactly when it
//! has an identity token, and so does this.

use reqwest::header::AUTHORIZATION;
use reqwest::{RequestBuilder, Url};
use shared::credentials::Credential;

use super::challenge::Challenge;
use super::scheme as auth;
use crate::credentials::docker_config::is_identity_token;

/// The `client_id` sent with OAuth2 token requests.
pub const CLIENT_ID: &str = "manifest-web";

/// The request for a token for `scopes`: `get_url` is the GET form's URL
/// (realm plus `service` and `scope` parameters), already checked against
/// the target policy; the POST form goes to the same host.
pub fn build(
    http: &reqwest::Client,
    challenge: &Challenge,
    get_url: &Url,
    scopes: &[String],
    credential: Option<&Credential>,
) -> RequestBuilder {
    match credential {
        Some(c) if is_identity_token(c) => {
            let form = refresh_form(challenge, scopes, &c.password);
            http.post(realm_of(get_url, challenge)).form(&form)
        }
        Some(c) => {
            let req = http.get(get_url.clone());
            match auth::basic_header(c) {
                Some(h) => req.header(AUTHORIZATION, h),
                None => req,
            }
        }
        None => http.get(get_url.clone()),
    }
}

/// The method `build` uses: POST (not retried) for an identity token, else GET.
pub fn method(credential: Option<&Credential>) -> reqwest::Method {
    match credential {
        Some(c) if is_identity_token(c) => reqwest::Method::POST,
        _ => reqwest::Method::GET,
    }
}

/// The realm itself (its own query kept), falling back to the GET URL.
fn realm_of(get_url: &Url, challenge: &Challenge) -> Url {
    challenge
        .param("realm")
        .and_then(|r| Url::parse(r).ok())
        .filter(|r| r.origin() == get_url.origin())
        .unwrap_or_else(|| get_url.clone())
}

/// `grant_type=refresh_token&service=S&client_id=C&scope=A B&refresh_token=T`
pub fn refresh_form(
    challenge: &Challenge,
    scopes: &[String],
    refresh_token: &str,
) -> Vec<(String, String)> {
    let mut form = vec![("grant_type".to_string(), "refresh_token".to_string())];
    if let Some(service) = challenge.param("service") {
        form.push(("service".into(), service.to_string()));
    }
    form.push(("client_id".into(), CLIENT_ID.into()));
    form.push(("scope".into(), scopes.join(" ")));
    form.push(("refresh_token".into(), refresh_token.to_string()));
    form
}

#[cfg(test)]
mod tests {
    use super::super::challenge::parse_challenges;
    use super::*;

    #[test]
    fn identity_tokens_use_the_oauth_form() {
        let c = parse_challenges(r#"Bearer realm="https://auth.example/token?x=1",service="reg""#)
            .unwrap()
            .remove(0);
        let scopes = vec![
            "repository:a:pull,push".to_string(),
            "repository:b:pull".to_string(),
        ];
        let form = refresh_form(&c, &scopes, "rt");
        assert_eq!(
            form,
            [
                ("grant_type", "refresh_token"),
                ("service", "reg"),
                ("client_id", CLIENT_ID),
                ("scope", "repository:a:pull,push repository:b:pull"),
                ("refresh_token", "rt"),
            ]
            .map(|(k, v)| (k.to_string(), v.to_string()))
        );
        let get = auth::token_url_for_scopes(&c, &scopes).unwrap();
        let http = reqwest::Client::new();
        let token = Credential {
            username: "<token>".into(),
            password: "rt".into(),
        };
        let req = build(&http, &c, &get, &scopes, Some(&token))
            .build()
            .unwrap();
        assert_eq!(req.method(), reqwest::Method::POST);
        assert_eq!(req.url().as_str(), "https://auth.example/token?x=1");
        assert!(req.headers().get(AUTHORIZATION).is_none());
        let basic = Credential {
            username: "u".into(),
            password: "p".into(),
        };
        let req = build(&http, &c, &get, &scopes, Some(&basic))
            .build()
            .unwrap();
        assert_eq!(req.method(), reqwest::Method::GET);
        assert_eq!(req.url(), &get);
        assert!(req.headers().get(AUTHORIZATION).unwrap().is_sensitive());
        let req = build(&http, &c, &get, &scopes, None).build().unwrap();
        assert!(req.headers().get(AUTHORIZATION).is_none());
    }
}
