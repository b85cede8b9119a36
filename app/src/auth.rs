//! Signing in and out, and who is signed in. The session lives in the database; the browser
//! holds an HttpOnly cookie with its secret. Pages and server functions are guarded by the
//! server's access rules; this module only tells the UI who the user is.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use model::views::Role;
use serde::{Deserialize, Serialize};

use crate::errors::AppError;
use crate::i18n::{tr, use_lang};
use crate::labels::Label;
use crate::refusals::error_text;
#[cfg(feature = "ssr")]
use crate::server::{fail, refuse, services};
#[cfg(feature = "ssr")]
use http::header::SET_COOKIE;
#[cfg(feature = "ssr")]
use http::HeaderValue;
#[cfg(feature = "ssr")]
use leptos_axum::ResponseOptions;
#[cfg(feature = "ssr")]
use model::accounts::{sessions, throttle, ClientInfo};
#[cfg(feature = "ssr")]
use model::views::Problem;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Me {
    pub name: String,
    pub role: Role,
}

#[server(endpoint = "sign_in", input = Json)]
pub async fn sign_in(name: String, password: String) -> Result<Me, AppError> {
    let services = services()?;
    let name = name.trim();
    let client = client();
    let admitted = match throttle::admit(&services.db, name, client.address.as_deref()).await.map_err(fail)? {
        Ok(admitted) => admitted,
        Err(wait) => return Err(refuse(Problem::Throttled { minutes: wait.as_secs() / 60 + 1 })),
    };
    let Some((secret, user)) = sessions::sign_in(&services.db, name, &password).await.map_err(fail)? else {
        return Err(refuse(Problem::WrongCredentials));
    };
    throttle::succeeded(&services.db, admitted).await.map_err(fail)?;
    let max_age = sessions::LIFETIME.num_seconds();
    let secure = secure(&client);
    set_cookie(format!(
        "{}={secret}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}",
        sessions::COOKIE
    ));
    if let Some(lang) = &user.lang {
        set_cookie(format!("lang={lang}; Path=/; Max-Age=31536000; SameSite=Lax{secure}"));
    }
    Ok(Me { name: user.name, role: user.role })
}

#[server(endpoint = "sign_out", input = Json)]
pub async fn sign_out() -> Result<(), AppError> {
    let services = services()?;
    let headers = use_context::<http::request::Parts>().map(|p| p.headers).unwrap_or_default();
    let secret = headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(sessions::secret_in_cookie)
        .map(str::to_string);
    if let Some(secret) = secret {
        sessions::sign_out(&services.db, &secret).await.map_err(fail)?;
    }
    set_cookie(format!(
        "{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{}",
        sessions::COOKIE,
        secure(&client())
    ));
    Ok(())
}

#[server(endpoint = "who_am_i", input = Json)]
pub async fn who_am_i() -> Result<Option<Me>, AppError> {
    Ok(crate::server::principal().map(|p| Me { name: p.actor.name, role: p.actor.role }))
}

#[cfg(feature = "ssr")]
fn set_cookie(value: String) {
    if let (Some(response), Ok(v)) = (use_context::<ResponseOptions>(), HeaderValue::from_str(&value)) {
        response.append_header(SET_COOKIE, v);
    }
}

#[cfg(feature = "ssr")]
fn client() -> ClientInfo {
    use_context::<http::request::Parts>()
        .and_then(|p| p.extensions.get::<ClientInfo>().cloned())
        .unwrap_or_default()
}

/// `; Secure` when the server is reached over TLS (config `secure_cookies`).
#[cfg(feature = "ssr")]
fn secure(client: &ClientInfo) -> &'static str {
    if client.secure_cookies {
        "; Secure"
    } else {
        ""
    }
}

/// Who is signed in, loaded once per page and shared.
pub fn provide_me() -> Resource<Option<Me>> {
    let me = Resource::new(|| (), |_| async { who_am_i().await.ok().flatten() });
    provide_context(me);
    me
}

pub fn use_me() -> Resource<Option<Me>> {
    expect_context::<Resource<Option<Me>>>()
}

/// Where to go after signing in: a path on this site, or `/`. `//host` and `/\\host` are
/// other sites to a browser, so they are refused like any absolute address.
fn local_path(next: Option<String>) -> String {
    next.filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\"))
        .unwrap_or_else(|| "/".into())
}

#[component]
pub fn SignIn() -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    let name = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let query = leptos_router::hooks::use_query_map();
    let action = Action::new(|(name, password): &(String, String)| {
        let (name, password) = (name.clone(), password.clone());
        async move { sign_in(name, password).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = action.value().get() {
            let next = local_path(query.read_untracked().get("next"));
            // A full load, so the server renders the next page with the new session.
            let _ = window().location().set_href(&next);
        }
    });
    view! {
        <section class="page narrow">
            <h1>{move || t("signin.title")}</h1>
            <form
                class="panel form"
                data-testid="signin-form"
                on:submit={move |ev| {
                    ev.prevent_default();
                    action.dispatch((name.get_untracked(), password.get_untracked()));
                }}
            >
                <label>
                    {move || t("signin.name")}
                    <input name="name" autocomplete="username" bind:value={name} required />
                </label>
                <label>
                    {move || t("signin.password")}
                    <input
                        name="password"
                        type="password"
                        autocomplete="current-password"
                        bind:value={password}
                        required
                    />
                </label>
                <button type="submit" class="primary" disabled={move || action.pending().get()}>
                    {move || t("signin.submit")}
                </button>
                {move || match action.value().get() {
                    Some(Err(e)) => {
                        view! {
                            <p class="error" data-testid="signin-error">
                                {error_text(&e)}
                            </p>
                        }
                            .into_any()
                    }
                    _ => ().into_any(),
                }}
            </form>
        </section>
    }
}

/// The signed-in user's name and role with a sign-out button, or a sign-in link.
#[component]
pub fn UserMenu() -> impl IntoView {
    let lang = use_lang();
    let t = move |key| tr(lang.get(), key);
    let me = use_me();
    let out = Action::new(|_: &()| sign_out());
    Effect::new(move |_| {
        if let Some(Ok(())) = out.value().get() {
            let _ = window().location().set_href("/login");
        }
    });
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                match me.await {
                    Some(me) => {
                        view! {
                            <span class="user" data-testid="user">
                                {me.name.clone()}
                                " · "
                                <small>{move || me.role.label(lang.get())}</small>
                            </span>
                            <button
                                class="ghost"
                                data-testid="sign-out"
                                on:click={move |_| {
                                    out.dispatch(());
                                }}
                            >
                                {move || t("signin.out")}
                            </button>
                        }
                            .into_any()
                    }
                    None => {
                        view! {
                            <a href="/login" data-testid="sign-in-link">
                                {move || t("signin.title")}
                            </a>
                        }
                            .into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_in_refusals_are_shown_in_the_users_language() {
        use crate::errors::AppError;
        use crate::i18n::Lang;
        use model::views::Problem;
        let wrong = AppError::from(Problem::WrongCredentials);
        assert_eq!(wrong.text(Lang::Zh), "用户名或密码错误");
        assert_eq!(wrong.text(Lang::En), "wrong name or password");
        let throttled = AppError::from(Problem::Throttled { minutes: 12 });
        assert_eq!(throttled.text(Lang::Zh), "登录失败次数过多，请 12 分钟后再试");
        assert_eq!(throttled.text(Lang::En), "too many failed sign-ins: try again in 12 minutes");
    }

    #[test]
    fn only_paths_of_this_site_are_followed_after_sign_in() {
        assert_eq!(local_path(Some("/inbox?x=1".into())), "/inbox?x=1");
        for outside in ["//evil.example", "/\\evil.example", "https://evil.example", "evil.example", ""] {
            assert_eq!(local_path(Some(outside.into())), "/", "{outside}");
        }
        assert_eq!(local_path(None), "/");
    }
}
