// The browser test's browser: what `npm run test:browser` does on a machine without chromium.
// (The decision is tested here; the install itself runs through apt-get, as on CI's fresh machines.)
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chromiumPlan, DEFAULT_CHROMIUM } from '../../scripts/ensure-chromium.mjs';

const machine = (over = {}) => ({ chromiumPath: DEFAULT_CHROMIUM, explicitPath: false, exists: false, isRoot: false, hasAptGet: true, canSudo: false, ...over });

describe('ensure-chromium', () => {
  it('uses an installed chromium as it is', () => {
    assert.deepEqual(chromiumPlan(machine({ exists: true })), { action: 'ready' });
    assert.deepEqual(chromiumPlan(machine({ exists: true, explicitPath: true, chromiumPath: '/opt/chrome' })), { action: 'ready' });
  });

  it('installs Debian chromium with apt-get as root, and through password-less sudo otherwise', () => {
    assert.deepEqual(chromiumPlan(machine({ isRoot: true })), { action: 'install', command: [] });
    assert.deepEqual(chromiumPlan(machine({ canSudo: true })), { action: 'install', command: ['sudo', '-n'] });
  });

  it('fails with one line saying what to run when it cannot install', () => {
    const plan = chromiumPlan(machine());
    assert.equal(plan.action, 'fail');
    assert.match(plan.message, /needs chromium at \/usr\/bin\/chromium: run sudo apt-get install chromium/);
    assert.doesNotMatch(plan.message, /\n/);
    assert.match(chromiumPlan(machine({ isRoot: true, hasAptGet: false })).message, /no apt-get: install chromium and set CHROMIUM_PATH/);
  });

  it('never installs over a CHROMIUM_PATH that does not exist: that is a typo to fix', () => {
    const plan = chromiumPlan(machine({ isRoot: true, explicitPath: true, chromiumPath: '/opt/chrom' }));
    assert.equal(plan.action, 'fail');
    assert.match(plan.message, /CHROMIUM_PATH=\/opt\/chrom does not exist/);
  });
});
