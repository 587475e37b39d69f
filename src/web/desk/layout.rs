//! The frame around every desk page, the style sheet and the one small script.

use maud::{html, Markup, PreEscaped, DOCTYPE};

use super::text::Lang;
use super::Desk;
use crate::domain::call::{Colour, Outcome};

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    Now,
    Calls,
    FollowUp,
    Participants,
    Figures,
    Round,
    Planned,
    Users,
    Audit,
    None,
}

fn head(title: &str) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            title { (title) " · Burenlijn" }
            link rel="icon" href="data:,";
            link rel="stylesheet" href="/desk/static/desk.css";
            script src="/desk/static/desk.js" defer {}
        }
    }
}

/// A page for a logged-in user: the menu, then `body`.
pub fn page(desk: &Desk, active: Nav, title: &str, body: Markup) -> Markup {
    let l = desk.lang;
    let item = |nav: Nav, href: &str, label: &str, badge: Option<i64>| {
        html! {
            li {
                a href=(href) aria-current=[(nav == active).then_some("page")] {
                    (label)
                    // Kept up to date by the live updates (`follow-ups` events), on every page.
                    @if let Some(n) = badge { " " span.badge #open-count hidden[n == 0] aria-label=(format!("{n} {}", l.t("personen", "people"))) data-open=(l.t("personen", "people")) { (n) } }
                }
            }
        }
    };
    html! {
        (DOCTYPE)
        html lang=(l.code()) {
            (head(title))
            body data-events="/desk/now/events" {
                a.skip href="#main" { (l.t("Naar de inhoud", "Skip to content")) }
                header.top {
                    div.brand { "Burenlijn " span.sub { (l.t("balie", "desk")) } }
                    nav aria-label=(l.t("Hoofdmenu", "Main menu")) {
                        ul {
                            (item(Nav::Now, "/desk/now", l.t("Nu", "Now"), None))
                            (item(Nav::Calls, "/desk/calls", l.t("Gesprekken", "Calls"), None))
                            (item(Nav::FollowUp, "/desk/follow-up", l.t("Opvolgen", "Follow-up"), Some(desk.open_follow_ups)))
                            (item(Nav::Participants, "/desk/participants", l.t("Deelnemers", "Participants"), None))
                            (item(Nav::Round, "/desk/round", l.t("Goedemorgenronde", "Good-morning round"), None))
                            (item(Nav::Planned, "/desk/planned", l.t("Hulp voor later", "Help for later"), None))
                            (item(Nav::Figures, "/desk/figures", l.t("Cijfers", "Figures"), None))
                            @if desk.manages_accounts() {
                                (item(Nav::Users, "/desk/users", l.t("Gebruikers", "Users"), None))
                                (item(Nav::Audit, "/desk/audit", l.t("Logboek", "Audit log"), None))
                            }
                        }
                    }
                    div.who {
                        a href="/desk/account" { (desk.user.name) }
                        form method="post" action="/desk/language" {
                            input type="hidden" name="csrf" value=(desk.csrf);
                            input type="hidden" name="back" value=(desk.path);
                            @if l == Lang::Nl {
                                button.link type="submit" name="language" value="en" lang="en" { "English" }
                            } @else {
                                button.link type="submit" name="language" value="nl" lang="nl" { "Nederlands" }
                            }
                        }
                        form method="post" action="/desk/logout" {
                            input type="hidden" name="csrf" value=(desk.csrf);
                            button.link type="submit" { (l.t("Uitloggen", "Log out")) }
                        }
                    }
                }
                main #main {
                    h1 { (title) }
                    (body)
                }
            }
        }
    }
}

/// A page without the menu (login, errors before login).
pub fn bare_page(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="nl" {
            (head(title))
            body {
                main #main.narrow {
                    div.brand.big { "Burenlijn " span.sub { "balie" } }
                    (body)
                }
            }
        }
    }
}

pub fn message_box(message: &str, is_error: bool) -> Markup {
    html! {
        @if is_error {
            p.message.error role="alert" { (message) }
        } @else {
            p.message.ok role="status" { (message) }
        }
    }
}

/// The good-morning round's contacts in the order they are called, each with its number as
/// a link that calls it (`tel:`), on the round's page and in its urgent follow-up.
pub fn contact_list(contacts: &[crate::switchboard::desk::round::Contact]) -> Markup {
    html! {
        ol.contacts {
            @for c in contacts {
                li {
                    @if let Some(name) = &c.name { (name) " " }
                    a.tel href=(format!("tel:{}", c.phone.as_str())) { (c.phone.readable()) }
                }
            }
        }
    }
}

/// "Deze week" and "Deze maand": links to `path` for this week (from Monday) and this
/// month (from the 1st), up to and including `today`.
pub fn period_shortcuts(l: Lang, path: &str, today: jiff::civil::Date) -> Markup {
    let monday = today.checked_sub(jiff::Span::new().days(today.weekday().to_monday_zero_offset())).unwrap_or(today);
    let first = today.first_of_month();
    html! {
        p.shortcuts {
            a.button.secondary href=(format!("{path}?from={monday}&until={today}")) { (l.t("Deze week", "This week")) }
            " "
            a.button.secondary href=(format!("{path}?from={first}&until={today}")) { (l.t("Deze maand", "This month")) }
        }
    }
}

/// A table that may scroll sideways on a small screen: keyboard-reachable and named, so
/// it passes WCAG's "scrollable region" rule.
pub fn scroll(l: Lang, table: Markup) -> Markup {
    html! { div.scroll tabindex="0" role="region" aria-label=(l.t("Tabel, schuift opzij", "Table, scrolls sideways")) { (table) } }
}

/// The hidden CSRF field every form carries.
pub fn csrf(desk: &Desk) -> Markup {
    html! { input type="hidden" name="csrf" value=(desk.csrf); }
}

/// A status with its colour and its words (colour alone tells nothing to some people);
/// the colour is `Colour::of`'s, as on the row and in the Now page's totals.
pub fn status(l: Lang, phase: &str, outcome: Option<Outcome>) -> Markup {
    let class = Colour::of(outcome).as_str();
    let words = match outcome {
        Some(_) => l.outcome(outcome),
        None => l.phase(phase),
    };
    html! { span class=(format!("status {class}")) data-status=(class) { (words) } }
}

pub const CSS: &str = r#"
:root { --ink: #1a1a1a; --muted: #4a4a4a; --line: #c8c8c8; --bg: #fbfaf7; --nav: #17365d; --link: #0b4f9c;
        --green-bg: #e3f4e5; --green: #185c1e; --amber-bg: #fff1cc; --amber: #6b4500; --red-bg: #fde8e6; --red: #a11a1a;
        --grey-bg: #eeeeee; --grey: #4a4a4a; }
* { box-sizing: border-box; }
html { font-size: 112.5%; }
body { margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: var(--ink); background: var(--bg); line-height: 1.5; }
a { color: var(--link); }
a:focus, button:focus, input:focus, select:focus, textarea:focus, summary:focus { outline: 3px solid #e38b00; outline-offset: 2px; }
.skip { position: absolute; left: -999px; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.skip:focus { left: 1rem; top: 1rem; background: #fff; padding: .5rem; z-index: 10; }
header.top { background: var(--nav); color: #fff; display: flex; flex-wrap: wrap; align-items: center; gap: .5rem 1.5rem; padding: .6rem 1.2rem; }
header.top a, header.top button.link { color: #fff; }
.brand { font-weight: 700; font-size: 1.3rem; }
.brand .sub { font-weight: 400; opacity: .9; }
.brand.big { font-size: 1.8rem; color: var(--nav); margin: 2rem 0 1rem; }
nav ul { list-style: none; display: flex; flex-wrap: wrap; gap: .2rem 1rem; margin: 0; padding: 0; }
nav a { text-decoration: none; padding: .3rem .2rem; display: inline-block; border-bottom: 3px solid transparent; }
nav a[aria-current=page] { border-bottom-color: #ffd166; font-weight: 700; }
.badge { background: #ffd166; color: #1a1a1a; border-radius: 1rem; padding: 0 .5rem; font-weight: 700; }
.who { margin-left: auto; display: flex; gap: 1rem; align-items: center; flex-wrap: wrap; }
.who form { margin: 0; }
form.inline { display: inline; }
button.link { background: none; border: none; padding: 0; font: inherit; text-decoration: underline; cursor: pointer; color: var(--link); }
main { padding: 1rem 1.2rem 3rem; max-width: 75rem; margin: 0 auto; }
main.narrow { max-width: 30rem; }
h1 { font-size: 1.6rem; margin: .5rem 0 1rem; }
h2 { font-size: 1.25rem; margin: 1.5rem 0 .5rem; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { text-align: left; padding: .45rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #eef1f5; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.scroll { overflow-x: auto; }
.status { display: inline-block; padding: .1rem .6rem; border-radius: .3rem; font-weight: 600; border: 1px solid; }
.status.green { background: var(--green-bg); color: var(--green); }
.status.amber { background: var(--amber-bg); color: var(--amber); }
.status.red { background: var(--red-bg); color: var(--red); }
.status.grey { background: var(--grey-bg); color: var(--grey); }
tr[data-status=green] td:first-child { border-left: 6px solid var(--green); }
tr[data-status=amber] td:first-child { border-left: 6px solid #c98a00; }
tr[data-status=red] td:first-child { border-left: 6px solid var(--red); }
tr[data-status=grey] td:first-child { border-left: 6px solid var(--grey); }
.summary { display: flex; gap: 1rem; flex-wrap: wrap; margin: 0 0 1rem; padding: 0; list-style: none; }
.summary li { background: #fff; border: 1px solid var(--line); border-radius: .4rem; padding: .5rem 1rem; }
.summary strong { font-size: 1.4rem; }
.message { padding: .7rem 1rem; border-radius: .4rem; border: 1px solid; }
.message.ok { background: var(--green-bg); color: var(--green); }
.message.error { background: var(--red-bg); color: var(--red); }
.urgent { background: var(--red-bg); color: var(--red); border: 2px solid var(--red); border-radius: .4rem; padding: .6rem 1rem; margin: 0 0 1rem; }
.urgent h2 { margin: 0 0 .3rem; font-size: 1.15rem; }
.urgent a { color: var(--red); font-weight: 700; }
form.stack label, fieldset label { display: block; font-weight: 600; margin-top: .8rem; }
.hint { color: var(--muted); font-weight: 400; font-size: .9rem; display: block; }
input[type=text], input[type=password], input[type=date], input[type=search], input[type=tel], select, textarea { font: inherit; padding: .45rem .55rem; border: 2px solid #6b6b6b; border-radius: .3rem; width: 100%; max-width: 32rem; background: #fff; color: var(--ink); }
textarea { min-height: 5rem; }
fieldset { border: 1px solid var(--line); border-radius: .4rem; margin: 1rem 0; padding: .5rem 1rem 1rem; background: #fff; }
fieldset label.check { display: inline-flex; gap: .4rem; align-items: center; font-weight: 400; margin-right: 1.2rem; }
button, .button { font: inherit; background: var(--nav); color: #fff; border: 2px solid var(--nav); border-radius: .4rem; padding: .5rem 1.1rem; cursor: pointer; text-decoration: none; display: inline-block; margin-top: .8rem; }
button.secondary, .button.secondary { background: #fff; color: var(--nav); }
button.danger { background: var(--red); border-color: var(--red); }
form.stack > button, form.stack > .button { display: block; }
input[type=radio], input[type=checkbox], .filters input[type=radio], .filters input[type=checkbox] { width: 1.5rem; height: 1.5rem; min-width: 24px; min-height: 24px; accent-color: var(--nav); }
fieldset label.check { margin-top: .6rem; }
.avail-row { display: flex; flex-wrap: wrap; align-items: center; gap: .2rem .4rem; border-top: 1px solid var(--line); padding-top: .3rem; margin-top: .5rem; }
fieldset .avail-row label.check { margin-right: .5rem; }
fieldset label.time { display: inline-flex; gap: .4rem; align-items: center; font-weight: 400; margin: .6rem 1rem 0 0; }
input[type=time] { font: inherit; padding: .35rem .45rem; border: 2px solid #6b6b6b; border-radius: .3rem; background: #fff; color: var(--ink); }
header.top .who a { font-weight: 600; }
.filters { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: end; background: #fff; border: 1px solid var(--line); padding: .6rem 1rem 1rem; border-radius: .4rem; margin-bottom: 1rem; }
.filters label { font-weight: 600; }
.filters input, .filters select { width: auto; }
.card { background: #fff; border: 1px solid var(--line); border-radius: .5rem; padding: .8rem 1.1rem; margin: 0 0 1rem; }
.card h2 { margin-top: 0; }
ol.timeline { padding-left: 1.4rem; }
ol.timeline li { margin: .3rem 0; }
.muted { color: var(--muted); }
.notes { list-style: none; padding: 0; }
.notes li { border-left: 4px solid var(--line); padding: .2rem .8rem; margin: .5rem 0; }
svg.chart text { font-size: 18px; fill: #1a1a1a; }
.legend { display: flex; gap: 1.5rem; list-style: none; padding: 0; }
.swatch { display: inline-block; width: 1rem; height: 1rem; vertical-align: middle; margin-right: .3rem; border: 1px solid #1a1a1a; }
.swatch.matched { background: #2e7d32; }
.swatch.unmatched { background: #c62828; }
audio { width: 100%; max-width: 30rem; }
td.when { white-space: nowrap; }
ul.queue { list-style: none; padding: 0; margin: 0; }
ul.queue > li { background: #fff; border: 1px solid var(--line); border-radius: .4rem; margin: 0 0 .5rem; }
ul.queue summary { padding: .6rem 1rem; cursor: pointer; }
ul.queue summary .status { margin-left: .3rem; }
ul.queue .card { border: none; border-top: 1px solid var(--line); border-radius: 0 0 .4rem .4rem; margin: 0; }
ul.queue .call { border-left: 4px solid var(--line); padding: .1rem .8rem; margin: .5rem 0; }
.call-link .button { font-size: 1.15rem; }
.checklist { margin: .2rem 0 .8rem; }
.actions { display: flex; flex-wrap: wrap; gap: 0 2rem; }
.actions form { flex: 1 1 14rem; }
table.day-list td.notes { width: 50%; height: 3.2rem; border: 1px solid #6b6b6b; }
table.day-list td.phone, table.day-list span.phone, a.tel, .call-link .button { white-space: nowrap; }
.shortcuts { margin: 0 0 1rem; }
.shortcuts .button { margin-top: 0; }
ol.contacts { margin: .2rem 0; padding-left: 1.4rem; }
ol.contacts a.tel { display: inline-block; min-height: 24px; padding: .1rem 0; }
details.confirm summary { cursor: pointer; color: var(--red); font-weight: 600; margin-top: .8rem; min-height: 24px; }
p.told { margin: .3rem 0; }
@media print {
  header.top, .skip, .no-print, form.filters { display: none; }
  html { font-size: 11pt; } body { background: #fff; } main { padding: 0; max-width: none; }
  table.day-list { page-break-inside: auto; } table.day-list tr { page-break-inside: avoid; }
  table.day-list th, table.day-list td { padding: .2rem .4rem; }
  .status { border: 1px solid #000; background: #fff; color: #000; }
  @page { size: A4; margin: 1.5cm; }
}
@media (max-width: 1000px) { table { font-size: .92rem; } th, td { padding: .35rem .4rem; } }
@media (max-width: 900px) { th.wide, td.wide { display: none; } }
@media (max-width: 700px) { html { font-size: 106%; } header.top { padding: .5rem; } .who { margin-left: 0; } }
"#;

/// The Now page's live updates: rows arrive as HTML over server-sent events.
pub const JS: &str = r#"
(function () {
  var events = document.body.getAttribute('data-events');
  if (!events || !window.EventSource) { return; }
  var source = new EventSource(events);
  source.addEventListener('follow-ups', function (e) {
    var badge = document.getElementById('open-count');
    if (!badge) { return; }
    var n = Number(e.data);
    badge.textContent = n;
    badge.hidden = n === 0;
    badge.setAttribute('aria-label', n + ' ' + badge.getAttribute('data-open'));
  });
  source.addEventListener('expired', function () { source.close(); window.location.reload(); });
  var table = document.querySelector('[data-live]');
  if (!table) { return; }
  var body = table.querySelector('tbody');
  // Each total counts the rows of its colour; a row's colour is the server's (data-status).
  function count() {
    document.querySelectorAll('[data-count]').forEach(function (total) {
      var n = body.querySelectorAll('tr[data-status="' + total.getAttribute('data-count') + '"]').length;
      total.querySelector('strong').textContent = n;
    });
    var empty = document.getElementById('no-calls');
    if (empty) { empty.hidden = body.querySelector('tr') !== null; }
  }
  // A call the page does not list (a call-back search that found nobody) leaves it.
  source.addEventListener('gone', function (e) {
    var old = document.getElementById(e.data);
    if (old) { old.remove(); count(); }
  });
  source.addEventListener('call', function (e) {
    var t = document.createElement('template');
    t.innerHTML = e.data.trim();
    var row = t.content.firstElementChild;
    if (!row) { return; }
    var old = document.getElementById(row.id);
    if (old) { old.replaceWith(row); } else { body.insertBefore(row, body.firstChild); }
    count();
    var live = document.getElementById('live-note');
    if (live) { live.textContent = row.getAttribute('data-announce') || ''; }
  });
})();
"#;

/// Keeps a page-wide constant for "nothing".
pub const DASH: PreEscaped<&str> = PreEscaped("&ndash;");
