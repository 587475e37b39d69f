// The Now page's colours and totals, in a real browser.
//
// Started by tests/it/round.rs with six calls of today on the page: a neighbour found, a
// caller who hung up as the yes came, one for a
// participant's own settings, a message for the desk, a yes that was never confirmed,
// and a good-morning round's alert. This script checks that each row's border and badge
// have one colour, that the four totals count the rows of their colour (and what each of
// the four calls is), then says "WATCHING": the Rust side makes one more call for one's
// own settings, and the same must hold after the live updates, without a reload.
//
// Environment: as desk.mjs.

import { base, check, launch, login, open } from './common.mjs';

// What the page shows, read the way a person sees it: each row's border colour and
// badge, and the totals.
async function seen(page) {
  return await page.evaluate(() => {
    const css = getComputedStyle(document.documentElement);
    const border = {};
    for (const c of ['green', 'amber', 'red', 'grey']) {
      const probe = document.createElement('span');
      probe.style.color = c === 'amber' ? '#c98a00' : css.getPropertyValue('--' + c).trim();
      document.body.appendChild(probe);
      border[getComputedStyle(probe).color] = c;
      probe.remove();
    }
    const rows = [...document.querySelectorAll('#today tbody tr')].map((tr) => {
      const badge = tr.querySelector('span.status');
      return {
        row: tr.getAttribute('data-status'),
        border: border[getComputedStyle(tr.querySelector('td')).borderLeftColor] || 'none',
        badge: badge.getAttribute('data-status'),
        badgeClass: [...badge.classList].filter((k) => k !== 'status').join(' '),
        words: badge.innerText.trim(),
      };
    });
    const totals = {};
    document.querySelectorAll('[data-count]').forEach((el) => { totals[el.getAttribute('data-count')] = Number(el.querySelector('strong').innerText); });
    return { rows, totals };
  });
}

function agree({ rows, totals }, when) {
  for (const r of rows) {
    check(r.row === r.border && r.row === r.badge && r.row === r.badgeClass,
      `${when}: "${r.words}" has one colour (row ${r.row}, border ${r.border}, badge ${r.badge}/${r.badgeClass})`);
  }
  check(Object.keys(totals).sort().join() === 'amber,green,grey,red', `${when}: four totals (${Object.keys(totals)})`);
  for (const [colour, n] of Object.entries(totals)) {
    const rowsOf = rows.filter((r) => r.row === colour).length;
    check(n === rowsOf, `${when}: the ${colour} total ${n} counts the ${rowsOf} ${colour} rows`);
  }
}

function colourOf({ rows }, words) {
  const found = rows.filter((r) => r.words === words);
  return found.map((r) => r.row).join(',');
}

const browser = await launch();
try {
  const { context, page, shot, errors } = await open(browser, 'laptop', { width: 1366, height: 900 });
  await page.goto(base + '/desk/now');
  await login(page);
  const first = await seen(page);
  console.log('first render: ' + JSON.stringify(first));
  agree(first, 'first render');
  check(colourOf(first, 'Eigen instellingen') === 'grey', 'a call for one\'s own settings is grey');
  check(colourOf(first, 'Bericht van een buur') === 'grey', 'a message for the desk is grey');
  check(colourOf(first, 'Buur zei ja, niet bevestigd') === 'amber', 'an unconfirmed yes is amber');
  check(colourOf(first, 'Goedemorgenronde: dringend') === 'red', 'a round alert is red');
  check(colourOf(first, 'Buur gevonden') === 'green', 'a neighbour found is green');
  check(colourOf(first, 'Balie gesproken') === 'green', 'a caller who spoke with the desk is green: a good end');
  check(colourOf(first, 'Opgehangen') === 'red', 'a caller who hung up before help is red');
  check(JSON.stringify(first.totals) === JSON.stringify({ green: 2, amber: 1, red: 2, grey: 2 }),
    `nothing that asked for no help counts as "no neighbour found": ${JSON.stringify(first.totals)}`);
  await shot('now-colours');

  console.log('WATCHING');
  // Another call for one's own settings: its row comes in amber, then turns grey.
  await page.waitForFunction(() => document.querySelectorAll('#today tbody tr').length === 8, null, { timeout: 30000 });
  await page.waitForFunction(() => document.getElementById('count-grey').innerText === '3'
    && document.getElementById('count-amber').innerText === '1', null, { timeout: 30000 });
  const after = await seen(page);
  console.log('after the live updates: ' + JSON.stringify(after));
  agree(after, 'after the live updates');
  check(JSON.stringify(after.totals) === JSON.stringify({ green: 2, amber: 1, red: 2, grey: 3 }),
    `the totals after the live updates: ${JSON.stringify(after.totals)}`);
  check(page.url().endsWith('/desk/now'), 'still the same page (no reload)');
  // And the page as the server renders it now says the same.
  await page.reload();
  const reloaded = await seen(page);
  agree(reloaded, 'reloaded');
  check(JSON.stringify(reloaded.totals) === JSON.stringify(after.totals), `a reload shows the same totals: ${JSON.stringify(reloaded.totals)}`);
  check(errors.length === 0, `no script errors (${errors.join('; ')})`);
  await context.close();
} finally {
  await browser.close();
}
console.log('DONE');
