// The desk in a real browser: Debian's Chromium, driven by playwright-core.
//
// Started by tests/it/browser.rs, which runs the switchboard and makes the calls. This
// script logs in, watches a call turn green on the Now page without reloading, closes a
// follow-up, adds a participant, downloads the figures CSV, and saves a screenshot of
// every page. It talks to the Rust test over stdout ("WATCHING" = start the call) and
// exits non-zero on the first thing that does not work.
//
// Environment: DESK_URL, DESK_USER, DESK_PASSWORD, SCREENSHOTS (a folder),
// CHROMIUM (default /usr/bin/chromium).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { base, check, launch, login, open, screens } from './common.mjs';

const browser = await launch();
try {
  // A laptop and a tablet.
  for (const [name, viewport] of screens) {
    const { context, page, shot, errors } = await open(browser, name, viewport);

    await page.goto(base + '/desk/now');
    check(page.url().includes('/desk/login'), `${name}: the desk asks for a login first`);
    await shot('login');
    await login(page);
    check(await page.locator('h1').innerText() === 'Nu', `${name}: logged in on the Now page`);

    if (name === 'laptop') {
      // Keyboard: the first Tab reaches the skip link.
      await page.keyboard.press('Tab');
      check(await page.evaluate(() => document.activeElement.className) === 'skip', 'the first Tab lands on "skip to content"');
      await shot('now-before');
      const before = await page.locator('#count-green').innerText();
      console.log('WATCHING');
      // The Rust side now makes a call that ends with a yes; the row must turn green here.
      await page.locator('#today tbody tr[data-status=green]').first().waitFor({ timeout: 30000 });
      const after = await page.locator('#count-green').innerText();
      check(Number(after) === Number(before) + 1, `the green count went from ${before} to ${after} without a reload`);
      check(page.url().endsWith('/desk/now'), 'still the same page (no reload)');
      await shot('now-green');

      // Close the follow-up of the call nobody could take.
      await page.click('nav >> text=Opvolgen');
      await page.waitForURL('**/desk/follow-up');
      await shot('follow-up');
      // One line per person; it opens in place.
      const person = page.locator('ul.queue > li').first();
      await person.locator('summary').click();
      check(await person.locator('a[href^="tel:+31"]').isVisible(), 'the person opens in place, with a number to tap');
      check((await person.innerText()).includes('Is de hulp nog nodig?'), 'with what to ask');
      await shot('follow-up-open');
      // The day list prints on one A4 page, without the menu.
      const list = await context.newPage();
      await list.goto(base + '/desk/follow-up/print');
      check((await list.locator('table.day-list tbody tr').count()) === 1, 'the day list has one line per person');
      await list.emulateMedia({ media: 'print' });
      check(!(await list.locator('header.top').isVisible()), 'the printed day list has no menu');
      const pdf = (await list.pdf({ format: 'A4' })).toString('latin1');
      const pages = (pdf.match(/\/Type\s*\/Page[^s]/g) || []).length;
      check(pages === 1, `the day list prints on one A4 page (${pages})`);
      await list.close();
      await person.locator('input[value=referred-to-wmo]').check();
      await person.locator('form[action$="/close"] textarea').fill('Doorverwezen naar het Wmo-loket; mevrouw wordt donderdag gebeld.');
      await person.locator('form[action$="/close"] button[type=submit]').click();
      await page.waitForURL('**/desk/follow-up?closed=1');
      check((await page.locator('main').innerText()).includes('Er staat niets open'), 'the follow-up is closed');

      // Add a participant.
      await page.click('nav >> text=Deelnemers');
      await shot('participants');
      await page.click('text=Iemand toevoegen');
      await page.fill('#name', 'Fatima Yilmaz');
      await page.fill('#phone', '06-12345699');
      await page.fill('#street', 'Molenweg');
      await page.fill('#postcode', '1234 CD');
      await page.check('input[name=offers][value=shopping]');
      // Mornings on weekdays, with the day boxes.
      await page.check('input[name=avail-mode][value=times]');
      for (const day of ['0', '1', '2', '3', '4']) { await page.check(`input[name=avail-0-days][value="${day}"]`); }
      await page.fill('input[name=avail-0-from]', '09:00');
      await page.fill('input[name=avail-0-to]', '12:00');
      // Issue 27: her say over who comes, and the coordinator's marks.
      await page.selectOption('#helpers_from', 'not-own-street');
      await page.selectOption('#street_said', 'after-yes');
      await page.check('input[name=desk_only]');
      await page.check('input[name=experienced][value=transport]');
      await shot('participant-new');
      await page.click('main button[type=submit]');
      await page.waitForURL(/\/desk\/participants\/\d+\?msg=added/);
      check((await page.locator('h1').innerText()) === 'Fatima Yilmaz', 'the participant was added');
      check(await page.locator('input[name=avail-0-days][value="4"]').isChecked(), 'her hours show in the day boxes again');
      check(!(await page.locator('input[name=avail-0-days][value="5"]').isChecked()), 'not on Saturday');
      check((await page.locator('input[name=avail-0-from]').inputValue()) === '09:00', 'from nine');
      check((await page.locator('#helpers_from').inputValue()) === 'not-own-street', 'help from further away shows again');
      check((await page.locator('#street_said').inputValue()) === 'after-yes', 'her street only after a yes shows again');
      check(await page.locator('input[name=desk_only]').isChecked(), 'desk only shows again');
      await shot('participant');

      // The call log and one call's timeline.
      await page.click('nav >> text=Gesprekken');
      await shot('calls');
      await page.locator('#main table tbody tr a').first().click();
      await page.waitForURL(/\/desk\/calls\/CA/);
      await shot('call');

      // The figures, and their CSV.
      await page.click('nav >> text=Cijfers');
      await shot('figures');
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('text=Download als CSV')]);
      const csv = readFileSync(await download.path(), 'utf8');
      check(csv.startsWith('maand,hulp bij,gesprekken,buur gevonden,niet gevonden'), 'the figures CSV downloads, with Dutch headers');
      check(!csv.includes('+31') && !csv.includes('Jan'), 'the figures CSV holds no names or numbers');
      // A quarter for the funder, and its Excel file (read back by the Rust test).
      await page.selectOption('#quarter', '2026-4');
      await page.click('form.filters button[type=submit]');
      await page.waitForURL(/quarter=2026-4/);
      check((await page.locator('h1').innerText()).includes('1 oktober 2026 t/m'), 'the figures of the fourth quarter');
      await shot('figures-quarter');
      const [excel] = await Promise.all([page.waitForEvent('download'), page.click('text=Download als Excel')]);
      check(excel.suggestedFilename().endsWith('.xlsx'), `an Excel file (${excel.suggestedFilename()})`);
      await excel.saveAs(join(process.env.SCREENSHOTS, '..', 'figures-quarter.xlsx'));
      await page.click('text=Verslag om af te drukken');
      await page.waitForURL(/figures\/print/);
      await shot('figures-report');
      const report = (await page.pdf({ format: 'A4' })).toString('latin1');
      const reportPages = (report.match(/\/Type\s*\/Page[^s]/g) || []).length;
      check(reportPages === 1, `the report prints on one page (${reportPages})`);

      await page.click('nav >> text=Gebruikers');
      await shot('users');
      await page.click('nav >> text=Logboek');
      await shot('audit');
      // English, one click away.
      await page.click('text=English');
      await page.waitForURL('**/desk/audit');
      check((await page.locator('h1').innerText()) === 'Audit log', 'English is one click away');
      await page.click('text=Nederlands');
    } else {
      for (const path of ['now', 'calls', 'follow-up', 'participants', 'figures']) {
        await page.goto(base + '/desk/' + path);
        const wide = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);
        check(wide, `${name}: /desk/${path} fits the screen without sideways scrolling`);
        if (path === 'now' || path === 'calls') {
          // The less needed columns (wait, rung) give way, so the follow-up column stays in view.
          const fits = await page.evaluate(() => [...document.querySelectorAll('.scroll')].every((el) => el.scrollWidth <= el.clientWidth + 1));
          check(fits, `${name}: the call table on /desk/${path} shows every column without scrolling`);
        }
        await shot(path);
      }
    }
    check(errors.length === 0, `${name}: no script errors (${errors.join('; ')})`);
    await context.close();
  }
} finally {
  await browser.close();
}
console.log('DONE');
