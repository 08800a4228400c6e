import { describe, expect, it } from 'vitest';
import { authorize, grantForToken, grantForWebhook } from '../src/core/access.js';
import { parseConfig } from '../src/installation.js';

/** Tokens and webhooks as audiences: their grants, and the config checks that keep them sound. */
const instance = (name: string) => ({ name, replica: 'postgres://r@localhost/x', timezone: 'Europe/Madrid', currency: 'EUR' });
const TOKEN = 'tok-0123456789abcdef0123456789';
const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

function config(extra: Record<string, unknown>) {
  return parseConfig({ instances: { katuma: instance('Katuma'), uk: instance('UK') }, ...extra }, {}, 'test');
}

describe('API tokens and webhooks as audiences', () => {
  const c = config({
    api: { tokens: [{ name: 'finance', token: TOKEN, instances: ['katuma'], billing: true }, { name: 'everything', token: `${TOKEN}-all`, instances: ['*'] }] },
    webhooks: [
      { name: 'n8n', url: 'https://n8n.example.org/webhook/1', secret: SECRET, events: ['billing.closed'], instances: ['katuma'] },
      { name: 'zap', url: 'https://hooks.zapier.com/x', secret: SECRET, events: ['new-shop'], instances: ['*'] },
    ],
  });

  it('grants a token exactly its instances and billing, never admin, and nothing to a prefix, an extension or an empty token', () => {
    const finance = grantForToken(c, TOKEN)!;
    expect([...finance.instances]).toEqual(['katuma']);
    expect(finance).toMatchObject({ billing: true, admin: false, via: 'api token finance' });
    expect([...grantForToken(c, `${TOKEN}-all`)!.instances]).toEqual(['katuma', 'uk']);
    expect(grantForToken(c, `${TOKEN}-all`)!.billing).toBe(false);
    for (const wrong of [TOKEN.slice(0, -1), `${TOKEN}x`, '', TOKEN.toUpperCase()]) expect(grantForToken(c, wrong)).toBeUndefined();
  });

  it('decides through the same authorize as Slack: another instance or billing without billing: true is AccessDenied', () => {
    const finance = grantForToken(c, TOKEN)!;
    expect(authorize(c, finance, { instances: ['katuma'], billing: true })).toEqual(['katuma']);
    expect(() => authorize(c, finance, { instances: ['uk'], billing: false })).toThrow(/This API token \(finance\) may not see UK/);
    expect(() => authorize(c, grantForToken(c, `${TOKEN}-all`)!, { instances: ['katuma'], billing: true })).toThrow(/billing: true/);
  });

  it('grants a webhook its instances, and billing only when it takes billing.closed; a removed webhook gets nothing', () => {
    expect(grantForWebhook(c, 'n8n')).toMatchObject({ billing: true, admin: false });
    expect([...grantForWebhook(c, 'zap')!.instances]).toEqual(['katuma', 'uk']);
    expect(grantForWebhook(c, 'zap')!.billing).toBe(false);
    expect(grantForWebhook(c, 'gone')).toBeUndefined();
  });
});

describe('grants built from what the config lists, whatever it lists', () => {
  // AccessConfig as another caller could hand it (a config reloaded without an instance a token still
  // names, a token left empty): the grant still holds only configured instances, and nothing for ''.
  const c = config({});
  const loose = {
    ...c,
    api: { ...c.api, tokens: [{ name: 'stale', token: TOKEN, instances: ['katuma', 'removed'], billing: false }, { name: 'blank', token: '', instances: ['uk'], billing: false }] },
    webhooks: [{ name: 'stale-hook', url: 'https://h.example.org', secret: SECRET, events: ['new-shop'], instances: ['uk', 'removed'] }],
  } as unknown as typeof c;

  it('drops instances no longer configured from a token’s and a webhook’s grant', () => {
    expect([...grantForToken(loose, TOKEN)!.instances]).toEqual(['katuma']);
    expect([...grantForWebhook(loose, 'stale-hook')!.instances]).toEqual(['uk']);
  });

  it('gives an empty token nothing, even when a token is configured empty', () => {
    expect(grantForToken(loose, '')).toBeUndefined();
  });

  it('names the webhook in its grant, for refusals and logs', () => {
    expect(grantForWebhook(loose, 'stale-hook')).toMatchObject({ via: 'webhook stale-hook', label: 'This webhook (stale-hook)' });
  });
});

describe('the api and webhooks sections of the config', () => {
  const refused = (extra: Record<string, unknown>) => {
    try {
      config(extra);
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error('accepted');
  };

  it('names each bad field without echoing a token', () => {
    expect(refused({ api: { tokens: [{ name: 'short', token: 'abc', instances: ['katuma'] }] } })).toContain('api.tokens.0.token: at least 24 characters');
    expect(refused({ api: { tokens: [{ name: 'x', token: TOKEN, instances: ['nowhere'] }] } })).toContain('api.tokens.0.instances: unknown instance nowhere');
    const twice = refused({ api: { tokens: [{ name: 'a', token: TOKEN, instances: ['katuma'] }, { name: 'b', token: TOKEN, instances: ['uk'] }] } });
    expect(twice).toContain('api.tokens.1.token: b has the same value as another token');
    expect(twice).not.toContain(TOKEN);
    expect(refused({ api: { tokens: [{ name: 'a', token: TOKEN, instances: ['katuma'] }, { name: 'a', token: `${TOKEN}2`, instances: ['uk'] }] } })).toContain('api.tokens.1.name: a is used twice');
  });

  it('wants whsec_ secrets, http(s) URLs and known events', () => {
    const hook = { name: 'h', url: 'https://example.org/h', secret: SECRET, events: ['new-shop'], instances: ['katuma'] };
    expect(refused({ webhooks: [{ ...hook, secret: 'plain-secret' }] })).toContain('webhooks.0.secret: a Standard Webhooks secret');
    expect(refused({ webhooks: [{ ...hook, url: 'ftp://example.org/h' }] })).toContain('webhooks.0.url');
    expect(refused({ webhooks: [{ ...hook, events: ['new-hub'] }] })).toContain('webhooks.0.events.0');
    expect(refused({ webhooks: [{ ...hook, instances: ['nowhere'] }] })).toContain('webhooks.0.instances: unknown instance nowhere');
    expect(config({ webhooks: [hook] }).webhooks[0]).toMatchObject({ name: 'h', events: ['new-shop'] });
  });
});
