//! The login page and the account page.

use maud::{html, Markup};

use super::super::layout::{self, bare_page, message_box, Nav};
use super::super::Desk;

pub(super) fn login_form(token: &str, next: &str, name: &str, message: Option<(&str, bool)>) -> Markup {
    bare_page(
        "Inloggen",
        html! {
            h1 { "Inloggen " span.muted lang="en" { "/ Log in" } }
            @if let Some((m, is_error)) = message { (message_box(m, is_error)) }
            form.stack method="post" action="/desk/login" {
                input type="hidden" name="csrf" value=(token);
                input type="hidden" name="next" value=(next);
                label for="name" { "Naam " span.hint lang="en" { "Name" } }
                input #name type="text" name="name" value=(name) autocomplete="username" required autofocus;
                label for="password" { "Wachtwoord " span.hint lang="en" { "Password" } }
                input #password type="password" name="password" autocomplete="current-password" required;
                button type="submit" { "Inloggen" }
            }
        },
    )
}

pub(super) fn account_page(desk: &Desk, message: Option<(&str, bool)>) -> Markup {
    let l = desk.lang;
    layout::page(
        desk,
        Nav::None,
        l.t("Mijn account", "My account"),
        html! {
            p { (l.t("U bent ingelogd als", "You are logged in as")) " " strong { (desk.user.name) } " (" (if desk.is_coordinator() { l.t("coördinator", "coordinator") } else { l.t("balie", "desk") }) ")." }
            h2 { (l.t("Wachtwoord wijzigen", "Change password")) }
            @if let Some((m, e)) = message { (message_box(m, e)) }
            form.stack method="post" action="/desk/account" {
                (layout::csrf(desk))
                label for="current" { (l.t("Huidig wachtwoord", "Current password")) }
                input #current type="password" name="current" autocomplete="current-password" required;
                label for="new" { (l.t("Nieuw wachtwoord", "New password")) span.hint { (l.t("Minstens 10 tekens. Een korte zin werkt goed.", "At least 10 characters. A short sentence works well.")) } }
                input #new type="password" name="new" autocomplete="new-password" required minlength="10";
                label for="again" { (l.t("Nieuw wachtwoord nog een keer", "New password again")) }
                input #again type="password" name="again" autocomplete="new-password" required;
                button type="submit" { (l.t("Wachtwoord wijzigen", "Change password")) }
            }
        },
    )
}
