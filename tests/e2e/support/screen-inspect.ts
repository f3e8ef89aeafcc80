import { expect, type Locator, type Page, type TestInfo } from '@playwright/test';

// What a screen must be at 1366×768 (issue 16), checked in the page by inspectScreen and used by
// screen-walk.spec.ts: ScreenWalk photographs and inspects each screen a journey reaches, and keeps
// the titles of the drawers and modals that were open on it.
//
// The rules, as checked in the page (only visible text, in the header and the content area, the recovery
// screen, open drawers and modals, open popovers and Popconfirms (a confirmation bubble is neither a drawer
// nor a modal), and the image preview with its toolbar):
//  1. Overflow: a table cell (td/th), or an element holding text directly that is not inline, whose
//     content is wider than its box (scrollWidth > clientWidth + 1, and the content's own extent, a Range
//     over it, reaches outside the box: not a decoration such as a fixed column's shadow). Allowed only as an intended
//     ellipsis: the overflowing element (or its cell) has `text-overflow: ellipsis` AND the full text
//     is reachable through a `title` attribute on it or an ancestor (antd's `ellipsis` table cells set
//     one; elsewhere the renderer sets it with a Tooltip). Scroll containers (overflow auto/scroll) are
//     not text and are not checked.
//  2. Words broken across lines: a text node whose whole text is 2–4 CJK characters (a name such as
//     王建华, a header such as 登记人, a tag such as 已受理), or a table cell whose whole text is at most
//     4 CJK characters, must render on one line (Range.getClientRects: one line top). In a table cell that
//     is a label, not prose (no ，。；：！？ in it), every run of 2–4 CJK characters standing between
//     non-CJK characters (工作日 in "20 个工作日") likewise. A text node that is one technical token (a
//     date 2026-12-06, a masked ID number, a case or item code: no spaces, at most 32 characters) likewise,
//     and in any table cell such a token within other text (办件 420325-ZWFW-20261206-DKCZ-0002).
//  3. No raw action key in visible text (/\b[a-z]+\.[a-z][A-Za-z]+\b/, e.g. scan.addPage), outside
//     <code>/<pre> and elements marked data-technical (the audit log's 技术详情). Input fields' values and
//     placeholders are not the screen's text for any rule. File names
//     (x.pdf, x.json …) are not action keys: the second part being a file extension is not counted.
//  4. No visible `Error:`.
//  5. No `#<digits>` entity reference (case#3, user#1).
//  6. Any uncaught page error or console error fails the test.

export interface Finding {
  rule: string;
  text: string;
  where: string;
}

/** Runs in the page: the six rules' in-page part (1–5) over the visible text of the header and content area. */
export function inspectScreen(): Finding[] {
  const findings: Finding[] = [];
  const roots = Array.from(document.querySelectorAll<HTMLElement>('.desk-header, .desk-content, .desk-center, [data-testid="recovery-page"], .ant-drawer-open, .ant-modal-wrap, .ant-popover, .ant-image-preview'));
  const CJK = /^[\u3400-\u9fff]{2,4}$/;
  const TOKEN = /^[0-9A-Za-z*][0-9A-Za-z*\-:/.]{3,31}$/;
  const TOKENS = /(?<![0-9A-Za-z*\-:/.])[0-9A-Za-z*][0-9A-Za-z*\-:/.]{3,31}(?![0-9A-Za-z*\-:/.])/g;
  const RUN = /(?<![\u3400-\u9fff])[\u3400-\u9fff]{2,4}(?![\u3400-\u9fff])/g;
  const ACTION = /\b([a-z]+)\.([a-z][A-Za-z]+)\b/g;
  const FILE_EXT = /^(pdf|json|png|jpe?g|xlsx?|csv|zip|cjs|js|txt|html?|sqlite|db|log|gov|cn|com|org|net|local)$/;
  const describe = (el: Element): string => {
    const parts: string[] = [];
    let e: Element | null = el;
    for (let i = 0; e && i < 4; i++, e = e.parentElement) {
      const tid = e.getAttribute('data-testid');
      parts.push(tid ? `[${tid}]` : `${e.tagName.toLowerCase()}${e.classList[0] ? '.' + e.classList[0] : ''}`);
    }
    return parts.join(' < ');
  };
  const visible = (el: Element): boolean => {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) return false;
    const cs = getComputedStyle(el);
    return cs.visibility !== 'hidden' && cs.opacity !== '0';
  };
  // What a person types is not the screen's text (rules 1–5); a technical value shown as such (a <code>, the
  // audit log's 技术详情) may hold a raw key (rule 3), but must still fit its box (rules 1–2).
  const editable = (el: Element | null): boolean => !!el?.closest('textarea, input, .ant-select-selection-search');
  const technical = (el: Element | null): boolean => !!el?.closest('pre, code, [data-technical]');
  const lineTops = (node: Node, start = 0, end = (node.textContent ?? '').length): number => {
    const range = document.createRange();
    range.setStart(node, start);
    range.setEnd(node, end);
    const tops = new Set<number>();
    for (const r of Array.from(range.getClientRects())) if (r.width > 0.5) tops.add(Math.round(r.top));
    return tops.size;
  };
  const hasTitle = (el: Element): boolean => {
    for (let e: Element | null = el; e && !e.matches('tr, .ant-card, body'); e = e.parentElement) if (e.getAttribute('title')) return true;
    return false;
  };
  // The content itself reaches outside the box (scrollWidth alone also counts decorations such as the
  // shadow a fixed table column draws beside itself).
  const textOutside = (el: HTMLElement): boolean => {
    const range = document.createRange();
    range.selectNodeContents(el);
    const r = range.getBoundingClientRect();
    const left = el.getBoundingClientRect().left + el.clientLeft;
    return r.width > 0 && (r.right > left + el.clientWidth + 1 || r.left < left - 1);
  };
  const intendedEllipsis = (el: Element): boolean => {
    const chain = [el, ...Array.from(el.querySelectorAll('*'))];
    return chain.some((e) => getComputedStyle(e).textOverflow === 'ellipsis') && hasTitle(el);
  };

  for (const root of roots) {
    if (!visible(root)) continue;
    // Rule 1: overflow of cells and of non-inline text holders.
    for (const el of Array.from(root.querySelectorAll<HTMLElement>('*'))) {
      if (!visible(el) || editable(el)) continue;
      const cs = getComputedStyle(el);
      if (cs.overflowX === 'auto' || cs.overflowX === 'scroll') continue;
      const isCell = el.matches('td, th');
      const holdsText = Array.from(el.childNodes).some((n) => n.nodeType === Node.TEXT_NODE && n.textContent!.trim() !== '');
      if (!isCell && !(holdsText && cs.display !== 'inline')) continue;
      if (el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0 && textOutside(el) && !intendedEllipsis(el)) {
        findings.push({ rule: 'overflow', text: el.innerText.trim().slice(0, 60), where: describe(el) });
      }
    }
    // Rule 2: short words and tokens on one line.
    for (const cell of Array.from(root.querySelectorAll<HTMLElement>('td, th'))) {
      if (!visible(cell)) continue;
      const text = cell.innerText.replace(/\s+/g, '');
      if (!CJK.test(text)) continue;
      const tops = new Set<number>();
      const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const range = document.createRange();
        range.selectNodeContents(n);
        for (const r of Array.from(range.getClientRects())) if (r.width > 0.5) tops.add(Math.round(r.top / 4));
      }
      if (tops.size > 1) findings.push({ rule: 'wrapped-cell', text, where: describe(cell) });
    }
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const parent = n.parentElement;
      if (!parent || !visible(parent) || editable(parent)) continue;
      const raw = n.textContent ?? '';
      const text = raw.trim();
      if (text === '') continue;
      if ((CJK.test(text) || TOKEN.test(text)) && lineTops(n, raw.indexOf(text), raw.indexOf(text) + text.length) > 1) {
        findings.push({ rule: 'wrapped-word', text, where: describe(parent) });
      } else if (parent.closest('td, th')) {
        const prose = /[，。；：！？]/.test(parent.closest('td, th')!.textContent ?? '');
        for (const m of [...(prose ? [] : raw.matchAll(RUN)), ...raw.matchAll(TOKENS)]) {
          if (lineTops(n, m.index!, m.index! + m[0].length) > 1) findings.push({ rule: 'wrapped-word', text: `${m[0]} in "${text.slice(0, 40)}"`, where: describe(parent) });
        }
      }
      // Rules 3–5: what a person must never read.
      for (const m of technical(parent) ? [] : text.matchAll(ACTION)) {
        if (!FILE_EXT.test(m[2]!)) findings.push({ rule: 'action-key', text: m[0], where: describe(parent) });
      }
      if (/Error:/.test(text)) findings.push({ rule: 'error-prefix', text: text.slice(0, 80), where: describe(parent) });
      if (/#\d+/.test(text)) findings.push({ rule: 'entity-ref', text: text.slice(0, 80), where: describe(parent) });
    }
  }
  return findings;
}


/** The drawers and modals open now (a closing one stays in the page a moment, hidden: not counted). */
export const OPEN_DIALOGS = '.ant-drawer-open:visible, .ant-modal-wrap:visible';

/**
 * Until the screen stands still: the network settled, no spinner turning in the content or an open
 * dialog, and no finite animation running (a drawer sliding in, a modal zooming: measured mid-way,
 * every box is off). Endless ones (a badge's pulse) are not waited for.
 */
export async function settle(page: Page): Promise<void> {
  await page.waitForLoadState('networkidle');
  await expect(page.locator('.desk-content .ant-spin-spinning, .ant-drawer-open .ant-spin-spinning, .ant-modal-wrap .ant-spin-spinning')).toHaveCount(0, { timeout: 15_000 });
  await page.waitForFunction(() =>
    document.getAnimations().every((a) => a.playState !== 'running' || a.effect?.getTiming().iterations === Infinity),
  );
}

const slug = (s: string) => s.replace(/[\s/\\:*?"<>|（）()：“”]+/g, '_').replace(/_+$/, '');

/**
 * One role's walk: each screen it checks is settled, photographed (test-results/e2e/…/<role>-<name>.png)
 * and inspected; the findings, the screens counted and the titles of the dialogs seen are kept.
 */
export class ScreenWalk {
  screens = 0;
  readonly findings: string[] = [];
  /** Titles of every drawer and modal that was open on a checked screen. */
  readonly dialogs = new Set<string>();

  constructor(
    readonly page: Page,
    private readonly info: TestInfo,
    readonly role: string,
  ) {}

  async check(name: string): Promise<void> {
    const { page } = this;
    await settle(page);
    this.screens++;
    for (const title of await page.locator(OPEN_DIALOGS).locator('.ant-drawer-title, .ant-modal-title, .ant-modal-confirm-title').allInnerTexts()) {
      if (title.trim()) this.dialogs.add(title.trim());
    }
    await page.screenshot({ path: this.info.outputPath(`${this.role}-${String(this.screens).padStart(2, '0')}-${slug(name)}.png`) });
    for (const f of await page.evaluate(inspectScreen)) this.findings.push(`${this.role} › ${name}: ${f.rule} "${f.text}" at ${f.where}`);
  }

  /** The top-most open dialog. */
  top(): Locator {
    return this.page.locator(OPEN_DIALOGS).last();
  }

  /**
   * Opens a dialog with `open`, checks it (after `ready`, when it must first show something), and
   * closes it with `close` (default: Escape), leaving as many dialogs open as before.
   */
  async dialog(name: string, open: () => Promise<unknown>, opts: { ready?: (d: Locator) => Promise<unknown>; close?: (d: Locator) => Promise<unknown> } = {}): Promise<void> {
    const dialogs = this.page.locator(OPEN_DIALOGS);
    const before = await dialogs.count();
    await open();
    // Some are made on the host first (a PDF on its worker): a loaded machine may take a while.
    await expect(dialogs).toHaveCount(before + 1, { timeout: 30_000 });
    const d = this.top();
    await opts.ready?.(d);
    await this.check(name);
    await (opts.close ? opts.close(d) : this.page.keyboard.press('Escape'));
    await expect(dialogs).toHaveCount(before);
  }
}
