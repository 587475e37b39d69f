// The good-morning round at the desk, in a real browser.
//
// Started by tests/it/round.rs after Carla's round reached nobody this morning. This
// script sees the urgent alert on the Now page and at the top of the follow-up queue,
// enrols Jan with two contacts on the round's page (and says how long that took), and
// checks each page with axe-core on a laptop and a tablet.
//
// Environment: as desk.mjs.

import { base, check, launch, login, open, screens } from './common.mjs';

const browser = await launch();
try {
  for (const [name, viewport] of screens) {
    const { context, page, shot, errors } = await open(browser, name, viewport);
    const main = async () => await page.locator('main').innerText();
    await page.goto(base + '/desk/now');
    await login(page);
    const urgent = page.locator('section.urgent');
    check((await urgent.innerText()).includes('Carla Smit'), `${name}: the Now page shows the urgent round alert`);
    await shot('round-now');
    await urgent.locator('a').first().click();
    await page.waitForURL('**/desk/follow-up**');
    const first = page.locator('ul.queue > li').first();
    check((await first.innerText()).includes('Dringend'), `${name}: the urgent follow-up is at the top of the queue`);
    await first.locator('details').evaluate((d) => { d.open = true; });
    check((await first.innerText()).includes('Poging 1: nam niet op'), `${name}: with the whole morning's tries`);
    await shot('round-follow-up');

    await page.goto(base + '/desk/round');
    check((await main()).includes('Het is geen alarmdienst: bij spoed belt u 112.'), `${name}: the page says it is not an emergency service`);
    check((await page.locator('#round-residents').innerText()).includes('Goedemorgenronde: niemand bereikt'), `${name}: this morning of Carla's`);
    if (name === 'laptop') {
      const started = Date.now();
      await page.selectOption('#r-resident', { label: 'Jan de Vries' });
      await page.fill('#r-at', '09:30');
      await page.fill('#r-contact-0', '06-10000001');
      await page.fill('#r-contact-1', '+31612345000');
      await page.click('form[action="/desk/round"] button[type=submit]');
      await page.waitForURL('**/desk/round?saved=1');
      const seconds = (Date.now() - started) / 1000;
      console.log(`enrolling a resident with two contacts took ${seconds.toFixed(1)} s of scripted typing and clicking`);
      const row = page.locator('#round-residents tr', { hasText: 'Jan de Vries' });
      check((await row.innerText()).includes('Anja Bakker'), 'Jan is enrolled, his first contact by name');
      check((await row.innerText()).includes('ma-vr'), 'on weekdays');
    } else {
      check((await page.locator('#round-residents').innerText()).includes('Jan de Vries'), `${name}: Jan is in the round`);
    }
    const fits = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);
    check(fits, `${name}: the round's page fits the screen`);
    await shot('round');
    // The figures: anonymous totals of the round.
    await page.goto(base + '/desk/figures');
    const figures = await page.locator('#round-figures').innerText();
    check(figures.includes('Ochtenden gebeld') && figures.includes('Balie gewaarschuwd'), `${name}: the figures count the round`);
    await shot('round-figures');
    check(errors.length === 0, `${name}: no script errors (${errors.join('; ')})`);
    await context.close();
  }
} finally {
  await browser.close();
}
console.log('DONE');
