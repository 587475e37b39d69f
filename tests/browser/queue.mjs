// A coordinator works through a follow-up queue of 75 people, on a laptop and a tablet:
// the list is compact, a search finds one person by a part of their number, a call back
// that reached nobody is tried again tomorrow, a person is closed, and after each step the
// page is back where the coordinator was.

import { base, check, launch, login, open, screens } from './common.mjs';

const inView = async (page, id) => await page.evaluate((id) => {
  const r = document.getElementById(id).getBoundingClientRect();
  // A jump to an anchor may land a fraction of a pixel off (sub-pixel layout).
  return r.top > -1 && r.top < window.innerHeight;
}, id);

const browser = await launch();
try {
  for (const [name, viewport] of screens) {
    const { context, page, shot, errors } = await open(browser, name, viewport);
    await page.goto(base + '/desk/follow-up');
    await login(page);
    const lines = page.locator('ul.queue > li');
    const expected = name === 'laptop' ? 75 : 74;
    check((await lines.count()) === expected, `${name}: ${expected} people in the queue (${await lines.count()})`);
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    console.log(`${name}: the queue of ${expected} people is ${height} px high`);
    check(height < 9000, `${name}: the queue is compact (${height} px)`);
    const fits = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);
    check(fits, `${name}: the queue fits the screen`);
    await shot('queue');

    if (name === 'laptop') {
      // Mrs 142 calls the desk back; find her by the end of her number.
      await page.fill('#f-q', '555 0142');
      await page.click('form.filters button[type=submit]');
      await page.waitForURL(/follow-up\?q=/);
      check((await lines.count()) === 1, 'the search finds one person');
      check((await lines.first().innerText()).includes('020 555 0142'), 'the right one');
      await page.click('form.filters a.button.secondary');
      await page.waitForURL(/\/desk\/follow-up$/);

      // Number 40 does not answer: try again tomorrow (the form's default).
      const fortieth = lines.nth(39);
      const id = await fortieth.getAttribute('id');
      await fortieth.locator('summary').click();
      check(await fortieth.locator('a[href^="tel:"]').isVisible(), 'the line opens in place, with a number to tap');
      await shot('queue-open');
      await fortieth.locator('form[action$="/not-reached"] button[type=submit]').click();
      await page.waitForURL((url) => url.hash === '#' + id);
      const summary = await page.locator('#' + id + ' summary').innerText();
      check(summary.includes('1× niet bereikt') && summary.includes('Vanaf'), `counted, to try again tomorrow (${summary})`);
      check(await inView(page, id), 'back at the same person');

      // Number 20 no longer needs help: closed, and the page is at the next person.
      const twentieth = lines.nth(19);
      const closedId = await twentieth.getAttribute('id');
      const nextId = await lines.nth(20).getAttribute('id');
      await twentieth.locator('summary').click();
      await twentieth.locator('input[value=no-longer-needed]').check();
      await twentieth.locator('form[action$="/close"] button[type=submit]').click();
      await page.waitForURL((url) => url.hash === '#' + nextId);
      check(page.url().includes('closed=1'), 'with a word of thanks');
      check((await lines.count()) === 74, '74 left');
      check((await page.locator('#' + closedId).count()) === 0, 'the one closed is gone');
      check(await inView(page, nextId), 'the page is at the next person');
      const badge = await page.locator('#open-count').innerText();
      check(badge === '74', `the menu counts 74 open (${badge})`);
    }
    check(errors.length === 0, `${name}: no script errors (${errors.join('; ')})`);
    await context.close();
  }
} finally {
  await browser.close();
}
console.log('DONE');
