//! A helper's help for later by phone (issue 28, "Helpers by phone"), under 8.
//!
//! Where it sits: 4 in one's own settings reads out what and when a helper is rung for;
//! a helper who has planned help, or may take an open request, then hears one more menu,
//! "uw hulp op een andere dag", and 4 says so ("... en uw hulp op een andere dag"). The
//! top level keeps its three choices and every key keeps what it did. The menu: their
//! planned help (1, "uw afspraken") and the open requests they may take (2), with 0 (a
//! person) and `*` (back). Each is then said one by one:
//!
//! - planned help: "Op dinsdag 8 december om 10 uur helpt u Jan uit de Kerkstraat, met
//!   vervoer ..."; 1 they cannot after all (asked once more, then
//!   `Effect::PlannedWithdrawn`: the requester is told, a new search starts), 2 the next.
//! - an open request, in the words of the call that asks ahead: 1 they take it
//!   (`Effect::PlannedTaken`, as a yes on that call), 2 not (thanked: `PlannedPassed`),
//!   and the next is said. One said is asked (`PlannedOffered`): the search ahead does not
//!   ask them about it again, and one they were asked about is never in the list.
//!
//! What is said comes from `Own::agenda`, loaded for each webhook; one that changed in
//! between ("Dat is intussen veranderd.") is not acted on. Never a phone number. Where the
//! caller is: `CallState::later` (`Later::Agenda`), while the phase is `Phase::Settings`.

use super::menus::Common;
use super::{Effect, Later, Outcome, Stage, Stepper, BACK_KEY};
use crate::domain::action::{Action, Next};
use crate::domain::own::{Agenda, Planned};
use crate::domain::planned;
use crate::domain::prompts::{PromptKey, Speech};

/// Where in a helper's help for later the caller is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum At {
    /// "Uw afspraken horen? Toets 1. ... Toets 2."
    Menu,
    /// Hearing their planned help `id`.
    Mine { id: i64 },
    /// "Weet u het zeker?" about `id`: 1 they cannot.
    MineSure { id: i64 },
    /// Hearing open request `id`: 1 take it, 2 not.
    Open { id: i64 },
}

impl At {
    /// The word stored in `calls.later`; `parse` is its inverse.
    pub fn as_str(self) -> String {
        match self {
            At::Menu => "agenda".into(),
            At::Mine { id } => format!("agenda-mine:{id}"),
            At::MineSure { id } => format!("agenda-sure:{id}"),
            At::Open { id } => format!("agenda-open:{id}"),
        }
    }

    pub fn parse(s: &str) -> Option<At> {
        if s == "agenda" {
            return Some(At::Menu);
        }
        let (word, id) = s.split_once(':')?;
        let id = id.parse().ok()?;
        match word {
            "agenda-mine" => Some(At::Mine { id }),
            "agenda-sure" => Some(At::MineSure { id }),
            "agenda-open" => Some(At::Open { id }),
            _ => None,
        }
    }
}

/// The choices of the menu, as they are said: (key, sentence, where it leads). Only what
/// there is: their planned help (1), open requests (2).
pub(super) fn choices(agenda: &Agenda) -> Vec<(&'static str, PromptKey, At)> {
    let mut all = Vec::new();
    if let Some(first) = agenda.mine.first() {
        all.push(("1", PromptKey::AgendaMine, At::Mine { id: first.id }));
    }
    if let Some(first) = agenda.open.first() {
        all.push(("2", PromptKey::AgendaOpen, At::Open { id: first.id }));
    }
    all
}

fn find(list: &[Planned], id: i64) -> Option<&Planned> {
    list.iter().find(|p| p.id == id)
}

/// The one after `id` in `list`.
fn after(list: &[Planned], id: i64) -> Option<&Planned> {
    let i = list.iter().position(|p| p.id == id)?;
    list.get(i + 1)
}

static NOTHING: Agenda = Agenda { mine: Vec::new(), open: Vec::new() };

impl<'c, 'a> Stepper<'c, 'a> {
    fn agenda(&self) -> &'a Agenda {
        self.ctx.caller.own.as_ref().map_or(&NOTHING, |o| &o.agenda)
    }

    /// After 4's read-out: the menu, for a helper who has something in it; else the top.
    pub(super) fn after_read_out(&mut self) {
        if choices(self.agenda()).is_empty() {
            self.settings_menu(true);
        } else {
            self.agenda_enter(At::Menu, Vec::new());
        }
    }

    fn agenda_enter(&mut self, at: At, before: Vec<Speech>) {
        if at == At::Menu && choices(self.agenda()).is_empty() {
            for speech in before {
                self.reply.push(Action::Say(speech));
            }
            return self.agenda_leave(true);
        }
        self.state.later = Some(Later::Agenda(at));
        self.set_tries(self.tries().fresh());
        self.agenda_menu(before);
    }

    /// Back to the settings' top level: "Wilt u nog iets anders?" after something was done.
    fn agenda_leave(&mut self, done: bool) {
        self.state.later = None;
        self.set_tries(self.tries().fresh());
        self.settings_menu(done);
    }

    fn agenda_menu(&mut self, before: Vec<Speech>) {
        let Some(Later::Agenda(at)) = self.state.later else { return self.settings_menu(false) };
        if self.ctx.caller_gone {
            self.end(Outcome::OwnSettings, Stage::Settings);
            return;
        }
        let mut said = before;
        said.extend(self.agenda_speech(at));
        if let At::Open { id } = at {
            // Heard is asked: the search ahead leaves them out for this one.
            self.effects.push(Effect::PlannedOffered { id });
        }
        let (say, timeout_seconds) = self.as_said(said);
        self.reply.push(Action::Gather { say, timeout_seconds, next: Next::Settings });
        // Reached only when nothing was pressed.
        self.reply.push(Action::Redirect(Next::Settings));
    }

    fn agenda_speech(&self, at: At) -> Vec<Speech> {
        let agenda = self.agenda();
        let mut say = Vec::new();
        match at {
            At::Menu => {
                say.push(self.speech(PromptKey::AgendaIntro, &[]));
                say.extend(choices(agenda).into_iter().map(|(_, prompt, _)| self.speech(prompt, &[])));
            }
            At::Mine { id } => {
                if let Some(item) = find(&agenda.mine, id) {
                    say.push(self.mine_sentence(item));
                    say.extend(self.where_to(item));
                    say.push(self.speech(PromptKey::AgendaCancelChoice, &[]));
                    let next =
                        if after(&agenda.mine, id).is_some() { PromptKey::AgendaNext } else { PromptKey::AgendaLast };
                    say.push(self.speech(next, &[]));
                }
            }
            At::MineSure { id } => {
                if let Some(item) = find(&agenda.mine, id) {
                    let when = planned::say::when(self.p(), item.at);
                    say.push(self.speech(PromptKey::AgendaCancelSure, &[("caller", &item.requester), ("when", &when)]));
                }
            }
            At::Open { id } => {
                if let Some(item) = find(&agenda.open, id) {
                    say.push(self.open_sentence(item));
                    say.extend(self.where_to(item));
                    say.push(self.speech(PromptKey::PlannedQuestion, &[]));
                }
            }
        }
        say.push(self.speech(if self.desk_open() { PromptKey::MenuDeskOpen } else { PromptKey::SettingsMessage }, &[]));
        say.push(self.speech(PromptKey::LaterBack, &[]));
        say
    }

    fn category_of(&self, item: &Planned) -> String {
        self.p().category(&item.category).unwrap_or(&item.category).to_string()
    }

    /// "Op dinsdag 8 december om 10 uur helpt u Jan uit de Kerkstraat, met vervoer ...":
    /// they said yes, so the street is said.
    fn mine_sentence(&self, item: &Planned) -> Speech {
        let when = planned::say::when(self.p(), item.at);
        let category = self.category_of(item);
        let vars = [("when", when.as_str()), ("caller", &item.requester), ("category", &category)];
        match &item.street {
            Some(street) => {
                let mut vars = vars.to_vec();
                vars.push(("street", street));
                self.speech(PromptKey::AgendaMineItem, &vars)
            }
            None => self.speech(PromptKey::AgendaMineItemName, &vars),
        }
    }

    /// After the request, "where to" in the requester's own words, when there is one.
    fn where_to(&self, item: &Planned) -> Vec<Speech> {
        match &item.where_to {
            Some(path) => vec![
                self.speech(PromptKey::PlannedWhereTo, &[("caller", &item.requester)]),
                Speech::Audio(path.clone()),
            ],
            None => Vec::new(),
        }
    }

    /// An open request as the call that asks ahead says it (the street only when the
    /// requester wants it said before a yes).
    fn open_sentence(&self, item: &Planned) -> Speech {
        let when = planned::say::when(self.p(), item.at);
        let category = self.category_of(item);
        match item.street.as_deref().filter(|_| item.street_before_yes) {
            Some(street) => self.speech(
                PromptKey::PlannedAsk,
                &[("caller", &item.requester), ("street", street), ("category", &category), ("when", &when)],
            ),
            None => self.speech(
                PromptKey::PlannedAskName,
                &[("caller", &item.requester), ("category", &category), ("when", &when)],
            ),
        }
    }

    /// A key (or a silence) in a helper's help for later.
    pub(super) fn agenda_key(&mut self, key: Option<String>) {
        let Some(Later::Agenda(at)) = self.state.later else { return self.settings_menu(false) };
        let digit = match self.common(key) {
            Common::Person => return self.agenda_to_a_person(false),
            Common::Again => return self.agenda_menu(Vec::new()),
            Common::MoreTime => {
                let given = self.speech(PromptKey::MenuMoreTimeGiven, &[]);
                return self.agenda_menu(vec![given]);
            }
            Common::Silence(true) => return self.agenda_to_a_person(true),
            Common::Silence(false) => {
                let said = self.agenda_speech(at);
                return self.offer_more_time(&said, Next::Settings);
            }
            Common::Choice(digit) => digit,
        };
        let agenda = self.agenda();
        if digit == BACK_KEY {
            return match at {
                At::Menu => self.agenda_leave(false),
                At::Mine { .. } | At::Open { .. } => self.agenda_enter(At::Menu, Vec::new()),
                At::MineSure { id } => self.agenda_enter(At::Mine { id }, Vec::new()),
            };
        }
        let here = match at {
            At::Menu => None,
            At::Mine { id } | At::MineSure { id } => Some(find(&agenda.mine, id)),
            At::Open { id } => Some(find(&agenda.open, id)),
        };
        if here == Some(None) && (digit == "1" || digit == "2") {
            // Cancelled, taken or changed since it was said: nothing is done to it.
            let gone = self.speech(PromptKey::AgendaGone, &[]);
            return self.agenda_enter(At::Menu, vec![gone]);
        }
        match (at, digit.as_str()) {
            (At::Menu, d) => match choices(agenda).into_iter().find(|(key, _, _)| *key == d) {
                Some((_, _, to)) => self.agenda_enter(to, Vec::new()),
                None => self.agenda_wrong_key(),
            },
            (At::Mine { id }, "1") => self.agenda_enter(At::MineSure { id }, Vec::new()),
            (At::Mine { id }, "2") => match after(&agenda.mine, id) {
                Some(next) => self.agenda_enter(At::Mine { id: next.id }, Vec::new()),
                None => self.agenda_wrong_key(),
            },
            (At::MineSure { id }, "1") => self.withdraw_mine(id),
            (At::MineSure { id }, "2") => {
                let kept = self.speech(PromptKey::LaterKept, &[]);
                self.agenda_enter(At::Mine { id }, vec![kept]);
            }
            (At::Open { id }, "1") => self.take_open(id),
            (At::Open { id }, "2") => self.pass_open(id),
            _ => self.agenda_wrong_key(),
        }
    }

    fn agenda_wrong_key(&mut self) {
        if self.wrong_key() {
            self.agenda_menu(Vec::new());
        } else {
            self.state.later = None;
            self.person_from_settings();
        }
    }

    fn agenda_to_a_person(&mut self, after_silences: bool) {
        if after_silences {
            self.say(PromptKey::MenuGiveUp);
        }
        self.state.later = None;
        self.person_from_settings();
    }

    /// They cannot after all (asked twice): thanked; the requester is told and a new
    /// search starts (`switchboard::agenda`).
    fn withdraw_mine(&mut self, id: i64) {
        let Some(item) = find(&self.agenda().mine, id) else { return self.agenda_leave(false) };
        self.effects.push(Effect::PlannedWithdrawn { id });
        let said = self.speech(PromptKey::AgendaWithdrawn, &[("caller", &item.requester)]);
        self.reply.push(Action::Say(said));
        self.agenda_leave(true);
    }

    /// They take an open request, as a 1 on the call that asks ahead.
    fn take_open(&mut self, id: i64) {
        let Some(item) = find(&self.agenda().open, id) else { return self.agenda_leave(false) };
        self.effects.push(Effect::PlannedTaken { id });
        if let Some(street) = item.street.as_deref().filter(|_| !item.street_before_yes) {
            let said = self.speech(PromptKey::PlannedWhere, &[("caller", &item.requester), ("street", street)]);
            self.reply.push(Action::Say(said));
        }
        let said = self.speech(PromptKey::PlannedYes, &[("caller", &item.requester)]);
        self.reply.push(Action::Say(said));
        self.agenda_leave(true);
    }

    /// Not this one: thanked, and the next is said.
    fn pass_open(&mut self, id: i64) {
        self.effects.push(Effect::PlannedPassed { id });
        let thanks = self.speech(PromptKey::AgendaPassed, &[]);
        match after(&self.agenda().open, id) {
            Some(next) => self.agenda_enter(At::Open { id: next.id }, vec![thanks]),
            None => {
                self.reply.push(Action::Say(thanks));
                self.say(PromptKey::AgendaNoMore);
                self.agenda_leave(true);
            }
        }
    }
}
