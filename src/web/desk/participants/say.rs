//! A participant's say over who comes (issue 27) on the participant form: the resident's
//! own wishes (where their helpers come from; when their street is named), which any desk
//! account may fill in as the resident asks, and the coordinator's marks (desk only;
//! experienced in some kinds of help), which only a coordinator sees and sets.

use maud::{html, Markup};

use crate::domain::participant::{yes_no, ParticipantDetails, Say, SayInput};
use crate::web::desk::text::Lang;
use crate::web::desk::{Desk, DeskPlans, DeskState, Fields};

/// The form's name of a field of the say, for its errors.
pub(super) fn label(l: Lang, field: &str) -> Option<&'static str> {
    Some(match field {
        "helpers_from" => l.t("Hulp van", "Help from"),
        "street_said" => l.t("Straat noemen", "Name the street"),
        "desk_only" => l.t("Alleen via de balie", "Desk only"),
        "experienced" => l.t("Ervaren in", "Experienced in"),
        _ => return None,
    })
}

/// The say typed on the form. `kept`: the marks an account that is no coordinator cannot
/// change (what is stored, or nothing for someone new).
pub(super) fn parse(
    f: &Fields,
    plans: &DeskPlans,
    details: ParticipantDetails,
    kept: Option<&Say>,
) -> Result<ParticipantDetails, crate::domain::participant::FieldError> {
    let experienced = f.all("experienced").join(";");
    let input = SayInput {
        helpers_from: f.get("helpers_from"),
        street: f.get("street_said"),
        desk_only: f.get("desk_only"),
        experienced: &experienced,
    };
    let mut say = Say::parse(&input, &plans.categories)?;
    if let Some(kept) = kept {
        say.desk_only = kept.desk_only;
        say.experienced = kept.experienced.clone();
    }
    Ok(ParticipantDetails { say: Some(say), ..details })
}

/// The form's values of a stored say.
pub(super) fn values(say: &Say) -> Vec<(String, String)> {
    let mut v = vec![
        ("helpers_from".to_string(), say.helpers_from.as_str().to_string()),
        ("street_said".to_string(), say.street.as_str().to_string()),
        ("desk_only".to_string(), yes_no(say.desk_only).to_string()),
    ];
    v.extend(say.experienced.iter().map(|k| ("experienced".to_string(), k.clone())));
    v
}

/// The form's fields: the resident's wishes; for a coordinator, the marks too.
pub(super) fn fields(desk: &Desk, ds: &DeskState, values: &Fields) -> Markup {
    let l = desk.lang;
    let (from, street) = (values.get("helpers_from"), values.get("street_said"));
    html! {
        fieldset {
            legend { (l.t("Als deze persoon hulp vraagt", "When this person asks for help")) }
            label for="helpers_from" { (l.t("Hulp van", "Help from")) span.hint { (l.t("Wie er mag komen: dichtbij, verder weg, of maakt niet uit.", "Who may come: from near by, from further away, or either.")) } }
            select #helpers_from name="helpers_from" {
                @for d in ["any", "near", "not-own-street"] { option value=(d) selected[from == d || (from.is_empty() && d == "any")] { (l.helpers_from(d)) } }
            }
            label for="street_said" { (l.t("Straat noemen", "Name the street")) span.hint { (l.t("Wanneer een buur die helpt de voornaam en de straat hoort.", "When a helper hears the first name and the street.")) } }
            select #street_said name="street_said" {
                @for s in ["always", "after-yes"] { option value=(s) selected[street == s || (street.is_empty() && s == "always")] { (l.street_said(s)) } }
            }
        }
        @if desk.is_coordinator() {
            @let experienced = values.all("experienced");
            fieldset {
                legend { (l.t("Door de coördinator", "Set by the coordinator")) }
                label.check { input type="checkbox" name="desk_only" value="yes" checked[values.get("desk_only") == "yes"]; (l.t("Alleen via de balie: niemand wordt gebeld, de vraag komt bij de balie", "Desk only: nobody is rung, the request goes to the desk")) }
                p.hint { (l.t("Ervaren in (voor soorten hulp die om ervaren buren vragen):", "Experienced in (for kinds of help that ask for experienced helpers):")) }
                @for c in &ds.plans().categories {
                    label.check { input type="checkbox" name="experienced" value=(c) checked[experienced.contains(&c.as_str())]; (ds.category(l, Some(c))) }
                }
            }
        }
    }
}
