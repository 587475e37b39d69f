// The desk's call-back controls in a real browser (a neighbourhood ringing in waves).
//
// Started by tests/it/browser.rs, after a caller asked to be called back. This script
// sees where that call back stands on the follow-up page, takes a request at the desk
// (a phone number and a kind of help), stops it again, and checks each page with axe-core
// on a laptop and a tablet.
//
// Environment: as desk.mjs.

import { base, check, launch, login, open, screens } from './common.mjs';

const browser = await launch();
try {
  for (const [name, viewport] of screens) {
    const { context, page, shot, errors } = await open(browser, name, viewport);
    await page.goto(base + '/desk/follow-up');
    await login(page);
    check(page.url().endsWith('/desk/follow-up'), `${name}: after the login, back on the page asked for`);
    const main = async () => await page.locator('main').innerText();
    // Each person opens in place.
    for (const summary of await page.locator('ul.queue summary').all()) { await summary.click(); }
    check((await main()).includes('De centrale zoekt een buur en belt terug'), `${name}: the follow-up says the switchboard is still searching`);
    const fits = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);
    check(fits, `${name}: the follow-up page fits the screen`);
    await shot('call-backs');

    if (name === 'laptop') {
      // Someone rings the desk's own phone: the desk takes the request.
      await page.fill('#cb-phone', '06-10000004');
      await page.selectOption('#cb-category', 'transport');
      await page.click('form[action="/desk/call-backs"] button[type=submit]');
      await page.waitForURL('**/desk/follow-up?callback=1');
      const taken = page.locator('div.taken').first();
      check((await taken.innerText()).includes('Dirk Visser'), 'the request taken is listed, by name');
      await shot('call-back-taken');
      await taken.locator('button[type=submit]').click();
      await page.waitForURL('**/desk/follow-up?stopped=1');
      check((await main()).includes('Het zoeken is gestopt door de balie.'), 'the search was stopped');
      await shot('call-back-stopped');
    }
    check(errors.length === 0, `${name}: no script errors (${errors.join('; ')})`);
    await context.close();
  }
} finally {
  await browser.close();
}
console.log('DONE');
