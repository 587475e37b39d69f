//! The users page and the audit log page.

use maud::{html, Markup};

use super::super::layout::{self, Nav};
use super::super::text::Lang;
use super::super::{Desk, DeskPlans};
use super::AuditQuery;
use crate::domain::desk::Role;
use crate::switchboard::desk::accounts::{AuditEntry, User};

/// The users page: every account, its role, access and neighbourhoods, and the form to
/// add one.
pub(super) fn users(desk: &Desk, users: &[User], plans: &DeskPlans, message: Option<(&str, bool)>) -> Markup {
    let l = desk.lang;
    // With one neighbourhood on the install, limits mean nothing and are not shown.
    let several = plans.neighbourhoods.len() > 1;
    let role_name =
        |r: Role| if r == Role::Coordinator { l.t("coördinator", "coordinator") } else { l.t("balie", "desk") };
    let body = html! {
        @if let Some((m, e)) = message { (layout::message_box(m, e)) }
        (layout::scroll(l, html! { table {
            thead { tr { th scope="col" { (l.t("Naam", "Name")) } th scope="col" { (l.t("Rol", "Role")) } th scope="col" { (l.t("Stand", "Status")) } @if several { th scope="col" { (l.t("Buurten", "Neighbourhoods")) } } th scope="col" { (l.t("Wijzigen", "Change")) } } }
            tbody { @for u in users {
                tr {
                    @let me = u.id == desk.user.id;
                    td { (u.name) @if me { " " span.muted { (l.t("(uzelf)", "(you)")) } } }
                    td { (role_name(u.role)) }
                    td { @if u.disabled { span.status.red { (l.t("Uitgeschakeld", "Disabled")) } } @else { (l.t("Actief", "Active")) } }
                    @if several { td { (reach_of(l, plans, &u.neighbourhoods)) } }
                    td {
                        // Nobody takes away their own access from this page: another
                        // coordinator does, or `burenlijn desk` on the server.
                        @if !me {
                            form.inline method="post" action=(format!("/desk/users/{}", u.id)) {
                                (layout::csrf(desk))
                                @if u.role == Role::Desk {
                                    button.secondary type="submit" name="action" value="make-coordinator" { (l.t("Maak coördinator", "Make coordinator")) }
                                } @else {
                                    button.secondary type="submit" name="action" value="make-desk" { (l.t("Maak balie", "Make desk")) }
                                }
                                " "
                                @if u.disabled {
                                    button.secondary type="submit" name="action" value="enable" { (l.t("Inschakelen", "Enable")) }
                                }
                            }
                            @if several {
                                details {
                                    summary { (l.t("Buurten wijzigen…", "Change neighbourhoods…")) }
                                    form.stack method="post" action=(format!("/desk/users/{}", u.id)) {
                                        (layout::csrf(desk))
                                        input type="hidden" name="action" value="neighbourhoods";
                                        (reach_fields(l, plans, &format!("reach-{}", u.id), &u.neighbourhoods))
                                        button type="submit" { (l.t("Opslaan", "Save")) }
                                    }
                                }
                            }
                            @if !u.disabled {
                                details {
                                    summary { (l.t("Uitschakelen…", "Disable…")) }
                                    form.stack method="post" action=(format!("/desk/users/{}", u.id)) {
                                        (layout::csrf(desk))
                                        p { (u.name) " " (l.t("kan dan niet meer inloggen. Weet u het zeker?", "will no longer be able to log in. Are you sure?")) }
                                        button type="submit" name="action" value="disable" { (l.t("Ja, uitschakelen", "Yes, disable")) }
                                    }
                                }
                            }
                        }
                        details {
                            summary { (l.t("Nieuw wachtwoord geven", "Set a new password")) }
                            form.stack method="post" action=(format!("/desk/users/{}", u.id)) {
                                (layout::csrf(desk))
                                input type="hidden" name="action" value="password";
                                label for=(format!("pw-{}", u.id)) { (l.t("Nieuw wachtwoord", "New password")) }
                                input id=(format!("pw-{}", u.id)) type="password" name="password" autocomplete="new-password" required minlength="10";
                                button type="submit" { (l.t("Opslaan", "Save")) }
                            }
                        }
                    }
                }
            } }
        } }))
        h2 { (l.t("Iemand toevoegen", "Add someone")) }
        form.stack method="post" action="/desk/users" {
            (layout::csrf(desk))
            label for="name" { (l.t("Naam", "Name")) }
            input #name type="text" name="name" required maxlength="60" autocomplete="off";
            label for="role" { (l.t("Rol", "Role")) }
            select #role name="role" {
                option value="desk" { (l.t("balie: gesprekken, opvolgen, deelnemers, cijfers", "desk: calls, follow-up, participants, figures")) }
                option value="coordinator" { (l.t("coördinator: ook gebruikers, wissen en logboek", "coordinator: also users, erasing and the audit log")) }
            }
            label for="password" { (l.t("Eerste wachtwoord", "First password")) span.hint { (l.t("Minstens 10 tekens. Geef het persoonlijk door; de nieuwe gebruiker kan het zelf wijzigen.", "At least 10 characters. Hand it over in person; the new user can change it.")) } }
            input #password type="password" name="password" autocomplete="new-password" required minlength="10";
            @if several { (reach_fields(l, plans, "reach-new", &[])) }
            button type="submit" { (l.t("Toevoegen", "Add")) }
        }
    };
    layout::page(desk, Nav::Users, l.t("Gebruikers", "Users"), body)
}

/// Which neighbourhoods an account sees, in words: "alle" or their names.
pub(super) fn reach_of(l: Lang, plans: &DeskPlans, keys: &[String]) -> String {
    if keys.is_empty() {
        return l.t("alle", "all").to_string();
    }
    let names: Vec<&str> = keys
        .iter()
        .map(|k| plans.neighbourhoods.iter().find(|(key, _)| key == k).map(|(_, n)| n.as_str()).unwrap_or(k.as_str()))
        .collect();
    names.join(", ")
}

/// The choice between all neighbourhoods and only some, ticked.
pub(super) fn reach_fields(l: Lang, plans: &DeskPlans, id: &str, keys: &[String]) -> Markup {
    html! {
        fieldset {
            legend { (l.t("Buurten", "Neighbourhoods")) span.hint { (l.t("Een account voor één dorp of wijk ziet niets van de andere.", "An account for one village or district sees nothing of the others.")) } }
            label.check { input type="radio" name="reach" value="all" id=(format!("{id}-all")) checked[keys.is_empty()]; (l.t("Alle buurten", "All neighbourhoods")) }
            label.check { input type="radio" name="reach" value="some" id=(format!("{id}-some")) checked[!keys.is_empty()]; (l.t("Alleen de buurten hieronder", "Only the neighbourhoods below")) }
            @for (key, name) in &plans.neighbourhoods {
                label.check { input type="checkbox" name="neighbourhoods" value=(key) checked[keys.contains(key)]; (name) }
            }
        }
    }
}

/// One line of the log as shown: page views by one person of one participant on one day
/// are one line, with how often.
struct Line<'a> {
    entry: &'a AuditEntry,
    times: usize,
}

/// Views and plays (reading, not changing) fold into one line per person, participant,
/// action and day.
fn summarised<'a>(entries: &'a [AuditEntry], tz: &jiff::tz::TimeZone) -> Vec<Line<'a>> {
    let mut lines: Vec<Line<'a>> = Vec::new();
    for e in entries {
        let day = e.at.to_zoned(tz.clone()).date();
        let same = lines.iter_mut().find(|l| {
            e.recorded.kind().is_some_and(|k| k.is_reading())
                && l.entry.recorded.word() == e.recorded.word()
                && l.entry.user_name == e.user_name
                && l.entry.participant_id == e.participant_id
                && l.entry.at.to_zoned(tz.clone()).date() == day
        });
        match same {
            Some(line) => line.times += 1,
            None => lines.push(Line { entry: e, times: 1 }),
        }
    }
    lines
}

/// What the audit log page shows.
pub(super) struct AuditPage<'a> {
    pub query: &'a AuditQuery,
    pub users: &'a [User],
    /// The entries, newest first, at most a page.
    pub entries: &'a [AuditEntry],
    /// Whether older entries follow.
    pub more: bool,
    pub tz: &'a jiff::tz::TimeZone,
}

/// The audit log page: the filters, the lines, and the way to older ones.
pub(super) fn audit(desk: &Desk, page: AuditPage<'_>) -> Markup {
    let l = desk.lang;
    let AuditPage { query, users, entries, more, tz } = page;
    let tz = tz.clone();
    let lines = summarised(entries, &tz);
    let next = {
        let mut q = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [("participant", &query.participant), ("user", &query.user), ("day", &query.day)] {
            if !v.is_empty() {
                q.append_pair(k, v);
            }
        }
        q.finish()
    };
    let body = html! {
        p { (l.t("Wie heeft wanneer gegevens van deelnemers bekeken of gewijzigd. Bekijken wordt per persoon per dag samengevat.", "Who viewed or changed participants' data, and when. Viewing is summarised per person per day.")) }
        form.filters method="get" action="/desk/audit" aria-label=(l.t("Logboek filteren", "Filter the audit log")) {
            div { label for="a-user" { (l.t("Account", "Account")) } br;
                select #a-user name="user" {
                    option value="" { (l.t("Iedereen", "Everyone")) }
                    @for u in users { option value=(u.name) selected[query.user == u.name] { (u.name) } }
                }
            }
            div { label for="a-day" { (l.t("Dag", "Day")) } br; input #a-day type="date" name="day" value=(query.day); }
            @if !query.participant.is_empty() { input type="hidden" name="participant" value=(query.participant); }
            div { button type="submit" { (l.t("Filteren", "Filter")) } " " a.button.secondary href="/desk/audit" { (l.t("Wissen", "Clear")) } }
        }
        @if lines.is_empty() { p { (l.t("Geen regels.", "No entries.")) } }
        (layout::scroll(l, html! { table.audit {
            thead { tr { th scope="col" { (l.t("Wanneer", "When")) } th scope="col" { (l.t("Wie", "Who")) } th scope="col" { (l.t("Wat", "What")) } th scope="col" { (l.t("Deelnemer", "Participant")) } th.wide scope="col" { (l.t("Details", "Details")) } } }
            tbody { @for line in &lines {
                @let e = line.entry;
                tr {
                    td.when { (l.when_short(e.at, &tz)) } td { (l.audit_who(&e.user_name)) }
                    td { (l.audit_action(&e.recorded)) @if line.times > 1 { " " span.muted { "(" (line.times) "×)" } } }
                    td { @if let Some(p) = e.participant_id {
                        a href=(format!("/desk/audit?participant={p}")) {
                            @match &e.participant_name { Some(name) => { (name) }, None => { (l.t("gewist", "erased")) " (#" (p) ")" } }
                        }
                    } }
                    td.wide { (l.audit_detail(&e.recorded)) }
                }
            } }
        } }))
        @if more { @if let Some(last) = entries.last() {
            p { a.button.secondary href=(format!("/desk/audit?{next}{}before={}", if next.is_empty() { "" } else { "&" }, last.id)) { (l.t("Oudere regels", "Older entries")) " →" } }
        } }
    };
    layout::page(desk, Nav::Audit, l.t("Logboek", "Audit log"), body)
}
