/**
 * The access decision (src/core/access.ts) pinned down rule by rule, so that no one-line change to it
 * (a flipped comparison, a dropped filter, `some` for `every`) passes the suite: `npm run mutate` must
 * leave no surviving mutant in this module (issue 19). Pure: no Slack, no database.
 */
import { describe, expect, it } from 'vitest';
import { audience, audienceLabel, authorize, covers, grantFor, mayManage, operatorGrant, requireGrant, type AccessConfig, type AccessRuleLike, type Grant } from '../src/core/access.js';
import { OfnError } from '../src/core/errors.js';

const rule = (r: Partial<AccessRuleLike> & { instances: string[] }): AccessRuleLike => ({ billing: false, admin: false, ...r });

/** Three instances, in this order (the order `all` answers in). */
const config: AccessConfig = {
  instances: new Map([
    ['katuma', { name: 'Katuma' }],
    ['au', { name: 'Australia' }],
    ['uk', { name: 'United Kingdom' }],
  ]),
  access: [
    rule({ channel: 'C0AUONLY1', instances: ['au'] }),
    // A channel id ending in D is still a channel, not a direct message.
    rule({ channel: 'C0BOTH00D', instances: ['au', 'katuma'], billing: true }),
    rule({ channel: 'C0EVERY01', instances: ['*'] }),
    // `gone` is not (or no longer) an instance: it must not appear in the grant.
    rule({ channel: 'C0STALE01', instances: ['gone', 'uk'] }),
    rule({ channel: 'C0NOTHING', instances: [] }),
    rule({ channel: 'C0ADMINCH', instances: ['uk'], admin: true }),
    rule({ user: 'U0ADMIN01', instances: ['*'], admin: true, billing: true }),
    rule({ user: 'U0MEMBER1', instances: ['katuma'] }),
    rule({ user: 'U0AUADMIN', instances: ['au'], admin: true }),
  ],
};

const inChannel = (channelId: string, userId = 'U0NOBODY1') => ({ userId, channelId });
const dm = (userId: string) => ({ userId, channelId: 'D0DIRECT1' });

function grant(who: { userId: string; channelId: string }): Grant {
  const g = grantFor(config, who);
  if (!g) throw new Error(`expected a grant for ${JSON.stringify(who)}`);
  return g;
}

function denied(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(OfnError);
    expect((error as OfnError).code).toBe('AccessDenied');
    return (error as OfnError).message;
  }
  throw new Error('expected AccessDenied');
}

describe('grantFor: who the audience is', () => {
  it('decides a channel by its channel rule, whoever asks in it', () => {
    expect(grantFor(config, inChannel('C0AUONLY1'))).toEqual({ instances: new Set(['au']), billing: false, admin: false, via: 'channel C0AUONLY1', label: 'This channel (C0AUONLY1)' });
    // The asker has a user rule granting everything: in a channel, the channel's rule decides.
    expect([...grant(inChannel('C0AUONLY1', 'U0ADMIN01')).instances]).toEqual(['au']);
  });

  it('treats only ids starting with D as direct messages', () => {
    expect(grantFor(config, inChannel('C0BOTH00D', 'U0MEMBER1'))).toEqual({
      instances: new Set(['au', 'katuma']),
      billing: true,
      admin: false,
      via: 'channel C0BOTH00D',
      label: 'This channel (C0BOTH00D)',
    });
  });

  it('decides a direct message by the user rule of the person asking', () => {
    expect(grantFor(config, dm('U0MEMBER1'))).toEqual({ instances: new Set(['katuma']), billing: false, admin: false, via: 'user U0MEMBER1', label: 'This conversation' });
    expect(grantFor(config, dm('U0ADMIN01'))).toEqual({ instances: new Set(['katuma', 'au', 'uk']), billing: true, admin: true, via: 'user U0ADMIN01', label: 'This conversation' });
  });

  it('gives nothing to a channel or a person not listed', () => {
    expect(grantFor(config, inChannel('C0UNKNOWN'))).toBeUndefined();
    expect(grantFor(config, dm('U0UNKNOWN'))).toBeUndefined();
    // A direct message is never decided by a channel rule, even one whose id matches.
    expect(grantFor({ ...config, access: [rule({ channel: 'D0DIRECT1', instances: ['*'] })] }, dm('U0MEMBER1'))).toBeUndefined();
  });

  it('expands * to every configured instance and drops ids that are not instances', () => {
    expect([...grant(inChannel('C0EVERY01')).instances]).toEqual(['katuma', 'au', 'uk']);
    expect([...grant(inChannel('C0STALE01')).instances]).toEqual(['uk']);
    expect(grant(inChannel('C0NOTHING')).instances.size).toBe(0);
  });

  it('gives admin rights to people: an admin user is admin in any channel it asks in, others are not', () => {
    expect(grant(inChannel('C0AUONLY1', 'U0AUADMIN')).admin).toBe(true);
    expect(grant(inChannel('C0AUONLY1', 'U0MEMBER1')).admin).toBe(false);
    expect(grant(inChannel('C0AUONLY1', 'U0NOBODY1')).admin).toBe(false);
    // A channel rule with admin: true makes everyone asking there an admin.
    expect(grant(inChannel('C0ADMINCH', 'U0NOBODY1')).admin).toBe(true);
    // A user rule without admin does not make its user an admin because someone else is one.
    expect(grant(dm('U0MEMBER1')).admin).toBe(false);
    // Billing comes from the deciding rule only, never from the asker's user rule.
    expect(grant(inChannel('C0AUONLY1', 'U0ADMIN01')).billing).toBe(false);
  });
});

describe('operatorGrant and requireGrant', () => {
  it('gives the operator every instance, billing and admin', () => {
    expect(operatorGrant(config)).toEqual({ instances: new Set(['katuma', 'au', 'uk']), billing: true, admin: true, via: 'operator', label: 'The operator' });
  });

  it('returns the grant, or refuses naming the id an operator should add', () => {
    expect(requireGrant(config, inChannel('C0AUONLY1'))).toEqual(grantFor(config, inChannel('C0AUONLY1')));
    expect(denied(() => requireGrant(config, inChannel('C0UNKNOWN')))).toBe(
      'This channel (C0UNKNOWN) has no access to ofn-insights. An operator can add `- channel: C0UNKNOWN` under `access:` in the ofn-insights config.',
    );
    expect(denied(() => requireGrant(config, dm('U0UNKNOWN')))).toBe(
      'You (U0UNKNOWN) are not allowed to ask me in direct messages. An operator can add `- user: U0UNKNOWN` under `access:` in the ofn-insights config.',
    );
  });
});

describe('authorize: whether a question is within the grant', () => {
  const both = () => grant(inChannel('C0BOTH00D'));
  const auOnly = () => grant(inChannel('C0AUONLY1'));

  it('returns the instances asked for, once each, in the order typed', () => {
    expect(authorize(config, both(), { instances: ['katuma', 'au', 'katuma'], billing: false })).toEqual(['katuma', 'au']);
    expect(authorize(config, both(), { instances: ['au'], billing: true })).toEqual(['au']);
  });

  it('expands all to the visible instances only, in config order', () => {
    expect(authorize(config, both(), { instances: 'all', billing: false })).toEqual(['katuma', 'au']);
    expect(authorize(config, auOnly(), { instances: 'all', billing: false })).toEqual(['au']);
    expect(authorize(config, operatorGrant(config), { instances: 'all', billing: false })).toEqual(['katuma', 'au', 'uk']);
  });

  it('lets a question that touches no instance through (help, management), whatever the grant', () => {
    expect(authorize(config, grant(inChannel('C0NOTHING')), { instances: [], billing: false })).toEqual([]);
    expect(authorize(config, auOnly(), { instances: [], billing: false })).toEqual([]);
  });

  it('refuses all when the audience may see no instance', () => {
    expect(denied(() => authorize(config, grant(inChannel('C0NOTHING')), { instances: 'all', billing: false }))).toBe('This channel (C0NOTHING) may see no instance.');
  });

  it('refuses an instance outside the grant, naming it and what the audience may see', () => {
    expect(denied(() => authorize(config, auOnly(), { instances: ['au', 'katuma'], billing: false }))).toBe(
      'This channel (C0AUONLY1) may not see Katuma. It may see: au. An operator can add `katuma` to its `instances` in the ofn-insights config.',
    );
    expect(denied(() => authorize(config, auOnly(), { instances: ['uk', 'au', 'katuma'], billing: false }))).toBe(
      'This channel (C0AUONLY1) may not see United Kingdom, Katuma. It may see: au. An operator can add `uk`, `katuma` to its `instances` in the ofn-insights config.',
    );
    expect(denied(() => authorize(config, grant(inChannel('C0BOTH00D')), { instances: ['uk'], billing: false }))).toBe(
      'This channel (C0BOTH00D) may not see United Kingdom. It may see: au, katuma. An operator can add `uk` to its `instances` in the ofn-insights config.',
    );
    // An id that is no instance is named as typed; an empty grant says so.
    expect(denied(() => authorize(config, grant(inChannel('C0NOTHING')), { instances: ['nowhere'], billing: false }))).toBe(
      'This channel (C0NOTHING) may not see nowhere. It may see: no instance. An operator can add `nowhere` to its `instances` in the ofn-insights config.',
    );
  });

  it('refuses billing without billing: true, naming the audience', () => {
    expect(denied(() => authorize(config, auOnly(), { instances: ['au'], billing: true }))).toBe('Billing answers need `billing: true` for this channel (C0AUONLY1) in the ofn-insights config.');
    expect(denied(() => authorize(config, grant(dm('U0MEMBER1')), { instances: ['katuma'], billing: true }))).toBe('Billing answers need `billing: true` for this user in the ofn-insights config.');
    // Only a leading "This" becomes lower case.
    const pulseChannel: Grant = { ...auOnly(), label: 'Channel <#C0THIS001|This one>' };
    expect(denied(() => authorize(config, pulseChannel, { instances: ['au'], billing: true }))).toBe('Billing answers need `billing: true` for Channel <#C0THIS001|This one> in the ofn-insights config.');
  });

  it('checks billing before instances', () => {
    expect(denied(() => authorize(config, auOnly(), { instances: ['katuma'], billing: true }))).toMatch(/^Billing answers need/);
  });
});

describe('covers: filtering lists without throwing', () => {
  it('is false without a grant, and for billing without billing: true', () => {
    expect(covers(config, undefined, { instances: 'all', billing: false })).toBe(false);
    expect(covers(config, grant(inChannel('C0AUONLY1')), { instances: ['au'], billing: true })).toBe(false);
    expect(covers(config, grant(inChannel('C0BOTH00D')), { instances: ['au'], billing: true })).toBe(true);
  });

  it('needs every instance touched to be visible; all is always within', () => {
    const auOnly = grant(inChannel('C0AUONLY1'));
    expect(covers(config, auOnly, { instances: ['au'], billing: false })).toBe(true);
    expect(covers(config, auOnly, { instances: ['au', 'katuma'], billing: false })).toBe(false);
    expect(covers(config, auOnly, { instances: ['katuma'], billing: false })).toBe(false);
    expect(covers(config, grant(inChannel('C0NOTHING')), { instances: 'all', billing: false })).toBe(true);
  });
});

describe('mayManage: who may pause, resume or remove what posts where', () => {
  const auAdmin = () => grant(inChannel('C0AUONLY1', 'U0AUADMIN'));

  it('refuses anyone who is not an admin', () => {
    expect(mayManage(config, grant(inChannel('C0AUONLY1', 'U0MEMBER1')), 'U0MEMBER1', 'C0AUONLY1', { instances: ['au'], billing: false })).toBe(false);
  });

  it('refuses an admin who may not see every instance the thing touches', () => {
    expect(mayManage(config, auAdmin(), 'U0AUADMIN', 'C0AUONLY1', { instances: ['au', 'katuma'], billing: false })).toBe(false);
  });

  it('lets an admin manage what touches only its instances and posts to a channel seeing no more', () => {
    expect(mayManage(config, auAdmin(), 'U0AUADMIN', 'C0AUONLY1', { instances: ['au'], billing: false })).toBe(true);
    // A billing post: managing it is about instances, not about seeing billing answers.
    expect(mayManage(config, auAdmin(), 'U0AUADMIN', 'C0AUONLY1', { instances: ['au'], billing: true })).toBe(true);
    // A target channel with no rule (it can no longer see anything) does not stop the admin.
    expect(mayManage(config, auAdmin(), 'U0AUADMIN', 'C0UNKNOWN', { instances: ['au'], billing: false })).toBe(true);
  });

  it('refuses when the target channel sees an instance the admin may not', () => {
    expect(mayManage(config, auAdmin(), 'U0AUADMIN', 'C0BOTH00D', { instances: ['au'], billing: false })).toBe(false);
    const admin = grant(inChannel('C0EVERY01', 'U0ADMIN01'));
    expect(mayManage(config, admin, 'U0ADMIN01', 'C0BOTH00D', { instances: ['au'], billing: false })).toBe(true);
  });

  it('judges a direct-message target by the manager’s own user rule', () => {
    const admin = grant(inChannel('C0EVERY01', 'U0ADMIN01'));
    expect(mayManage(config, admin, 'U0ADMIN01', 'D0DIRECT1', { instances: ['au'], billing: false })).toBe(true);
    // The au admin's own DM sees au only: manageable; a manager granted less than the DM's user sees is not.
    expect(mayManage(config, auAdmin(), 'U0AUADMIN', 'D0DIRECT1', { instances: ['au'], billing: false })).toBe(true);
    const narrowed: Grant = { ...admin, instances: new Set(['au']) };
    expect(mayManage(config, narrowed, 'U0ADMIN01', 'D0DIRECT1', { instances: ['au'], billing: false })).toBe(false);
  });
});

describe('audiences', () => {
  it('reads back every label the table makes, with its id, and names any other label as written', () => {
    expect(audience(audienceLabel('channel', 'C0AUONLY1'))).toEqual({ who: 'channel', id: 'C0AUONLY1' });
    expect(audience(audienceLabel('here'))).toEqual({ who: 'here', id: '' });
    expect(audience(audienceLabel('target', '<#C0123>'))).toEqual({ who: 'target', id: '<#C0123>' });
    expect(audience(audienceLabel('token', 'zapier-katuma'))).toEqual({ who: 'token', id: 'zapier-katuma' });
    expect(audience(audienceLabel('conversation'))).toEqual({ who: 'conversation', id: '' });
    expect(audience('Somebody else')).toEqual({ who: 'other', id: 'Somebody else' });
  });
});
