/**
 * Slack escaping (src/render/mrkdwn.ts), the one place text becomes markup: exact outputs for every
 * character that matters, the code fence, and Slack's size limits measured on the escaped text.
 * Written for `npm run mutate` (issue 19): no mutant of the escaping may survive.
 */
import { describe, expect, it } from 'vitest';
import { codeBlock, contextLine, escapeMrkdwn, fittingLength, HEADER_LIMIT, mrkdwnSection, plain, SECTION_LIMIT } from '../src/render/mrkdwn.js';
import { errorMessage, helpMessage, textMessage } from '../src/render/slack-message.js';

/** What Slack shows for escaped mrkdwn: the three entities decoded (in the order that cannot double-decode). */
const shown = (mrkdwn: string) => mrkdwn.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
const sectionTexts = (blocks: Record<string, unknown>[]) => blocks.filter((b) => b.type === 'section').map((b) => (b.text as { text: string }).text);

describe('escapeMrkdwn', () => {
  it('turns every &, < and > into its entity, and nothing else', () => {
    expect(escapeMrkdwn('<!channel> & <@U0123> > <https://evil.example|Free money>')).toBe('&lt;!channel&gt; &amp; &lt;@U0123&gt; &gt; &lt;https://evil.example|Free money&gt;');
    expect(escapeMrkdwn('<<>>&&')).toBe('&lt;&lt;&gt;&gt;&amp;&amp;');
    expect(escapeMrkdwn('*bold* _it_ `code` ~x~ #general @here')).toBe('*bold* _it_ `code` ~x~ #general @here');
    expect(escapeMrkdwn('')).toBe('');
  });

  it('escapes an entity typed by the user, so it shows as typed', () => {
    expect(escapeMrkdwn('&lt;!channel&gt;')).toBe('&amp;lt;!channel&amp;gt;');
    expect(shown(escapeMrkdwn('&lt;!channel&gt; & <b>'))).toBe('&lt;!channel&gt; & <b>');
  });
});

describe('codeBlock', () => {
  it('fences escaped text, and turns a fence inside it into quotes', () => {
    expect(codeBlock('Fruit & Veg <!here>')).toBe('```\nFruit &amp; Veg &lt;!here&gt;\n```');
    expect(codeBlock('a```b```c')).toBe("```\na'''b'''c\n```");
    expect(codeBlock('')).toBe('```\n\n```');
  });

  it('keeps the escaped text within the limit, cutting before an entity rather than through it', () => {
    expect(codeBlock('abcdef', 4)).toBe('```\nabcd\n```');
    expect(codeBlock('abcd', 4)).toBe('```\nabcd\n```');
    expect(codeBlock('ab&cd', 6)).toBe('```\nab\n```');
    expect(codeBlock('ab&cd', 7)).toBe('```\nab&amp;\n```');
    expect(codeBlock('a<b', 5)).toBe('```\na&lt;\n```');
    expect(codeBlock('a>b', 4)).toBe('```\na\n```');
  });

  it('fits a section by default, however many characters escaping adds', () => {
    expect(codeBlock('x'.repeat(5_000))).toBe('```\n' + 'x'.repeat(SECTION_LIMIT - 8) + '\n```');
    const ampersands = codeBlock('&'.repeat(2_000));
    expect(ampersands.length).toBeLessThanOrEqual(SECTION_LIMIT);
    expect(ampersands).toBe('```\n' + '&amp;'.repeat(Math.floor((SECTION_LIMIT - 8) / 5)) + '\n```');
    expect(codeBlock('Fruit & Veg <Co>\n'.repeat(500)).length).toBeLessThanOrEqual(SECTION_LIMIT);
  });

  it('measures with no limit at all when told Infinity', () => {
    expect(codeBlock('&'.repeat(1_000), Infinity)).toBe('```\n' + '&amp;'.repeat(1_000) + '\n```');
  });
});

describe('fittingLength', () => {
  it('counts & as five characters, < and > as four, anything else as one', () => {
    expect(fittingLength('abc', 3)).toBe(3);
    expect(fittingLength('abc', 2)).toBe(2);
    expect(fittingLength('abc', 0)).toBe(0);
    expect(fittingLength('&x', 5)).toBe(1);
    expect(fittingLength('&x', 4)).toBe(0);
    expect(fittingLength('&x', 6)).toBe(2);
    expect(fittingLength('<x', 4)).toBe(1);
    expect(fittingLength('<x', 3)).toBe(0);
    expect(fittingLength('>x', 4)).toBe(1);
    expect(fittingLength('>x', 3)).toBe(0);
    expect(fittingLength('', 0)).toBe(0);
    // Never more than the text, however much room is left.
    expect(fittingLength('abc', 10)).toBe(3);
    expect(fittingLength('a&b', 100)).toBe(3);
  });
});

describe('plain text and blocks', () => {
  it('cuts plain text longer than the limit with an ellipsis, keeps it otherwise, never as emoji', () => {
    expect(plain('Turnover')).toEqual({ type: 'plain_text', text: 'Turnover', emoji: false });
    expect(plain('x'.repeat(HEADER_LIMIT))).toEqual({ type: 'plain_text', text: 'x'.repeat(HEADER_LIMIT), emoji: false });
    expect(plain('x'.repeat(HEADER_LIMIT + 1)).text).toBe(`${'x'.repeat(HEADER_LIMIT - 1)}…`);
    expect(plain('abcdef', 4).text).toBe('abc…');
    expect(plain('abcd', 4).text).toBe('abcd');
    // Plain text is never parsed by Slack: not escaped.
    expect(plain('<!channel> & co').text).toBe('<!channel> & co');
  });

  it('builds sections and context lines of mrkdwn', () => {
    expect(mrkdwnSection('*12*')).toEqual({ type: 'section', text: { type: 'mrkdwn', text: '*12*' } });
    expect(contextLine('Oct 2026')).toEqual({ type: 'context', elements: [{ type: 'mrkdwn', text: 'Oct 2026' }] });
  });

  it('keeps within Slack’s limits: 3,000 characters per section, 150 per header', () => {
    expect(SECTION_LIMIT).toBeLessThanOrEqual(3_000);
    expect(HEADER_LIMIT).toBeLessThanOrEqual(150);
  });
});

describe('messages with text full of entities', () => {
  const table = Array.from({ length: 150 }, (_, i) => `Fruit & Veg <${i}> & Co  ${String(i * 7).padStart(6)}`).join('\n');

  it('splits a long body into sections that fit once escaped, losing no line', () => {
    const message = textMessage('Top shops', table, 'Oct 2026', { ephemeral: false });
    const sections = sectionTexts(message.blocks);
    expect(sections.length).toBeGreaterThan(1);
    for (const text of sections) expect(text.length).toBeLessThanOrEqual(SECTION_LIMIT);
    const lines = sections.flatMap((text) => shown(text.replace(/^```\n|\n```$/g, '')).split('\n'));
    expect(lines).toEqual(table.split('\n'));
  });

  it('splits a line longer than a section mid-line, losing nothing', () => {
    const line = 'A & B '.repeat(1_000);
    const sections = sectionTexts(textMessage('Long', line, 'ctx', { ephemeral: false }).blocks);
    for (const text of sections) expect(text.length).toBeLessThanOrEqual(SECTION_LIMIT);
    expect(sections.map((text) => shown(text.replace(/^```\n|\n```$/g, ''))).join('')).toBe(line);
  });

  it('fits help and error messages full of placeholders', () => {
    const lines = Array.from({ length: 120 }, (_, i) => `turnover <instance> [period] [by day|week] <&${i}>`);
    const help = helpMessage({ kind: 'help', title: 'Questions', lines });
    const sections = sectionTexts(help.blocks);
    for (const text of sections) expect(text.length).toBeLessThanOrEqual(SECTION_LIMIT);
    expect(sections.map((text) => shown(text.replace(/^```\n|\n```$/g, ''))).join('')).toBe(lines.join('\n'));
    const error = errorMessage('<'.repeat(3_000));
    for (const text of sectionTexts(error.blocks)) expect(text.length).toBeLessThanOrEqual(SECTION_LIMIT);
  });
});
