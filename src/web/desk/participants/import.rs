//! Importing a CSV file of participants from the desk: checked whole first (all or
//! nothing), then written by `switchboard::register::import`.

use std::sync::Arc;

use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};

use crate::web::desk::layout::{self, Nav};
use crate::web::desk::text::Lang;
use crate::web::desk::{Desk, Failure};
use crate::web::AppState;

pub async fn import(
    desk: Desk,
    State(state): State<Arc<AppState>>,
    mut multipart: Multipart,
) -> Result<Response, Failure> {
    let l = desk.lang;
    let mut csrf = String::new();
    let mut file: Option<String> = None;
    let bad = |m: &str| desk.refusal(StatusCode::BAD_REQUEST, m);
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => {
                return Ok(bad(l.t(
                    "Het bestand kwam niet goed aan. Er is niets opgeslagen.",
                    "The file did not arrive properly. Nothing was saved.",
                )))
            }
        };
        match field.name() {
            Some("csrf") => csrf = field.text().await.unwrap_or_default(),
            Some("file") => match field.bytes().await {
                Ok(bytes) => match String::from_utf8(bytes.to_vec()) {
                    Ok(text) => file = Some(text),
                    Err(_) => {
                        return Ok(bad(l.t(
                            "Het bestand is geen tekst (UTF-8). Sla het op als CSV UTF-8. Er is niets opgeslagen.",
                            "The file is not text (UTF-8). Save it as CSV UTF-8. Nothing was saved.",
                        )))
                    }
                },
                Err(_) => {
                    return Ok(bad(l.t(
                        "Het bestand kwam niet goed aan. Er is niets opgeslagen.",
                        "The file did not arrive properly. Nothing was saved.",
                    )))
                }
            },
            _ => {}
        }
    }
    if let Err(r) = desk.check_csrf(&csrf) {
        return Ok(r);
    }
    let Some(text) = file.filter(|t| !t.trim().is_empty()) else {
        return Ok(bad(
            l.t("Kies eerst een bestand. Er is niets opgeslagen.", "Choose a file first. Nothing was saved.")
        ));
    };
    if !desk.is_coordinator() && crate::registry::has_coordinator_columns(&text) {
        return Ok(bad(l.t(
            "Alleen een coördinator mag de kolommen desk_only en experienced inlezen. Laat ze weg. Er is niets opgeslagen.",
            "Only a coordinator may import the columns desk_only and experienced. Leave them out. Nothing was saved.",
        )));
    }
    use crate::switchboard::register::{self, Importer, Outcome, ERRORS_SHOWN, MAX_ROWS};
    // Rows without a `neighbourhoods` field join the only neighbourhood; with several, the
    // file must name them.
    // An account limited to some neighbourhoods imports into those only.
    let plans = state.desk.plans();
    let keys: Vec<String> = plans.keys().into_iter().filter(|k| desk.scope.sees_key(k)).collect();
    let names = state.switchboard.neighbourhoods.current().category_names();
    let languages = state.switchboard.neighbourhoods.current().language_keys();
    // Reading a big file is work: off the runtime.
    let checked = tokio::task::spawn_blocking(move || {
        if let Some(rows) = register::too_many_rows(&text) {
            return Err(Err(rows));
        }
        let only = match keys.as_slice() {
            [only] => Some(only.as_str()),
            _ => None,
        };
        let known = crate::registry::Known {
            categories: &plans.categories,
            neighbourhoods: &keys,
            names: &names,
            languages: &languages,
        };
        crate::registry::parse(&text, &known)
            .and_then(|rows| crate::registry::assign(&rows, only, &keys).map(|a| (rows, a)))
            .map_err(Ok)
    })
    .await?;
    let failed = |body: Markup| {
        (StatusCode::BAD_REQUEST, layout::page(&desk, Nav::Participants, l.t("Inlezen mislukt", "Import failed"), body))
            .into_response()
    };
    let back = html! { p { a href="/desk/participants" { "← " (l.t("Deelnemers", "Participants")) } } };
    let (rows, assigned) = match checked {
        Ok(ok) => ok,
        Err(Err(rows)) => {
            return Ok(failed(html! {
                (layout::message_box(&match l {
                    Lang::Nl => format!("Het bestand heeft {rows} regels; er mogen er hoogstens {MAX_ROWS} in één keer. Er is niets opgeslagen. Verdeel het over kleinere bestanden."),
                    Lang::En => format!("The file has {rows} rows; at most {MAX_ROWS} can be read at once. Nothing was saved. Split it into smaller files."),
                }, true))
                (back)
            }))
        }
        Err(Ok(errors)) => {
            let more = errors.len().saturating_sub(ERRORS_SHOWN);
            return Ok(failed(html! {
                (layout::message_box(l.t("Het bestand heeft fouten. Er is niets opgeslagen. Verbeter deze regels en lees het opnieuw in:", "The file has errors. Nothing was saved. Fix these lines and import it again:"), true))
                ul { @for e in errors.iter().take(ERRORS_SHOWN) { li { (l.row_error(e)) } } }
                @if more > 0 {
                    p { (match l {
                        Lang::Nl => format!("En nog {more} andere regels met fouten ({} in totaal).", errors.len()),
                        Lang::En => format!("And {more} more lines with errors ({} in all).", errors.len()),
                    }) }
                }
                (back)
            }));
        }
    };
    let by = Importer { user: desk.user.name.clone(), scope: desk.scope.clone() };
    let (sb, now) = (state.switchboard.clone(), state.switchboard.clock.now());
    // The import goes on when the page has to answer before it is done.
    let importing = tokio::spawn(async move { register::import(&sb, rows, assigned, by, now).await });
    let outcome = match tokio::time::timeout(std::time::Duration::from_secs(8), importing).await {
        Ok(done) => done??,
        Err(_) => {
            return Ok((
                StatusCode::ACCEPTED,
                layout::page(&desk, Nav::Participants, l.t("Bezig met inlezen", "Importing"), html! {
                    (layout::message_box(l.t(
                        "Het bestand is goed en wordt nog opgeslagen. Kijk over een minuut bij Deelnemers; het logboek zegt wanneer het klaar is.",
                        "The file is fine and is still being saved. Look at Participants in a minute; the audit log says when it is done.",
                    ), false))
                    (back)
                }),
            )
                .into_response())
        }
    };
    if let Outcome::Outside(lines) = outcome {
        let body = html! {
            (layout::message_box(l.t("Het bestand heeft fouten. Er is niets opgeslagen. Verbeter deze regels en lees het opnieuw in:", "The file has errors. Nothing was saved. Fix these lines and import it again:"), true))
            ul { @for line in lines.iter().take(ERRORS_SHOWN) { li { (l.t("regel", "line")) " " (line) ": " (l.t(
                "dit telefoonnummer hoort bij iemand in een buurt die u niet beheert. Een coördinator van alle buurten kan deze persoon ook hier inschrijven.",
                "this phone number belongs to someone in a neighbourhood you do not manage. A coordinator of all neighbourhoods can register them here too.",
            )) } } }
            @if lines.len() > ERRORS_SHOWN {
                p { (match l {
                    Lang::Nl => format!("En nog {} andere regels.", lines.len() - ERRORS_SHOWN),
                    Lang::En => format!("And {} more lines.", lines.len() - ERRORS_SHOWN),
                }) }
            }
            (back)
        };
        return Ok(failed(body));
    }
    Ok(Redirect::to("/desk/participants?msg=imported").into_response())
}
