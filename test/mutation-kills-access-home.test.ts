/**
 * grantForHome (src/core/access.ts): what one user sees on the App Home tab. Their user rule's
 * instances plus the config's `home:` instances; never billing or admin; nothing at all is undefined.
 * Written for `npm run mutate` (issue 19). Pure: no Slack, no database.
 */
import { describe, expect, it } from 'vitest';
import { grantForHome, type AccessConfig, type AccessRuleLike } from '../src/core/access.js';

const rule = (r: Partial<AccessRuleLike> & { instances: string[] }): AccessRuleLike => ({ billing: false, admin: false, ...r });

const instances = new Map([
  ['katuma', { name: 'Katuma' }],
  ['au', { name: 'Australia' }],
  ['uk', { name: 'United Kingdom' }],
]);

const access: AccessRuleLike[] = [
  // Billing and admin in direct messages: the Home tab still shows neither.
  rule({ user: 'U0ADMIN01', instances: ['au'], billing: true, admin: true }),
  rule({ user: 'U0MEMBER1', instances: ['katuma', 'gone'] }),
  rule({ user: 'U0NOTHING', instances: [] }),
  // A channel rule is not a user's: it never decides a Home tab.
  rule({ channel: 'C0EVERY01', instances: ['*'] }),
];

describe('grantForHome', () => {
  it('gives a user with a rule its instances plus the home ones, never billing or admin', () => {
    const config: AccessConfig = { instances, access, home: { instances: ['uk', 'au'] } };
    expect(grantForHome(config, 'U0ADMIN01')).toEqual({ instances: new Set(['au', 'uk']), billing: false, admin: false, via: 'user U0ADMIN01 and home', label: 'Your Home tab' });
    // `gone` is no instance: left out.
    expect(grantForHome(config, 'U0MEMBER1')).toEqual({ instances: new Set(['katuma', 'uk', 'au']), billing: false, admin: false, via: 'user U0MEMBER1 and home', label: 'Your Home tab' });
  });

  it('gives a user without a rule the home instances only, `*` meaning every instance', () => {
    expect(grantForHome({ instances, access, home: { instances: ['uk'] } }, 'U0STRANGER')).toEqual({ instances: new Set(['uk']), billing: false, admin: false, via: 'home', label: 'Your Home tab' });
    expect([...grantForHome({ instances, access, home: { instances: ['*'] } }, 'U0STRANGER')!.instances]).toEqual(['katuma', 'au', 'uk']);
  });

  it('gives a user with a rule but no home section the instances of that rule', () => {
    expect(grantForHome({ instances, access }, 'U0MEMBER1')).toEqual({ instances: new Set(['katuma']), billing: false, admin: false, via: 'user U0MEMBER1 and home', label: 'Your Home tab' });
  });

  it('gives nothing when that is no instance at all', () => {
    // No rule and no home section; a rule with no instances; home listing only instances that are gone.
    expect(grantForHome({ instances, access }, 'U0STRANGER')).toBeUndefined();
    expect(grantForHome({ instances, access }, 'C0EVERY01')).toBeUndefined();
    expect(grantForHome({ instances, access, home: { instances: [] } }, 'U0NOTHING')).toBeUndefined();
    expect(grantForHome({ instances, access, home: { instances: ['gone'] } }, 'U0STRANGER')).toBeUndefined();
  });
});
