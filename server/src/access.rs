//! Who may call what. Every route has an explicit rule here; a route without one is refused
//! (deny by default). Callers are identified by an API token (`Authorization: Bearer`) or a
//! browser session cookie; browser writes must also come from our own origin (CSRF).

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use model::accounts::{sessions, tokens, ClientInfo, Principal, Role};
use model::errors::Problem;
use model::Services;

use crate::api::error::ApiError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Anyone, signed in or not.
    Public,
    /// A caller whose role includes this one.
    Role(Role),
}

#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub method: &'static str,
    /// The route as the router declares it (`{id}` for a parameter).
    pub path: &'static str,
    pub need: Need,
}

const fn rule(method: &'static str, path: &'static str, need: Need) -> Rule {
    Rule { method, path, need }
}

use Need::Public;
const BOT: Need = Need::Role(Role::Bot);
const TRAINER: Need = Need::Role(Role::Trainer);
const REVIEWER: Need = Need::Role(Role::Reviewer);
const SUPERVISOR: Need = Need::Role(Role::Supervisor);
const ADMIN: Need = Need::Role(Role::Admin);

pub const RULES: &[Rule] = &[
    // Operations.
    rule("GET", "/healthz", Public),
    rule("GET", "/readyz", Public),
    // Pages.
    rule("GET", "/login", Public),
    rule("GET", "/", TRAINER),
    rule("GET", "/inbox", TRAINER),
    rule("GET", "/knowledge", TRAINER),
    rule("GET", "/knowledge/new", TRAINER),
    rule("GET", "/knowledge/{id}", TRAINER),
    rule("GET", "/modules/{id}", TRAINER),
    rule("GET", "/health", TRAINER),
    rule("GET", "/synonyms", TRAINER),
    rule("GET", "/testsets", TRAINER),
    rule("GET", "/testsets/{id}", TRAINER),
    rule("GET", "/review", REVIEWER),
    rule("GET", "/dashboard", SUPERVISOR),
    rule("GET", "/dashboard/asks", SUPERVISOR),
    rule("GET", "/dashboard/model", SUPERVISOR),
    rule("GET", "/search", TRAINER),
    rule("GET", "/decisions", TRAINER),
    rule("GET", "/admin", ADMIN),
    // Server functions of the browser UI.
    rule("POST", "/api/sign_in", Public),
    rule("POST", "/api/sign_out", Public),
    rule("POST", "/api/who_am_i", Public),
    rule("POST", "/api/remember_language", Public),
    rule("POST", "/api/system_status", TRAINER),
    rule("POST", "/api/category_tree", TRAINER),
    rule("POST", "/api/save_category", TRAINER),
    rule("POST", "/api/list_knowledge", TRAINER),
    rule("POST", "/api/knowledge_detail", TRAINER),
    rule("POST", "/api/knowledge_history", TRAINER),
    rule("POST", "/api/find_personal_data", TRAINER),
    rule("POST", "/api/render_answer", TRAINER),
    rule("POST", "/api/save_knowledge", TRAINER),
    rule("POST", "/api/submit_knowledge", TRAINER),
    rule("POST", "/api/restore_knowledge", TRAINER),
    rule("POST", "/api/module_page", TRAINER),
    rule("POST", "/api/import_knowledge", TRAINER),
    rule("POST", "/api/check_import", TRAINER),
    rule("POST", "/api/try_question", TRAINER),
    rule("POST", "/api/open_knowledge", TRAINER),
    rule("POST", "/api/inbox_groups", TRAINER),
    rule("POST", "/api/decide_group", TRAINER),
    rule("POST", "/api/rejected_answers", TRAINER),
    rule("POST", "/api/regroup_inbox", TRAINER),
    rule("POST", "/api/knowledge_health", TRAINER),
    rule("POST", "/api/point_asks", TRAINER),
    rule("POST", "/api/knowledge_conflicts", TRAINER),
    rule("POST", "/api/dismiss_conflict", TRAINER),
    rule("POST", "/api/merge_points", REVIEWER),
    rule("POST", "/api/move_phrasing", REVIEWER),
    rule("POST", "/api/near_duplicates", TRAINER),
    rule("POST", "/api/dashboard_summary", SUPERVISOR),
    rule("POST", "/api/dashboard_asks", SUPERVISOR),
    rule("POST", "/api/voc_topics", SUPERVISOR),
    rule("POST", "/api/test_set_runs", SUPERVISOR),
    rule("POST", "/api/model_overview", SUPERVISOR),
    rule("POST", "/api/train_model", ADMIN),
    rule("POST", "/api/use_model_version", ADMIN),
    rule("POST", "/api/claim_group", TRAINER),
    rule("POST", "/api/release_group", TRAINER),
    rule("POST", "/api/merge_groups", TRAINER),
    rule("POST", "/api/split_group", TRAINER),
    rule("POST", "/api/move_questions", TRAINER),
    rule("POST", "/api/undo_decision", TRAINER),
    rule("POST", "/api/my_decisions", TRAINER),
    rule("POST", "/api/decide_groups", TRAINER),
    rule("POST", "/api/assign_groups", TRAINER),
    rule("POST", "/api/trainer_names", TRAINER),
    rule("POST", "/api/my_queue", TRAINER),
    rule("POST", "/api/discard_draft", TRAINER),
    rule("POST", "/api/try_draft", TRAINER),
    rule("POST", "/api/try_link", TRAINER),
    rule("POST", "/api/my_desk", TRAINER),
    rule("POST", "/api/synonyms_list", TRAINER),
    rule("POST", "/api/propose_synonym", TRAINER),
    rule("POST", "/api/discard_synonym", TRAINER),
    rule("POST", "/api/publish_synonyms", REVIEWER),
    rule("POST", "/api/import_synonyms", TRAINER),
    rule("POST", "/api/test_sets", TRAINER),
    rule("POST", "/api/test_set", TRAINER),
    rule("POST", "/api/import_test_set", TRAINER),
    rule("POST", "/api/run_test_set", TRAINER),
    rule("POST", "/api/test_run", TRAINER),
    rule("POST", "/api/remove_test_case", TRAINER),
    rule("POST", "/api/synonym_suggestions", TRAINER),
    rule("POST", "/api/review_queue", REVIEWER),
    rule("POST", "/api/review_waiting", REVIEWER),
    rule("POST", "/api/review_knowledge", REVIEWER),
    rule("POST", "/api/publish_knowledge", REVIEWER),
    rule("POST", "/api/archive_knowledge", REVIEWER),
    // HTTP API v1.
    rule("GET", "/api/v1/openapi.json", Public),
    rule("POST", "/api/v1/ask", BOT),
    rule("POST", "/api/v1/feedback", BOT),
    rule("POST", "/api/v1/misses", BOT),
    rule("GET", "/api/v1/knowledge", BOT),
    rule("POST", "/api/v1/knowledge/import", TRAINER),
    rule("POST", "/api/v1/knowledge/import/check", TRAINER),
    rule("GET", "/api/v1/clusters", TRAINER),
    rule("POST", "/api/v1/clusters/rebuild", TRAINER),
    rule("POST", "/api/v1/clusters/{id}/resolve", TRAINER),
    rule("POST", "/api/v1/knowledge/{id}/publish", REVIEWER),
    rule("GET", "/api/v1/knowledge/{id}/stats", TRAINER),
    rule("GET", "/api/v1/knowledge/health", TRAINER),
    rule("GET", "/api/v1/knowledge/conflicts", TRAINER),
    rule("POST", "/api/v1/knowledge/conflicts/dismiss", TRAINER),
    rule("POST", "/api/v1/knowledge/merge", REVIEWER),
    rule("POST", "/api/v1/knowledge/{id}/phrasings/move", REVIEWER),
    rule("GET", "/api/v1/knowledge/duplicates", TRAINER),
    rule("POST", "/api/v1/decisions/{id}/undo", TRAINER),
    rule("GET", "/api/v1/synonyms", TRAINER),
    rule("POST", "/api/v1/synonyms", TRAINER),
    rule("POST", "/api/v1/synonyms/drafts/{id}/discard", TRAINER),
    rule("POST", "/api/v1/synonyms/publish", REVIEWER),
    rule("GET", "/api/v1/synonyms/export", TRAINER),
    rule("POST", "/api/v1/synonyms/import", TRAINER),
    rule("GET", "/api/v1/synonyms/suggestions", TRAINER),
    rule("GET", "/api/v1/testsets", TRAINER),
    rule("POST", "/api/v1/testsets", TRAINER),
    rule("POST", "/api/v1/testsets/import", TRAINER),
    rule("GET", "/api/v1/testsets/runs/{id}", TRAINER),
    rule("GET", "/api/v1/testsets/{id}", TRAINER),
    rule("POST", "/api/v1/testsets/{id}/run", TRAINER),
    rule("GET", "/api/v1/testsets/{id}/export", TRAINER),
    rule("DELETE", "/api/v1/testsets/{id}/cases/{case_id}", TRAINER),
    rule("GET", "/api/v1/metrics/summary", SUPERVISOR),
    rule("GET", "/api/v1/metrics/asks", SUPERVISOR),
    rule("GET", "/api/v1/report", SUPERVISOR),
    rule("GET", "/api/v1/model", SUPERVISOR),
    rule("POST", "/api/v1/model/train", ADMIN),
    rule("POST", "/api/v1/model/use", ADMIN),
    rule("GET", "/api/v1/privacy/sessions/{id}", ADMIN),
    rule("POST", "/api/v1/privacy/sessions/{id}/erase", ADMIN),
    rule("GET", "/metrics", SUPERVISOR),
];

pub fn rule_for(method: &Method, path: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.path == path && r.method == method.as_str())
}

/// The access check, run for every matched route before its handler.
pub async fn check(State(services): State<Services>, mut req: Request, next: Next) -> Response {
    let path = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_else(|| req.uri().path().to_string());
    let page = !path.starts_with("/api/");
    let Some(rule) = rule_for(req.method(), &path) else {
        if RULES.iter().any(|r| r.path == path) {
            return ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                format!("{} is not allowed on {path}", req.method()),
            )
            .into_response();
        }
        tracing::warn!(method = %req.method(), %path, "refused: no access rule for this route");
        return ApiError::forbidden(format!("{} {path} has no access rule, so it is refused", req.method()))
            .into_response();
    };
    let principal = match identify(&services, req.headers()).await {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    let by_cookie = principal.as_ref().is_none_or(|p| p.user_id.is_some());
    if by_cookie && !is_safe(req.method()) && !same_origin(req.headers()) {
        return ApiError::forbidden("cross-site request refused: browser writes must come from this site")
            .into_response();
    }
    if let Need::Role(needed) = rule.need {
        match &principal {
            None if page => {
                let next = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/");
                return Redirect::to(&format!("/login?next={}", encode(next))).into_response();
            }
            None => {
                return ApiError::unauthorized("sign in, or send Authorization: Bearer <token>")
                    .into_response()
            }
            Some(p) if !p.actor.role.includes(needed) => {
                let problem = Problem::RoleNeeded { needed, who: p.actor.name.clone(), has: p.actor.role };
                // A signed-in user's browser gets the refusal inside the layout, in their
                // language: the app renders it instead of the page (`app::guard`), and the
                // page's server functions are refused here on their own routes. Anything else
                // (an API token) is refused outright: rendering a page runs its server
                // functions in-process, past these rules.
                if !page || p.user_id.is_none() {
                    return ApiError::from(problem).into_response();
                }
                req.extensions_mut().insert(p.clone());
                let mut response = next.run(req).await;
                *response.status_mut() = StatusCode::FORBIDDEN;
                return response;
            }
            Some(_) => {}
        }
    }
    if let Some(p) = principal {
        req.extensions_mut().insert(p);
    }
    next.run(req).await
}

/// Who is asking, for the 404 page (outside every route, so outside [`check`]): a signed-in
/// user lost on an unknown address still sees their name and menu. Static files skip the
/// session lookup; nothing is refused here.
pub async fn identify_only(State(services): State<Services>, mut req: Request, next: Next) -> Response {
    if !req.uri().path().starts_with("/pkg/") {
        if let Ok(Some(p)) = identify(&services, req.headers()).await {
            req.extensions_mut().insert(p);
        }
    }
    next.run(req).await
}

/// The caller: a bearer token wins over a cookie; an unknown token is an error, an unknown or
/// expired cookie just means "not signed in".
async fn identify(services: &Services, headers: &HeaderMap) -> Result<Option<Principal>, ApiError> {
    if let Some(auth) = headers.get(header::AUTHORIZATION) {
        let token = auth
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or_else(|| ApiError::unauthorized("the Authorization header must be: Bearer <token>"))?;
        return match tokens::authenticate(&services.db, token.trim()).await? {
            Some((name, role)) => {
                Ok(Some(Principal { actor: model::views::Actor::new(name, role), user_id: None }))
            }
            None => Err(ApiError::unauthorized("unknown API token")),
        };
    }
    let Some(secret) = session_cookie(headers) else { return Ok(None) };
    Ok(sessions::lookup(&services.db, &secret)
        .await?
        .map(|u| Principal { actor: u.actor(), user_id: Some(u.user_id) }))
}

fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(sessions::secret_in_cookie)
        .map(str::to_string)
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Origin (or, without it, Referer) must name the host the request was sent to.
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else { return false };
    let source = headers
        .get(header::ORIGIN)
        .or_else(|| headers.get(header::REFERER))
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let authority =
        source.split_once("://").map(|(_, rest)| rest.split('/').next().unwrap_or("")).unwrap_or("");
    !authority.is_empty() && authority.eq_ignore_ascii_case(host)
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_must_match_host() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, "127.0.0.1:3000".parse().unwrap());
        assert!(!same_origin(&h));
        h.insert(header::ORIGIN, "http://evil.example".parse().unwrap());
        assert!(!same_origin(&h));
        h.insert(header::ORIGIN, "http://127.0.0.1:3000".parse().unwrap());
        assert!(same_origin(&h));
    }

    #[test]
    fn every_rule_is_unique() {
        for (i, a) in RULES.iter().enumerate() {
            assert!(
                !RULES[i + 1..].iter().any(|b| a.method == b.method && a.path == b.path),
                "{} {} twice",
                a.method,
                a.path
            );
        }
    }
}

/// What [`client_info`] needs from the configuration.
#[derive(Debug, Clone, Copy)]
pub struct Web {
    pub behind_proxy: bool,
    pub secure_cookies: bool,
}

/// Tells sign-in where the request comes from and how to set cookies ([`ClientInfo`]).
pub async fn client_info(State(web): State<Web>, mut req: Request, next: Next) -> Response {
    let forwarded = web
        .behind_proxy
        .then(|| req.headers().get("x-forwarded-for").and_then(|v| v.to_str().ok()))
        .flatten()
        .and_then(|v| v.split(',').next())
        .map(|a| a.trim().to_string())
        .filter(|a| !a.is_empty());
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string());
    req.extensions_mut()
        .insert(ClientInfo { address: forwarded.or(peer), secure_cookies: web.secure_cookies });
    next.run(req).await
}
