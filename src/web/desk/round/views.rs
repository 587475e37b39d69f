//! The good-morning round's page: the residents, this morning's stages, the enrolment
//! form and the log of the round's calls.

use maud::{html, Markup};

use super::super::layout::{self, Nav};
use super::super::text::Lang;
use super::super::Desk;
use crate::domain::hours::{days_text, hh_mm};
use crate::switchboard::desk::round::{Resident, Seen};
use crate::switchboard::round::Enrolling;
use crate::web::AppState;

const DAYS_NL: [&str; 7] = ["ma", "di", "wo", "do", "vr", "za", "zo"];
const DAYS_EN: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const CONTACT_FIELDS: usize = 2;

fn stage_text(l: Lang, stage: Option<&str>) -> (&'static str, &'static str) {
    match stage {
        None => ("", l.t("Nog niet gebeld", "Not called yet")),
        Some("answered") => ("green", l.t("Alles goed", "All well")),
        Some("asked-for-help") => ("green", l.t("Vroeg om hulp", "Asked for help")),
        Some("confirmed") => ("amber", l.t("Contactpersoon gaat kijken", "A contact goes to look")),
        Some("desk-alerted") => ("red", l.round_alarm(false)),
        Some("missed") => ("red", l.round_alarm(true)),
        Some("calling-contact") => ("amber", l.t("Belt een contactpersoon", "Calling a contact")),
        Some(_) => ("amber", l.t("Bezig", "In progress")),
    }
}

/// What the page says on top: a message (an error or not), or that a resident was taken
/// out of the round, with the button that undoes it.
pub(super) enum Said<'a> {
    Message(String, bool),
    Removed(&'a Resident),
}

/// What stops when a resident is taken out of the round.
fn what_stops(l: Lang, name: &str) -> String {
    match l {
        Lang::Nl => format!("De ronde belt {name} dan niet meer elke ochtend, en belt ook de contactpersonen niet meer. Het logboek blijft."),
        Lang::En => format!("The round then no longer calls {name} every morning, nor their contacts. The log stays."),
    }
}

/// After taking a resident out: what stopped, and a button that enrols them again as they
/// were (time, days, contacts, tries, days away and pause).
fn undo_remove(desk: &Desk, r: &Resident) -> Markup {
    let l = desk.lang;
    let e = &r.enrolment;
    let at = hh_mm(e.at.hour() as u16 * 60 + e.at.minute() as u16);
    html! {
        div.message.ok role="status" {
            p { strong { (r.name) " " (l.t("is afgemeld.", "was removed from the round.")) } " " (what_stops(l, &r.name)) }
            form method="post" action="/desk/round" {
                (layout::csrf(desk))
                input type="hidden" name="resident" value=(r.phone.as_str());
                input type="hidden" name="at" value=(at);
                @for (i, day) in DAYS_EN.iter().enumerate() { @if e.days & (1 << i) != 0 { input type="hidden" name="day" value=(day); } }
                @for c in &r.contacts { input type="hidden" name="contact" value=(c.phone.as_str()); }
                input type="hidden" name="neighbourhood" value=(r.neighbourhood);
                input type="hidden" name="tries" value=(e.tries);
                input type="hidden" name="retry" value=(e.retry_minutes);
                @if let Some((from, until)) = e.away {
                    input type="hidden" name="away-from" value=(from.to_string());
                    input type="hidden" name="away-until" value=(until.to_string());
                }
                @if e.paused { input type="hidden" name="was-paused" value="yes"; }
                button.secondary type="submit" { (l.t("Ongedaan maken: weer aanmelden", "Undo: enrol again")) }
            }
        }
    }
}

pub(super) fn render(desk: &Desk, state: &AppState, seen: Seen, form: &Enrolling, said: Option<Said<'_>>) -> Markup {
    let l = desk.lang;
    let tz = &state.desk.time_zone;
    let names = if l == Lang::Nl { &DAYS_NL } else { &DAYS_EN };
    let form_days = crate::domain::hours::parse_day_names(&form.days).unwrap_or(0);
    let body = html! {
        @match &said {
            Some(Said::Message(m, is_error)) => { (layout::message_box(m, *is_error)) },
            Some(Said::Removed(r)) => { (undo_remove(desk, r)) },
            None => {},
        }
        p.message.ok role="note" {
            (l.t(
                "De goedemorgenronde is een dagelijks belletje ter geruststelling voor wie alleen woont. Het is geen alarmdienst: bij spoed belt u 112.",
                "The good-morning round is a daily reassurance call for people who live alone. It is not an emergency service: in an emergency, call 112.",
            ))
        }
        h2 { (l.t("Wie er elke ochtend gebeld wordt", "Who is called every morning")) }
        @if seen.residents.is_empty() {
            p { (l.t("Nog niemand. Meld hieronder iemand aan.", "Nobody yet. Enrol someone below.")) }
        } @else {
            (layout::scroll(l, html! {
                table #round-residents {
                    caption.sr-only { (l.t("Bewoners in de goedemorgenronde", "Residents in the good-morning round")) }
                    thead { tr {
                        th scope="col" { (l.t("Bewoner", "Resident")) }
                        th scope="col" { (l.t("Tijd en dagen", "Time and days")) }
                        th scope="col" { (l.t("Contactpersonen", "Contacts")) }
                        th scope="col" { (l.t("Vandaag", "Today")) }
                        th scope="col" { (l.t("Weg of pauze", "Away or paused")) }
                    } }
                    tbody {
                        @for (r, stage) in &seen.residents {
                            @let (class, words) = stage_text(l, stage.as_deref());
                            tr data-status=[(!class.is_empty()).then_some(class)] {
                                td { a href=(format!("/desk/participants/{}", r.participant_id)) { (r.name) } @if !r.street.is_empty() { br; span.muted { (r.street) } } }
                                td { (hh_mm(r.enrolment.at.hour() as u16 * 60 + r.enrolment.at.minute() as u16)) br; span.muted { (days_text(r.enrolment.days, names)) } }
                                td { (layout::contact_list(&r.contacts)) }
                                td { @if class.is_empty() { (words) } @else { span class=(format!("status {class}")) { (words) } } }
                                td {
                                    @if r.enrolment.paused {
                                        p { (l.t("Gepauzeerd tot de bewoner zelf weer belt", "Paused until the resident calls again")) }
                                    }
                                    @if let Some((from, until)) = r.enrolment.away {
                                        p { (l.t("Weg van", "Away from")) " " (from) " " (l.t("tot en met", "up to and including")) " " (until) }
                                    }
                                    form.stack method="post" action=(format!("/desk/round/{}/away", r.participant_id)) {
                                        (layout::csrf(desk))
                                        label for=(format!("from-{}", r.participant_id)) { (l.t("Weg van", "Away from")) }
                                        input type="date" id=(format!("from-{}", r.participant_id)) name="from" value=[r.enrolment.away.map(|a| a.0.to_string())];
                                        label for=(format!("until-{}", r.participant_id)) { (l.t("tot en met", "up to and including")) }
                                        input type="date" id=(format!("until-{}", r.participant_id)) name="until" value=[r.enrolment.away.map(|a| a.1.to_string())];
                                        button.secondary type="submit" { (l.t("Dagen weg opslaan", "Save days away")) }
                                    }
                                    form method="post" action=(format!("/desk/round/{}/pause", r.participant_id)) {
                                        (layout::csrf(desk))
                                        @if r.enrolment.paused {
                                            button.secondary type="submit" name="paused" value="no" { (l.t("Weer elke ochtend bellen", "Call every morning again")) }
                                        } @else {
                                            button.secondary type="submit" name="paused" value="yes" { (l.t("Pauzeren tot de bewoner belt", "Pause until the resident calls")) }
                                        }
                                    }
                                    details.confirm {
                                        summary { (l.t("Afmelden…", "Remove from the round…")) }
                                        form.stack method="post" action=(format!("/desk/round/{}/remove", r.participant_id)) {
                                            (layout::csrf(desk))
                                            p { (what_stops(l, &r.name)) " " (l.t("Weet u het zeker?", "Are you sure?")) }
                                            button.danger type="submit" { (l.t("Ja, afmelden", "Yes, remove")) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }))
        }
        h2 #enrol { (l.t("Iemand aanmelden", "Enrol someone")) }
        form.stack method="post" action="/desk/round" {
            (layout::csrf(desk))
            label for="r-resident" { (l.t("Bewoner", "Resident")) span.hint { (l.t("Een deelnemer; nog niet ingeschreven? Voeg hem of haar eerst toe bij Deelnemers.", "A participant; not registered yet? Add them under Participants first.")) } }
            select #r-resident name="resident" required {
                option value="" { (l.t("Kies…", "Choose…")) }
                @for (_, name, phone) in &seen.candidates {
                    option value=(phone) selected[*phone == form.resident_phone] { (name) }
                }
            }
            label for="r-at" { (l.t("Tijd", "Time")) span.hint { (l.t("Binnen de uren waarin de centrale belt.", "Within the hours the switchboard rings.")) } }
            input #r-at type="time" name="at" value=(form.at) required;
            fieldset {
                legend { (l.t("Dagen", "Days")) }
                @for (i, day) in names.iter().enumerate() {
                    label.check { input type="checkbox" name="day" value=(DAYS_EN[i]) checked[form_days & (1 << i) != 0]; (day) }
                }
            }
            @for i in 0..CONTACT_FIELDS {
                label for=(format!("r-contact-{i}")) {
                    (l.t("Contactpersoon", "Contact")) " " (i + 1)
                    span.hint { @if i == 0 { (l.t("Telefoonnummer van een buur met een sleutel, of familie. Wordt gebeld als de bewoner niet opneemt.", "Phone number of a neighbour with a key, or family. Called when the resident does not answer.")) } @else { (l.t("Niet verplicht; gebeld als de eerste niet kan.", "Optional; called when the first cannot.")) } }
                }
                input type="tel" id=(format!("r-contact-{i}")) name="contact" value=(form.contacts.get(i).cloned().unwrap_or_default()) autocomplete="off";
            }
            p.hint { (l.t("De bewoner krijgt bij het eerste belletje te horen dat dit geen alarmdienst is.", "The first call tells the resident that this is not an emergency service.")) }
            button type="submit" { (l.t("Aanmelden", "Enrol")) }
        }
        h2 { (l.t("Logboek van de ronde", "Log of the round")) }
        @if seen.log.is_empty() {
            p { (l.t("De ronde heeft nog niet gebeld.", "The round has made no calls yet.")) }
        } @else {
            (layout::scroll(l, html! {
                table #round-log {
                    caption.sr-only { (l.t("De laatste belletjes van de ronde, nieuwste bovenaan", "The round's latest calls, newest first")) }
                    thead { tr {
                        th scope="col" { (l.t("Wanneer", "When")) }
                        th scope="col" { (l.t("Bewoner", "Resident")) }
                        th scope="col" { (l.t("Gebeld", "Called")) }
                        th scope="col" { (l.t("Uitkomst", "Result")) }
                    } }
                    tbody {
                        @for r in &seen.log {
                            tr {
                                td.when { (l.when(jiff::Timestamp::from_second(r.at).unwrap_or(jiff::Timestamp::UNIX_EPOCH), tz)) }
                                td { (r.resident) }
                                td { (l.round_who(&r.who, r.n)) }
                                td { (l.round_result(r.result)) @if let Some(by) = &r.confirmed_by { " (" (by) ")" } }
                            }
                        }
                    }
                }
            }))
        }
    };
    layout::page(desk, Nav::Round, l.t("Goedemorgenronde", "Good-morning round"), body)
}
